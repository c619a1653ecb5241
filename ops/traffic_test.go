package ops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/ops"
)

// model is DESIGN's cost model: elements sent per operation, summed over
// all parties, preprocessing included.
type model struct{ n, t float64 }

func newModel(n int) model { return model{float64(n), float64((n - 1) / 2)} }

func (m model) random() float64 { return m.n * (m.n - m.t - 2) / (m.n - m.t) }
func (m model) zero() float64   { return m.n * max(m.n-2*m.t-1, 0) / (m.n - m.t) }
func (m model) input() float64  { return m.n - m.t - 1 }
func (m model) open() float64   { return m.t + m.n - 1 }
func (m model) open2t() float64 { return m.zero() + 2*m.t + m.n - 1 }
func (m model) mul() float64    { return m.random() + m.zero() + 2*m.t + m.n - m.t - 1 }
func (m model) bit() float64    { return m.random() + m.open2t() }

func (m model) ltz(k int, summedMask bool) float64 {
	return float64(k)*m.bit() + m.mask(k, summedMask) + m.random() + m.open() + float64(k-1)*m.mul() + m.open2t()
}

func TestModelMatchesDesignTable(t *testing.T) {
	// DESIGN §8: elements per multiplication and per LTZ (k = 14).
	for _, c := range []struct {
		n        int
		mul, ltz float64
	}{{3, 3, 104}, {10, 21, 695}, {50, 121, 4448}, {100, 246, 10272}} {
		m := newModel(c.n)
		require.InDelta(t, c.mul, m.mul(), 1, "n=%d mul", c.n)
		require.InDelta(t, c.ltz, m.ltz(14, true), 1, "n=%d ltz", c.n)
	}
}

func (m model) mask(k int, summed bool) float64 {
	if summed {
		return (m.t + 1) * (m.n - m.t - 1)
	}
	return (ops.Kappa + 1) * m.bit()
}

func (m model) eqz(k int, summed bool) float64 {
	return float64(k)*m.bit() + m.mask(k+1, summed) + float64(k-2)*m.mul() + m.open()
}

func (m model) divPow2(K, mm int) float64 {
	return float64(mm+1+K-mm+ops.Kappa)*m.bit() + m.random() + m.open() + float64(mm)*m.mul() + m.open2t()
}

func (m model) max(c, k int, summed bool) float64 {
	return float64(c-1)*m.ltz(k, summed) + float64(c-2)*m.mul() + float64(c-1-c/2)*(m.t+m.zero())
}

// measure runs op on every party after inputs (values i mod 100) are dealt
// and returns the elements sent by all parties during op: bytes sent less
// the 4-byte header of each frame, over the element size.
func measure(t *testing.T, n int, op func(ctx context.Context, s *ops.Session[field.M61], x ops.Int[field.M61]) error, inputs int) float64 {
	t.Helper()
	sent := run(t, f61, n, 5, func(ctx context.Context, s *ops.Session[field.M61]) (int64, error) {
		vals := make([]int64, inputs)
		for i := range vals {
			vals[i] = int64(i % 100)
		}
		x, err := inputInts(ctx, s, vals, ops.Bound{Lo: 0, Hi: 99})
		if err != nil {
			return 0, err
		}
		before := s.Stats()
		if err := op(ctx, s, x); err != nil {
			return 0, err
		}
		after := s.Stats()
		return (after.BytesSent - before.BytesSent) - ops.FrameHeader*(after.MsgsSent-before.MsgsSent), nil
	})
	var total int64
	for _, b := range sent {
		total += b
	}
	return float64(total) / 8
}

func TestTrafficMatchesModel(t *testing.T) {
	counts := []int{3, 10, 51}
	if testing.Short() {
		counts = []int{3, 10, 21}
	}
	type sess = ops.Session[field.M61]
	type val = ops.Int[field.M61]
	k14 := ops.Bound{Lo: -1 << 13, Hi: 1<<13 - 1}
	for _, n := range counts {
		m := newModel(n)
		const batch = 200
		summed := n < 120
		cases := []struct {
			name string
			want float64 // elements per value
			per  int     // values per call
			op   func(ctx context.Context, s *sess, x val) error
		}{
			{"Input", m.input(), n, func(ctx context.Context, s *sess, _ val) error {
				_, err := s.Input(ctx, []field.M61{1}, 1)
				return err
			}},
			{"Open", m.open(), batch, func(ctx context.Context, s *sess, x val) error {
				_, err := s.Open(ctx, x.Shares())
				return err
			}},
			{"Open2T", m.open2t(), batch, func(ctx context.Context, s *sess, x val) error {
				_, err := s.Open(ctx, x.Shares().MulLocal(x.Shares()))
				return err
			}},
			{"OpenTo", m.t, batch, func(ctx context.Context, s *sess, x val) error {
				_, err := s.OpenTo(ctx, x.Shares(), 2)
				return err
			}},
			{"Mul", m.mul(), batch, func(ctx context.Context, s *sess, x val) error {
				_, err := s.Mul(ctx, x.Shares(), x.Shares())
				return err
			}},
			{"Select", m.mul(), batch, func(ctx context.Context, s *sess, x val) error {
				c := s.AsInt(s.Const(make([]field.M61, batch)), ops.Bound{Lo: 0, Hi: 1})
				_, err := s.Select(ctx, c, x, x.AddConst(1))
				return err
			}},
			{"RandomBits", m.bit(), batch, func(ctx context.Context, s *sess, _ val) error {
				_, err := s.RandomBits(ctx, batch)
				return err
			}},
			{"ZeroTest", m.random() + m.open2t(), batch, func(ctx context.Context, s *sess, x val) error {
				_, err := s.ZeroTest(ctx, x.Shares())
				return err
			}},
			{"LTZ14", m.ltz(14, summed), 50, func(ctx context.Context, s *sess, x val) error {
				_, err := s.LTZ(ctx, s.AsInt(x.Slice(0, 50).Shares(), k14))
				return err
			}},
			{"EQZ14", m.eqz(14, summed), 50, func(ctx context.Context, s *sess, x val) error {
				_, err := s.EQZ(ctx, s.AsInt(x.Slice(0, 50).Shares(), k14))
				return err
			}},
			{"DivPow2", m.divPow2(8, 3), 50, func(ctx context.Context, s *sess, x val) error {
				_, err := s.DivPow2(ctx, x.Slice(0, 50), 3)
				return err
			}},
			{"Max32", m.max(32, 8, summed), 1, func(ctx context.Context, s *sess, x val) error {
				_, err := s.Max(ctx, x.Slice(0, 32))
				return err
			}},
			{"ArgMax32", m.max(32, 8, summed) + 30*m.mul(), 1, func(ctx context.Context, s *sess, x val) error {
				_, _, err := s.ArgMax(ctx, x.Slice(0, 32))
				return err
			}},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("n=%d/%s", n, c.name), func(t *testing.T) {
				got := measure(t, n, c.op, batch) / float64(c.per)
				t.Logf("n=%d %s: %.1f elements per value, model %.1f", n, c.name, got, c.want)
				require.InEpsilon(t, c.want, got, 0.2)
			})
		}
	}
}

