package ops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/ops"
)

// TestMaliciousNeedsAreDeclared: after Prepare of the declared needs, an
// authenticating session generates nothing on demand (no hidden rounds).
func TestMaliciousNeedsAreDeclared(t *testing.T) {
	b := ops.Bound{Lo: 0, Hi: 9900}
	type proto struct {
		need func() ops.Needs
		run  func(ctx context.Context, s *ops.Session[field.M61], x ops.Int[field.M61]) error
	}
	cases := map[string]proto{
		"Mul": {func() ops.Needs { return ops.NeedsMul(7).Add(ops.Needs{Verify: 1}) }, func(ctx context.Context, s *ops.Session[field.M61], x ops.Int[field.M61]) error {
			y, err := s.MulInt(ctx, x, x)
			if err == nil {
				_, err = s.OpenInt(ctx, y)
			}
			return err
		}},
		"LessThan": {func() ops.Needs { return ops.NeedsLessThan(7, b, b).Add(ops.Needs{Verify: 1}) }, func(ctx context.Context, s *ops.Session[field.M61], x ops.Int[field.M61]) error {
			lt, err := s.LessThan(ctx, x, x.AddConst(1))
			if err == nil {
				_, err = s.OpenInt(ctx, lt)
			}
			return err
		}},
		"InputBits+MaxOfBits": {func() ops.Needs {
			return ops.NeedsMaxOfBits(7, 3).Add(ops.NeedsInputBits(7, 21)).Add(ops.Needs{Verify: 1})
		}, func(ctx context.Context, s *ops.Session[field.M61], _ ops.Int[field.M61]) error {
			mine := []int64{5, 2, 7, 0, 1, 3, 6}
			bits, err := s.InputBits(ctx, mine, widths(3))
			if err != nil {
				return err
			}
			_, err = s.MaxOfBits(ctx, bits[0], 3)
			return err
		}},
	}
	for name, c := range cases {
		for _, n := range []int{3, 4, 7} {
			if name == "InputBits+MaxOfBits" && n != 7 {
				continue // seven parties deal the seven values
			}
			t.Run(fmt.Sprintf("%s/n=%d", name, n), func(t *testing.T) {
				got := runSec(t, f61, n, 3, ops.Malicious, func(ctx context.Context, s *ops.Session[field.M61]) (int, error) {
					x, err := inputInts(ctx, s, []int64{5, 900, 13, 900, 77, 0, 9899}, b)
					if err != nil {
						return 0, err
					}
					if err := s.Prepare(ctx, c.need()); err != nil {
						return 0, err
					}
					before := s.Refills()
					if err := c.run(ctx, s, x); err != nil {
						return 0, err
					}
					return s.Refills() - before, nil
				})
				for p, r := range got {
					require.Zero(t, r, "party %d generated randomness on demand %d times", p+1, r)
				}
			})
		}
	}
}

// widths is k for each of seven values.
func widths(k int) []int {
	w := make([]int, 7)
	for i := range w {
		w[i] = k
	}
	return w
}
