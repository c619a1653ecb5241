package ops_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

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
	if len(msg) >= 4 && binary.LittleEndian.Uint32(msg) == t.step {
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
			for i := 4; i+8 <= len(m); i += 8 {
				binary.LittleEndian.PutUint64(m[i:], ^uint64(0))
			}
			return m
		},
		"wrong step": func(m []byte) []byte {
			binary.LittleEndian.PutUint32(m, 99)
			return m
		},
		"header only": func(m []byte) []byte { return m[:4] },
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
						p, err := s.Mul(ctx, []field.M61{x[0][0], x[1][0], x[2][0]}, []field.M61{x[2][0], x[0][0], x[1][0]})
						if err != nil {
							return nil, err
						}
						return s.Open(ctx, p)
					})
					sawBad := false
					for i, err := range errs {
						if i+1 == bad {
							continue
						}
						require.Error(t, err, "honest party %d finished", i+1)
						var pe *cnet.PeerError
						require.True(t, errors.As(err, &pe), "party %d: %v", i+1, err)
						if pe.Party == bad && !errors.Is(err, ops.ErrPeerAborted) {
							sawBad = true
						}
					}
					require.True(t, sawBad, "no party blamed party %d: %v", bad, errs)
				})
			}
		}
	}
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
			_, err := ops.NewSession(context.Background(), f61, tr, opts)
			errs <- err
		}()
	}
	for range 3 {
		err := <-errs
		require.Error(t, err)
		require.True(t, errors.Is(err, ops.ErrConfigMismatch) || errors.Is(err, ops.ErrPeerAborted), "%v", err)
	}
}

func TestBrokenSessionStaysBroken(t *testing.T) {
	_, errs := runAll(t, f61, 3, 1, nil, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Open(cctx, []field.M61{1}); err == nil {
			return nil, errors.New("open with a cancelled context succeeded")
		}
		return s.Open(ctx, []field.M61{1})
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
			_, err := ops.NewSession(context.Background(), f61, tr, opts)
			errs <- err
		}()
	}
	for range 4 {
		err := <-errs
		require.Error(t, err)
		require.True(t, errors.Is(err, ops.ErrConfigMismatch) || errors.Is(err, ops.ErrPeerAborted), "%v", err)
	}
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
			_, err := s.Mul(ctx, []field.M61{1}, nil)
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
				_, err := s.Open(ctx, []field.M61{1})
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
		return s.Max(ctx, []field.M61{1, 2, 3, 4, 5}, 8)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}, calls)
}
