package ops_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// twoSessions gives each of three parties two sessions over two meshes and
// runs fn for each party.
func twoSessions(t *testing.T, fn func(a, b *ops.Session[field.M61]) error) []error {
	t.Helper()
	ma, err := cnet.NewMesh(3)
	require.NoError(t, err)
	mb, err := cnet.NewMesh(3)
	require.NoError(t, err)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			defer ma[i].Close()
			defer mb[i].Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a, err := ops.NewSession(ctx, f61, ma[i], ops.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			b, err := ops.NewSession(ctx, f61, mb[i], ops.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = fn(a, b)
		})
	}
	wg.Wait()
	return errs
}

func TestMisuseIsAnErrorNotAPanic(t *testing.T) {
	errs := twoSessions(t, func(a, b *ops.Session[field.M61]) error {
		x := a.Const([]field.M61{1, 2})
		y := b.Const([]field.M61{3, 4})
		bits := a.AsInt(a.Const([]field.M61{0, 1}), ops.Bound{Lo: 0, Hi: 1})
		ints := a.ConstInt(7, 8)
		cases := map[string]error{
			"zero Shares":            ops.Shares[field.M61]{}.Err(),
			"zero Shares added":      ops.Shares[field.M61]{}.Add(x).Err(),
			"zero Int":               ops.Int[field.M61]{}.Add(ints).Err(),
			"two sessions":           x.Add(y).Err(),
			"two sessions concat":    ops.Concat(x, y).Err(),
			"lengths":                x.Add(x.Slice(0, 1)).Err(),
			"slice out of range":     x.Slice(1, 3).Err(),
			"pick out of range":      x.Pick(2).Err(),
			"negative repeat":        x.Repeat(-1).Err(),
			"degree 4T":              x.MulLocal(x).MulLocal(x).Err(),
			"degree 4T, other side":  x.MulLocal(x.MulLocal(x)).Err(),
			"AddConsts lengths":      x.AddConsts([]field.M61{1}).Err(),
			"bound beyond the field": a.AsInt(x, ops.Bound{Lo: 0, Hi: 1 << 61}).Err(),
			"empty bound":            a.AsInt(x, ops.Bound{Lo: 2, Hi: 1}).Err(),
			"int64 overflow":         a.AsInt(x, ops.Bound{Lo: 0, Hi: 1 << 59}).Scale(1 << 10).Err(),
			"int64 overflow neg":     a.AsInt(x, ops.Bound{Lo: math.MinInt64, Hi: 0}).Neg().Err(),
			"Not of non-bits":        ints.Not().Err(),
			"error carried on":       ints.Not().AddConst(1).Scale(2).Sum().Err(),
			"bits stay bits":         bits.Not().Not().Err(),
			"Concat of nothing":      ops.Concat[field.M61]().Err(),
		}
		for name, err := range cases {
			switch {
			case name == "bits stay bits":
				if err != nil {
					return err
				}
			case err == nil:
				t.Errorf("%s: no error", name)
			case name != "zero Shares" && name != "zero Shares added" && name != "zero Int":
				require.ErrorIs(t, err, ops.ErrMisuse, name)
			}
		}
		// An operation of the session that receives an invalid value fails,
		// and with it the session, at every party alike.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := a.Open(ctx, x.Add(y)); err == nil {
			t.Error("Open of an invalid value succeeded")
		}
		if _, err := b.Open(ctx, x); err == nil {
			t.Error("Open of another session's values succeeded")
		}
		if a.Err() == nil || b.Err() == nil {
			t.Error("the sessions are not broken")
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
}