// measurePrepared runs op on every party after Prepare of need and returns
// the elements sent by all parties during op alone (preprocessing
// excluded).
func measurePrepared(t *testing.T, n int, need func(s *ops.Session[field.M61]) ops.Needs, op func(ctx context.Context, s *ops.Session[field.M61]) error) float64 {
	t.Helper()
	sent := run(t, f61, n, 5, func(ctx context.Context, s *ops.Session[field.M61]) (int64, error) {
		if err := s.Prepare(ctx, need(s)); err != nil {
			return 0, err
		}
		before := s.Stats()
		if err := op(ctx, s); err != nil {
			return 0, err
		}
		after := s.Stats()
		return (after.BytesSent - before.BytesSent) - ops.FrameHeader*(after.MsgsSent-before.MsgsSent), nil
	})
	var total int64
	for _, b := range sent {
		total += b
	}
	return float64(total) / 8
}

func TestOwnersTrafficMatchesModel(t *testing.T) {
	// Online traffic of the searches answered by owners, against the model
	// of the package doc with the preprocessing prepared beforehand: per
	// step, every party deals its answers (N − T − 1 elements each) and the
	// zero tests open re-randomised degree-2T products (2T + N − 1 and a
	// sharing of zero each) or the comparisons run (LTZ less its random
	// values, and the opening of the results). Exact, since nothing is
	// amortised.
	type sess = ops.Session[field.M61]
	for _, n := range []int{3, 10, 25, 50} {
		m := newModel(n)
		nf := float64(n)
		const k = 14
		open2t := 2*m.t + m.n - 1 // the sharing of zero is prepared
		ltzOnline := func(kk int) float64 { return m.open() + float64(kk-1)*m.zeroMul() + open2t }
		kb := ops.Bound{Lo: int64(-n), Hi: int64(n)}.Bits()
		cases := []struct {
			name string
			want float64
			need func(s *sess) ops.Needs
			op   func(ctx context.Context, s *sess) error
		}{
			{"MaxByOwners", k * (nf*m.input() + open2t),
				func(*sess) ops.Needs { return ops.NeedsMaxByOwners(k, 0, 1) },
				func(ctx context.Context, s *sess) error {
					_, err := s.MaxByOwners(ctx, int64(s.ID()), k, ops.MaxByOwnersOptions[field.M61]{})
					return err
				}},
			{"MaxByOwners/step=2", 7 * 3 * (nf*m.input() + open2t),
				func(*sess) ops.Needs { return ops.NeedsMaxByOwners(k, 0, 2) },
				func(ctx context.Context, s *sess) error {
					_, err := s.MaxByOwners(ctx, int64(s.ID()), k, ops.MaxByOwnersOptions[field.M61]{Step: 2})
					return err
				}},
			{"MaxByOwners/top=4", 4 * (nf*m.input() + open2t),
				func(*sess) ops.Needs { return ops.NeedsMaxByOwners(k, 4, 1) },
				func(ctx context.Context, s *sess) error {
					_, err := s.MaxByOwners(ctx, int64(s.ID()), k, ops.MaxByOwnersOptions[field.M61]{Top: 4})
					return err
				}},
			{"NthLargestByOwners/3 ranks", k * 3 * (nf*m.input() + ltzOnline(kb) + m.open()),
				func(s *sess) ops.Needs { return ops.NeedsNthLargestByOwners(s.N(), k, 3) },
				func(ctx context.Context, s *sess) error {
					_, err := s.NthLargestByOwners(ctx, int64(s.ID()), k, []int{1, 2, 3})
					return err
				}},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("n=%d/%s", n, c.name), func(t *testing.T) {
				got := measurePrepared(t, n, c.need, c.op)
				t.Logf("n=%d %s: %.0f elements, model %.0f", n, c.name, got, c.want)
				require.InEpsilon(t, c.want, got, 0.02)
			})
		}
	}
}

// zeroMul is the online cost of a multiplication with a prepared double
// sharing: 2T shares to the king and its re-dealing.
func (m model) zeroMul() float64 { return 2*m.t + m.n - m.t - 1 }
