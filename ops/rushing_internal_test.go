package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/share"
)

// A rushing adversary: the last party adds 1 to one element of the message
// it sends in step errStep (an additive error in a product or an opening,
// which the MAC check of the next verification must find), and in every
// step listed in rush — the all-to-all rounds that carry two elements per
// peer, the shares of a verification's check values — it first receives
// what every other party sent in that step, then replaces the first element
// of its own messages by the share that makes the n shares interpolate to
// zero at degree n − 1. Without a commitment to the shares before they are
// opened, that share makes the check of an odd number of parties pass
// whatever the error.
type rusher struct {
	cnet.Transport
	n       int
	errStep byte
	rush    map[byte]bool

	mu      sync.Mutex
	errDone bool
	swapped map[byte]field.M61 // the share chosen in each rushed step
	held    map[int][][]byte   // messages received ahead, by sender
}

func (r *rusher) Send(ctx context.Context, to int, msg []byte) error {
	f := field.F61{}
	step := msg[0]
	r.mu.Lock()
	defer r.mu.Unlock()
	msg = append([]byte(nil), msg...)
	if step == r.errStep && !r.errDone && len(msg) >= FrameHeader+8 {
		r.errDone = true
		var v [1]field.M61
		if err := f.Decode(v[:], msg[FrameHeader:FrameHeader+8]); err != nil {
			return err
		}
		v[0] = f.Add(v[0], f.One())
		copy(msg[FrameHeader:], f.AppendEncode(nil, v[:]))
	}
	if r.rush[step] {
		share, ok := r.swapped[step]
		if !ok {
			var err error
			if share, err = r.choose(ctx, step, msg); err != nil {
				return err
			}
			r.swapped[step] = share
		}
		copy(msg[FrameHeader:], f.AppendEncode(nil, []field.M61{share}))
	}
	return r.Transport.Send(ctx, to, msg)
}

// choose receives every other party's message of step and returns the
// share that, with theirs, interpolates to zero.
func (r *rusher) choose(ctx context.Context, step byte, mine []byte) (field.M61, error) {
	f := field.F61{}
	me := r.ID()
	shares := make([]field.M61, r.n)
	for id := 1; id <= r.n; id++ {
		var v [1]field.M61
		body := mine
		if id != me {
			msg, err := r.Transport.Recv(ctx, id)
			if err != nil {
				return 0, err
			}
			r.held[id] = append(r.held[id], msg)
			if msg[0] != step {
				return 0, fmt.Errorf("party %d sent step %d during step %d", id, msg[0], step)
			}
			body = msg
		}
		if err := f.Decode(v[:], body[FrameHeader:FrameHeader+8]); err != nil {
			return 0, err
		}
		shares[id-1] = v[0]
	}
	points := make([]int, r.n)
	for i := range points {
		points[i] = i + 1
	}
	lambda, err := share.LagrangeCoefficients[field.M61](f, points, 0)
	if err != nil {
		return 0, err
	}
	rest := f.Zero()
	for id := 1; id <= r.n; id++ {
		if id != me {
			rest = f.Add(rest, f.Mul(lambda[id-1], shares[id-1]))
		}
	}
	inv, _ := f.Inv(lambda[me-1])
	return f.Neg(f.Mul(rest, inv)), nil
}

func (r *rusher) Recv(ctx context.Context, from int) ([]byte, error) {
	r.mu.Lock()
	if q := r.held[from]; len(q) > 0 {
		r.held[from] = q[1:]
		r.mu.Unlock()
		return q[0], nil
	}
	r.mu.Unlock()
	return r.Transport.Recv(ctx, from)
}

// surveyor records, by step, how many peers a party sent to and the sizes
// of its messages.
type surveyor struct {
	cnet.Transport
	mu    sync.Mutex
	peers map[byte]int
	sizes map[byte]map[int]bool
	order []byte
}

