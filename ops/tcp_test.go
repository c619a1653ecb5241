package ops_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/internal/tcptest"
	"github.com/cohortmpc/cohort/ops"
)

// TestOverTCP runs input, opening, multiplication, comparison and maximum
// over real loopback TCP with mutual TLS.
func TestOverTCP(t *testing.T) {
	defer leaktest.Check(t)()
	for _, n := range []int{3, 4, 5} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			trs, err := tcptest.Mesh(context.Background(), n, 10*time.Second)
			require.NoError(t, err)
			x := []int64{-300, 17, 0, 4095, -4096, 12, 12}
			got, errs := runOn(t, f61, trs, 9, nil, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
				xs, err := inputInts(ctx, s, x, ops.Bound{Lo: -4096, Hi: 4095})
				if err != nil {
					return nil, err
				}
				sq, err := s.MulInt(ctx, xs, xs)
				if err != nil {
					return nil, err
				}
				lt, err := s.LTZ(ctx, xs)
				if err != nil {
					return nil, err
				}
				m, err := s.Max(ctx, xs)
				if err != nil {
					return nil, err
				}
				return s.OpenInt(ctx, ops.ConcatInts(sq, lt, m))
			})
			for p, err := range errs {
				require.NoError(t, err, "party %d", p+1)
			}
			var want []int64
			for _, v := range x {
				want = append(want, v*v)
			}
			want = append(append(want, ltzOracle(x)...), 4095)
			for p := range n {
				require.Equal(t, want, got[p], "party %d", p+1)
			}
		})
	}
}
