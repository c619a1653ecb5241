package share_test

import (
	"fmt"
	"testing"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/share"
)

func BenchmarkDeal(b *testing.B) {
	var f field.F61
	for _, n := range []int{10, 100, 1000} {
		d := (n - 1) / 2
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rnd := field.NewPRG([32]byte{}, []byte("deal"))
			for b.Loop() {
				if _, err := share.Deal[field.M61](f, 7, d, n, rnd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReconstruct(b *testing.B) {
	var f field.F61
	for _, n := range []int{10, 100, 1000} {
		d := (n - 1) / 2
		shares, err := share.Deal[field.M61](f, 7, d, n, field.NewPRG([32]byte{}))
		if err != nil {
			b.Fatal(err)
		}
		pts := make([]int, n)
		for i := range pts {
			pts[i] = i + 1
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := share.Reconstruct(f, pts, shares, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLagrangeMatrix(b *testing.B) {
	from, to := make([]int, 500), make([]int, 500)
	for i := range from {
		from[i], to[i] = i+1, i+501
	}
	b.Run("m61/500x500", func(b *testing.B) {
		for b.Loop() {
			if _, err := share.LagrangeMatrix[field.M61](field.F61{}, from, to); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("m127/500x500", func(b *testing.B) {
		for b.Loop() {
			if _, err := share.LagrangeMatrix[field.M127](field.F127{}, from, to); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDealingApply(b *testing.B) {
	var f field.F61
	const n = 1000
	const d = (n - 1) / 2
	for _, chosen := range []bool{true, false} {
		dl, err := share.CompressedDealing[field.M61](f, n, d, chosen, n)
		if err != nil {
			b.Fatal(err)
		}
		for _, batch := range []int{1, 64} {
			rnd := field.NewPRG([32]byte{}, []byte("apply"))
			vals := make([][]field.M61, len(dl.Fixed))
			for c := range vals {
				vals[c] = make([]field.M61, batch)
				_ = f.RandomVec(rnd, vals[c])
			}
			out := make([][]field.M61, len(dl.Targets))
			for r := range out {
				out[r] = make([]field.M61, batch)
			}
			b.Run(fmt.Sprintf("chosen=%v/n=%d/batch=%d", chosen, n, batch), func(b *testing.B) {
				for b.Loop() {
					dl.Apply(f, out, vals)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(batch), "ns/sharing")
			})
		}
	}
}

func BenchmarkCompressedDealingCached(b *testing.B) {
	var f field.F61
	for b.Loop() {
		if _, err := share.CompressedDealing[field.M61](f, 1000, 499, true, 1000); err != nil {
			b.Fatal(err)
		}
	}
}
