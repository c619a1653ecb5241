package ops_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/leaktest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// tamper is a transport that alters the frames of one step.
type tamper struct {
	cnet.Transport
	step  uint32
	alter func(msg []byte) []byte
}

func (t *tamper) Send(ctx context.Context, to int, msg []byte) error {
	if len(msg) >= ops.FrameHeader && uint32(msg[0]) == t.step {
		msg = t.alter(msg)
	}
	return t.Transport.Send(ctx, to, msg)
}

func TestMisbehavingPeer(t *testing.T) {
	defer leaktest.Check(t)()
	cases := map[string]func([]byte) []byte{
		"short frame":   func(m []byte) []byte { return m[:len(m)-1] },
		"extra element": func(m []byte) []byte { return append(m, make([]byte, 8)...) },
		"garbage":       func(m []byte) []byte { return []byte("garbage") },
		"not canonical": func(m []byte) []byte {
			for i := ops.FrameHeader; i+8 <= len(m); i += 8 {
				binary.LittleEndian.PutUint64(m[i:], ^uint64(0))
			}
			return m
		},
		"wrong step": func(m []byte) []byte {
			m[0] = 99
			return m
		},
		"header only": func(m []byte) []byte { return m[:ops.FrameHeader] },
	}
	for name, alter := range cases {
		for _, n := range []int{3, 4, 7} {
			for _, step := range []uint32{1, 2, 3, 4} { // Input, dealing (n > 3), Mul
				if n == 3 && step == 2 {
					continue // at n = 3, dealing random sharings sends nothing
				}
				t.Run(fmt.Sprintf("%s/n=%d/step=%d", name, n, step), func(t *testing.T) {
					const bad = 2
					wrap := func(id int, tr cnet.Transport) cnet.Transport {
						if id != bad {
							return tr
						}
						return &tamper{Transport: tr, step: step, alter: alter}
					}
					_, errs := runAll(t, f61, n, 1, wrap, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
						x, err := s.Input(ctx, []field.M61{field.M61(s.ID())}, 1)
						if err != nil {
							return nil, err
						}
						p, err := s.Mul(ctx, ops.Concat(x[0], x[1], x[2]), ops.Concat(x[2], x[0], x[1]))
						if err != nil {
							return nil, err
						}
						return s.Open(ctx, p)
					})
					requireTrueBlame(t, errs, bad)
				})
			}
		}
	}
}

// requireTrueBlame checks that every honest party failed, and either names
// the bad party itself or stopped on a report that traces back to an honest
// party that named it; no honest party is ever named as the culprit.
func requireTrueBlame(t *testing.T, errs []error, bad int) {
	t.Helper()
	observed := false
	for i, err := range errs {
		if i+1 == bad {
			continue
		}
		require.Error(t, err, "honest party %d finished", i+1)
		var pe *cnet.PeerError
		var ae *ops.AbortError
		switch {
		case errors.As(err, &ae):
			require.NotEqual(t, bad, ae.Origin, "party %d: the bad party reported itself? %v", i+1, err)
			origin := errs[ae.Origin-1]
			require.True(t, errors.As(origin, &pe) && pe.Party == bad, "party %d relays party %d, which did not name party %d: %v / %v", i+1, ae.Origin, bad, err, origin)
		case errors.As(err, &pe):
			require.Equal(t, bad, pe.Party, "party %d blames an honest party: %v", i+1, err)
			observed = true
		default:
			t.Fatalf("party %d: neither observed nor relayed: %v", i+1, err)
		}
	}
	require.True(t, observed, "no party observed party %d: %v", bad, errs)
}

func TestConfigMismatch(t *testing.T) {
	trs, err := cnet.NewMesh(3)
	require.NoError(t, err)
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	errs := make(chan error, 3)
	for i, tr := range trs {
		go func() {
			opts := ops.Options{}
			if i == 2 {
				opts.ConfigHash[0] = 1
			}
			errs <- setupAndOpen(tr, opts)
		}()
	}
	requireConfigMismatch(t, errs, 3)
}

// setupAndOpen sets a session up and opens a value: a party whose
// neighbours found a configuration mismatch stops at the latest there.
func setupAndOpen(tr cnet.Transport, opts ops.Options) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := ops.NewSession(ctx, f61, tr, opts)
	if err != nil {
		return err
	}
	_, err = s.Open(ctx, s.Const([]field.M61{1}))
	return err
}

// requireConfigMismatch checks that every party failed, naming the
// mismatch or relaying a report of it.
func requireConfigMismatch(t *testing.T, errs chan error, n int) {
	t.Helper()
	found := false
	for range n {
		err := <-errs
		require.Error(t, err)
		var ae *ops.AbortError
		switch {
		case errors.Is(err, ops.ErrConfigMismatch):
			found = true
		case errors.As(err, &ae):
			require.Contains(t, ae.Reason, "different configuration", "%v", err)
		default:
			t.Fatalf("neither a mismatch nor a report of one: %v", err)
		}
	}
	require.True(t, found, "no party found the mismatch itself")
}

func TestBrokenSessionStaysBroken(t *testing.T) {
	_, errs := runAll(t, f61, 3, 1, nil, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Open(cctx, s.Const([]field.M61{1})); err == nil {
			return nil, errors.New("open with a cancelled context succeeded")
		} else if !errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("cancellation reported as %w", err)
		}
		return s.Open(ctx, s.Const([]field.M61{1}))
	})
	for _, err := range errs {
		require.Error(t, err)
	}
}

