package field_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/cohortmpc/cohort/field"
)

var (
	sink61  field.M61
	sink127 field.M127
)

func randVec[E any](b *testing.B, f field.Field[E], n int, label string) []E {
	v := make([]E, n)
	if err := f.RandomVec(field.NewPRG([32]byte{}, []byte(label)), v); err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkM61Mul reports the latency of one multiplication (a dependency
// chain) and its throughput (independent products).
func BenchmarkM61Mul(b *testing.B) {
	v := randVec[field.M61](b, field.F61{}, 4, "mul")
	b.Run("latency", func(b *testing.B) {
		x, y := v[0], v[1]
		for b.Loop() {
			x = x.Mul(y)
		}
		sink61 = x
	})
	b.Run("throughput", func(b *testing.B) {
		x, y, z, w := v[0], v[1], v[2], v[3]
		for b.Loop() {
			x, y, z, w = x.Mul(v[0]), y.Mul(v[1]), z.Mul(v[2]), w.Mul(v[3])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/mul")
		sink61 = x + y + z + w
	})
}

func BenchmarkM127Mul(b *testing.B) {
	v := randVec[field.M127](b, field.F127{}, 4, "mul")
	b.Run("latency", func(b *testing.B) {
		x, y := v[0], v[1]
		for b.Loop() {
			x = x.Mul(y)
		}
		sink127 = x
	})
	b.Run("throughput", func(b *testing.B) {
		x, y, z, w := v[0], v[1], v[2], v[3]
		for b.Loop() {
			x, y, z, w = x.Mul(v[0]), y.Mul(v[1]), z.Mul(v[2]), w.Mul(v[3])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/mul")
		sink127 = x.Add(y).Add(z).Add(w)
	})
}

func BenchmarkInv(b *testing.B) {
	b.Run("m61", func(b *testing.B) {
		x := randVec[field.M61](b, field.F61{}, 1, "inv")[0]
		for b.Loop() {
			x, _ = x.Inv()
		}
		sink61 = x
	})
	b.Run("m127", func(b *testing.B) {
		x := randVec[field.M127](b, field.F127{}, 1, "inv")[0]
		for b.Loop() {
			x, _ = x.Inv()
		}
		sink127 = x
	})
}

func benchDot[E any](b *testing.B, f field.Field[E], sink *E) {
	const n = 1000
	x, y := randVec(b, f, n, "x"), randVec(b, f, n, "y")
	for b.Loop() {
		*sink = f.Dot(x, y)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/term")
}

func BenchmarkDot(b *testing.B) {
	b.Run("m61/n=1000", func(b *testing.B) { benchDot[field.M61](b, field.F61{}, &sink61) })
	b.Run("m127/n=1000", func(b *testing.B) { benchDot[field.M127](b, field.F127{}, &sink127) })
}

func benchMatMul[E any](b *testing.B, f field.Field[E], rows, cols, vlen int) {
	m := randVec(b, f, rows*cols, "m")
	src := make([][]E, cols)
	for c := range src {
		src[c] = randVec(b, f, vlen, fmt.Sprint("src", c))
	}
	dst := make([][]E, rows)
	for r := range dst {
		dst[r] = make([]E, vlen)
	}
	for b.Loop() {
		f.MatMul(dst, m, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows*cols*vlen), "ns/madd")
}

func BenchmarkMatMul(b *testing.B) {
	for _, d := range [][3]int{{500, 500, 64}, {500, 1000, 1}, {500, 500, 1}, {100, 100, 1000}} {
		name := fmt.Sprintf("%dx%dx%d", d[0], d[1], d[2])
		b.Run("m61/"+name, func(b *testing.B) { benchMatMul[field.M61](b, field.F61{}, d[0], d[1], d[2]) })
		b.Run("m127/"+name, func(b *testing.B) { benchMatMul[field.M127](b, field.F127{}, d[0], d[1], d[2]) })
	}
}

func BenchmarkBatchInv(b *testing.B) {
	const n = 1000
	b.Run("m61/n=1000", func(b *testing.B) {
		var f field.F61
		a, dst := randVec[field.M61](b, f, n, "a"), make([]field.M61, n)
		for b.Loop() {
			_ = f.BatchInv(dst, a)
		}
	})
	b.Run("m127/n=1000", func(b *testing.B) {
		var f field.F127
		a, dst := randVec[field.M127](b, f, n, "a"), make([]field.M127, n)
		for b.Loop() {
			_ = f.BatchInv(dst, a)
		}
	})
}

func BenchmarkPRG(b *testing.B) {
	b.Run("Read/64KiB", func(b *testing.B) {
		g := field.NewPRG([32]byte{}, []byte("bench"))
		buf := make([]byte, 64<<10)
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			_, _ = g.Read(buf)
		}
	})
	b.Run("RandomVec/m61/n=8192", func(b *testing.B) {
		g := field.NewPRG([32]byte{}, []byte("bench"))
		dst := make([]field.M61, 8192)
		b.SetBytes(8 * int64(len(dst)))
		for b.Loop() {
			_ = field.F61{}.RandomVec(g, dst)
		}
	})
	b.Run("RandomVec/m61/n=8192/generic-reader", func(b *testing.B) {
		g := onlyReader{field.NewPRG([32]byte{}, []byte("bench")), 1 << 30}
		dst := make([]field.M61, 8192)
		b.SetBytes(8 * int64(len(dst)))
		for b.Loop() {
			_ = field.F61{}.RandomVec(g, dst)
		}
	})
	b.Run("RandomVec/m127/n=8192", func(b *testing.B) {
		g := field.NewPRG([32]byte{}, []byte("bench"))
		dst := make([]field.M127, 8192)
		b.SetBytes(16 * int64(len(dst)))
		for b.Loop() {
			_ = field.F127{}.RandomVec(g, dst)
		}
	})
	b.Run("New", func(b *testing.B) {
		var r io.Reader
		for b.Loop() {
			r = field.NewPRG([32]byte{}, []byte("session"), field.DomainUint64(1), field.DomainUint64(2))
		}
		_ = r
	})
}

// BenchmarkVecMulInterface measures the cost of the [field.Field] abstraction:
// a vector operation called through the interface costs one dynamic call per
// vector, not per element, so it matches the direct call on long vectors.
func BenchmarkVecMulInterface(b *testing.B) {
	for _, n := range []int{1, 16, 1000} {
		x, y := randVec[field.M61](b, field.F61{}, n, "x"), randVec[field.M61](b, field.F61{}, n, "y")
		dst := make([]field.M61, n)
		b.Run(fmt.Sprintf("direct/n=%d", n), func(b *testing.B) {
			var f field.F61
			for b.Loop() {
				f.VecMul(dst, x, y)
			}
		})
		b.Run(fmt.Sprintf("interface/n=%d", n), func(b *testing.B) {
			f := ifaceF61
			for b.Loop() {
				f.VecMul(dst, x, y)
			}
		})
		b.Run(fmt.Sprintf("generic/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				genericVecMul[field.M61](field.F61{}, dst, x, y)
			}
		})
		b.Run(fmt.Sprintf("scalar-interface/n=%d", n), func(b *testing.B) {
			f := ifaceF61
			for b.Loop() {
				for i := range dst {
					dst[i] = f.Mul(x[i], y[i])
				}
			}
		})
	}
}

// ifaceF61 is a package variable so that calls through it stay dynamic.
var ifaceF61 field.Field[field.M61] = field.F61{}

//go:noinline
func genericVecMul[E any](f field.Field[E], dst, a, b []E) { f.VecMul(dst, a, b) }
