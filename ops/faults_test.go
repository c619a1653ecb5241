package ops_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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