func TestSessionIDMismatch(t *testing.T) {
	trs, err := cnet.NewMesh(4)
	require.NoError(t, err)
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	errs := make(chan error, 4)
	for i, tr := range trs {
		go func() {
			opts := ops.Options{SessionID: "campaign-A"}
			if i == 1 {
				opts.SessionID = "campaign-B"
			}
			errs <- setupAndOpen(tr, opts)
		}()
	}
	requireConfigMismatch(t, errs, 4)
}

func TestBadArgumentsFailEveryone(t *testing.T) {
	defer leaktest.Check(t)()
	// One party's mistake, even in an argument only it can check (the
	// number of values it inputs), must make every party fail, not hang or
	// go on with wrong data. Negative counts are errors, not panics.
	cases := map[string]func(ctx context.Context, s *ops.Session[field.M61]) error{
		"input length": func(ctx context.Context, s *ops.Session[field.M61]) error {
			vals := []field.M61{1, 2, 3}
			if s.ID() == 1 {
				vals = vals[:2]
			}
			_, err := s.InputFrom(ctx, 1, vals, 3)
			return err
		},
		"negative input count": func(ctx context.Context, s *ops.Session[field.M61]) error {
			_, err := s.InputFrom(ctx, 1, nil, -1)
			return err
		},
		"negative bits": func(ctx context.Context, s *ops.Session[field.M61]) error {
			_, err := s.RandomBits(ctx, -2)
			return err
		},
		"negative random": func(ctx context.Context, s *ops.Session[field.M61]) error {
			_, err := s.Random(ctx, -1)
			return err
		},
		"negative prepare": func(ctx context.Context, s *ops.Session[field.M61]) error {
			return s.Prepare(ctx, ops.Needs{Bits: -1})
		},
		"mul lengths": func(ctx context.Context, s *ops.Session[field.M61]) error {
			_, err := s.Mul(ctx, s.Const([]field.M61{1}), s.Const(nil))
			return err
		},
		"uninitialised value": func(ctx context.Context, s *ops.Session[field.M61]) error {
			_, err := s.Open(ctx, ops.Shares[field.M61]{})
			return err
		},
		"value out of its bound": func(ctx context.Context, s *ops.Session[field.M61]) error {
			x := s.AsInt(s.Const([]field.M61{50}), ops.Bound{Lo: 0, Hi: 10})
			_, err := s.OpenInt(ctx, x)
			return err
		},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			_, errs := runAll(t, f61, 3, 1, nil, func(ctx context.Context, s *ops.Session[field.M61]) (int, error) {
				if err := op(ctx, s); err != nil {
					return 0, err
				}
				// Whoever got through must not be able to go on.
				_, err := s.Open(ctx, s.Const([]field.M61{1}))
				return 0, err
			})
			for i, err := range errs {
				require.Error(t, err, "party %d", i+1)
				require.NotErrorIs(t, err, context.DeadlineExceeded, "party %d hung", i+1)
			}
		})
	}
}

func TestMaxReportsProgress(t *testing.T) {
	trs, err := cnet.NewMesh(3)
	require.NoError(t, err)
	var mu sync.Mutex
	var calls [][2]int
	_, errs := runOnWith(t, f61, trs, func(id int) ops.Options {
		o := ops.Options{}
		if id == 1 {
			o.Progress = func(op string, done, total int) {
				mu.Lock()
				calls = append(calls, [2]int{done, total})
				mu.Unlock()
			}
		}
		return o
	}, func(ctx context.Context, s *ops.Session[field.M61]) (field.M61, error) {
		m, err := s.Max(ctx, s.ConstInt(1, 2, 3, 4, 5))
		return m.Shares().Raw()[0], err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}, calls)
}

// sizer records the largest message a party sends.
type sizer struct {
	cnet.Transport
	mu  sync.Mutex
	max int
}

func (s *sizer) Send(ctx context.Context, to int, msg []byte) error {
	s.mu.Lock()
	s.max = max(s.max, len(msg))
	s.mu.Unlock()
	return s.Transport.Send(ctx, to, msg)
}

func TestLargeBatchesStayUnderTheFrameLimit(t *testing.T) {
	// More values than one king round takes: the round is split, and no
	// message exceeds 1.5 MiB, far below the TCP transport's 4 MiB frames.
	const count = 1<<18 + 1000
	var sizers []*sizer
	wrap := func(_ int, tr cnet.Transport) cnet.Transport {
		s := &sizer{Transport: tr}
		sizers = append(sizers, s)
		return s
	}
	got, errs := runAll(t, f127, 3, 1, wrap, func(ctx context.Context, s *ops.Session[field.M127]) ([]field.M127, error) {
		vals := make([]field.M127, count)
		for i := range vals {
			vals[i] = f127.FromInt64(int64(i))
		}
		x, err := inputAll(ctx, s, vals)
		if err != nil {
			return nil, err
		}
		sq, err := s.Mul(ctx, x, x)
		if err != nil {
			return nil, err
		}
		open, err := s.Open(ctx, sq)
		return open[count-3:], err
	})
	for i, err := range errs {
		require.NoError(t, err, "party %d", i+1)
		want := f127.FromInt64(int64(count-3) * int64(count-3))
		require.Equal(t, want, got[i][0])
	}
	for i, s := range sizers {
		require.Less(t, s.max, 3<<19, "party %d sent a message of %d bytes", i+1, s.max)
	}
}