func (s *surveyor) Send(ctx context.Context, to int, msg []byte) error {
	s.mu.Lock()
	step := msg[0]
	if _, ok := s.peers[step]; !ok {
		s.order = append(s.order, step)
		s.sizes[step] = map[int]bool{}
	}
	s.peers[step]++
	s.sizes[step][len(msg)] = true
	s.mu.Unlock()
	return s.Transport.Send(ctx, to, msg)
}

// The verification's check values resist a rushing adversary: a product of
// two inputs, opened, with the last party adding an error at every step in
// turn and choosing its shares of every verification's check values after
// seeing the others'. No honest party may output a wrong product.
func TestRushingAdversaryIsCaught(t *testing.T) {
	f := field.F61{}
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			product := func(ctx context.Context, s *Session[field.M61]) (field.M61, error) {
				in, err := s.Input(ctx, []field.M61{f.FromUint64(uint64(s.ID() + 1))}, 1)
				if err != nil {
					return 0, err
				}
				p, err := s.Mul(ctx, in[0], in[1])
				if err != nil {
					return 0, err
				}
				v, err := s.Open(ctx, p)
				if err != nil {
					return 0, err
				}
				return v[0], nil
			}
			want := f.FromUint64(2 * 3)
			opts := func(id int) Options { return Options{SessionID: "test", Security: Malicious} }
			// Survey the steps of an honest run.
			trs, err := cnet.NewMesh(n)
			require.NoError(t, err)
			sv := &surveyor{Transport: trs[n-1], peers: map[byte]int{}, sizes: map[byte]map[int]bool{}}
			trs[n-1] = sv
			res, errs := runRushed(t, trs, opts, product)
			for i := range n {
				require.NoError(t, errs[i])
				require.Equal(t, want, res[i])
			}
			rush := map[byte]bool{}
			for _, step := range sv.order {
				if sv.peers[step] == n-1 && len(sv.sizes[step]) == 1 && sv.sizes[step][FrameHeader+16] {
					rush[step] = true
				}
			}
			require.NotEmpty(t, rush, "no verification found")
			caught, blamed := 0, 0
			for _, errStep := range sv.order {
				if rush[errStep] {
					continue
				}
				trs, err := cnet.NewMesh(n)
				require.NoError(t, err)
				trs[n-1] = &rusher{Transport: trs[n-1], n: n, errStep: errStep, rush: rush,
					swapped: map[byte]field.M61{}, held: map[int][][]byte{}}
				res, errs := runRushed(t, trs, opts, product)
				failed := 0
				for i := range n - 1 {
					if errs[i] != nil {
						failed++
						var pe *cnet.PeerError
						if errors.As(errs[i], &pe) && pe.Party == n && strings.Contains(pe.Error(), "committed") {
							blamed++
						}
						continue
					}
					require.Equal(t, want, res[i], "step %d: party %d output a wrong product", errStep, i+1)
				}
				if failed == n-1 {
					caught++
				}
			}
			require.Positive(t, caught, "no error was caught at all")
			require.Positive(t, blamed, "no honest party named the party that changed its shares")
		})
	}
}

// runRushed runs fn at every party over trs, which it closes; the last
// party's session goes on after a failed MAC check, as a corrupt party's
// would.
func runRushed[R any](t *testing.T, trs []cnet.Transport, opts func(id int) Options, fn func(ctx context.Context, s *Session[field.M61]) (R, error)) ([]R, []error) {
	t.Helper()
	n := len(trs)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res := make([]R, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer trs[i].Close()
			s, err := NewSession(ctx, field.F61{}, trs[i], opts(i+1))
			if err != nil {
				errs[i] = err
				return
			}
			if m, ok := s.eng.(*malicious[field.M61]); ok && i == n-1 {
				m.ignoreMACCheck = true
			}
			res[i], errs[i] = fn(ctx, s)
		})
	}
	wg.Wait()
	return res, errs
}
