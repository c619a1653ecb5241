package ops_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/internal/tcptest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// rolesOutcome is what one party of a roles run ends with.
type rolesOutcome struct {
	sum, max  int64 // opened to every compute party
	private   []int64
	sentBytes int64
}

// runRoles runs a computation on trs where only the parties compute take
// part in the protocols: every party inputs values[id−1] (in [0, 1000]);
// the compute parties open the sum and the maximum to all of them, and the
// pair (max, sum) to party receiver only.
func runRoles(t *testing.T, trs []cnet.Transport, compute []int, values []int64, receiver int) []rolesOutcome {
	t.Helper()
	n := len(trs)
	out := make([]rolesOutcome, n)
	errs := make([]error, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range trs {
		wg.Go(func() {
			defer trs[i].Close()
			id := i + 1
			s, err := ops.NewSession(ctx, f61, trs[i], ops.Options{SessionID: "roles", Compute: compute, Rand: newSeeded(3, id)})
			if err != nil {
				errs[i] = err
				return
			}
			in, err := s.InputInt(ctx, []int64{values[i]}, 1, ops.Bound{Lo: 0, Hi: 1000})
			if err != nil {
				errs[i] = err
				return
			}
			if !s.Computes() {
				if in != nil {
					errs[i] = errors.New("an input party got shares back")
					return
				}
				if id == receiver {
					v, err := s.Receive(ctx, 2)
					if err != nil {
						errs[i] = err
						return
					}
					out[i].private = signed(t, f61, v)
				}
				out[i].sentBytes = s.Stats().BytesSent
				return
			}
			all := ops.ColumnInt(in, 0)
			m, err := s.Max(ctx, all)
			if err != nil {
				errs[i] = err
				return
			}
			both := ops.ConcatInts(m, all.Sum())
			opened, err := s.OpenInt(ctx, both)
			if err != nil {
				errs[i] = err
				return
			}
			out[i].max, out[i].sum = opened[0], opened[1]
			priv, err := s.OpenIntTo(ctx, both, receiver)
			errs[i] = err
			out[i].private = priv
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "party %d", i+1)
	}
	return out
}

func TestInputPartiesDealAndLeave(t *testing.T) {
	defer leaktest.Check(t)()
	rapid.Check(t, func(rt *rapid.T) {
		total := rapid.IntRange(4, 9).Draw(rt, "parties")
		ids := make([]int, total)
		for i := range ids {
			ids[i] = i + 1
		}
		perm := rapid.Permutation(ids).Draw(rt, "order")
		m := rapid.IntRange(3, total).Draw(rt, "compute")
		compute := slices.Clone(perm[:m])
		values := rapid.SliceOfN(rapid.Int64Range(0, 1000), total, total).Draw(rt, "values")
		receiver := rapid.SampledFrom(ids).Draw(rt, "receiver")
		trs, err := cnet.NewMesh(total)
		require.NoError(t, err)
		got := runRoles(t, trs, compute, values, receiver)
		var sum, mx int64
		for _, v := range values {
			sum += v
			mx = max(mx, v)
		}
		for i, o := range got {
			id := i + 1
			if slices.Contains(compute, id) {
				require.Equal(t, [2]int64{sum, mx}, [2]int64{o.sum, o.max}, "compute party %d", id)
			} else {
				require.Positive(t, o.sentBytes, "input party %d sent nothing", id)
			}
			if id == receiver {
				require.Equal(t, []int64{mx, sum}, o.private, "receiver %d", id)
			} else {
				require.Nil(t, o.private, "party %d got the private output", id)
			}
		}
	})
}

func TestRolesOverTCP(t *testing.T) {
	defer leaktest.Check(t)()
	trs, err := tcptest.Mesh(context.Background(), 6, 10*time.Second)
	require.NoError(t, err)
	values := []int64{10, 700, 30, 999, 0, 5}
	got := runRoles(t, trs, []int{2, 4, 5, 6}, values, 1)
	require.Equal(t, []int64{999, 1744}, got[0].private)
	require.Equal(t, int64(1744), got[1].sum)
}

func TestRolesMisuse(t *testing.T) {
	trs, err := cnet.NewMesh(4)
	require.NoError(t, err)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range trs {
		wg.Go(func() {
			defer trs[i].Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := ops.NewSession(ctx, f61, trs[i], ops.Options{Compute: []int{1, 2, 3}})
			if err != nil {
				errs[i] = err
				return
			}
			if s.Computes() {
				_, errs[i] = s.Receive(ctx, 1)
			} else {
				_, errs[i] = s.Mul(ctx, s.Const([]field.M61{1}), s.Const([]field.M61{2}))
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.Error(t, err, "party %d", i+1)
	}
	require.ErrorContains(t, errs[3], "input party and does not compute")
	require.ErrorIs(t, errs[0], ops.ErrMisuse)
}

func TestComputePartiesValidated(t *testing.T) {
	for _, c := range [][]int{{1, 2}, {1, 2, 2}, {0, 1, 2}, {1, 2, 5}} {
		trs, err := cnet.NewMesh(4)
		require.NoError(t, err)
		_, err = ops.NewSession(context.Background(), f61, trs[0], ops.Options{Compute: c})
		require.Error(t, err, fmt.Sprint(c))
		for _, tr := range trs {
			tr.Close()
		}
	}
}
