package ops

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/canon"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/share"
)

// MaxParties is the largest number of parties a session supports (party ids
// are 16 bits wide in PRG domains).
const MaxParties = 1<<16 - 1

// Options configure a [Session]. The zero value is usable.
type Options struct {
	// SessionID separates the randomness of different sessions among the same
	// parties with the same seeds. All parties must use the same value.
	SessionID string
	// ConfigHash is a digest of whatever public configuration the parties
	// must agree on. NewSession compares it with every peer and fails, naming
	// the peer, when they differ.
	ConfigHash [32]byte
	// Compute lists the transport ids of the compute parties, which hold
	// shares and run the protocols. Nil means every party of the transport
	// computes (all-party mode). The other parties are input parties: they
	// deal their inputs to the compute parties ([Session.Input]) and may
	// receive values opened to them ([Session.OpenTo], [Session.Receive]),
	// and take part in nothing else. At least 3 parties must compute. All
	// parties must pass the same list.
	Compute []int
	// Rand is the source of this party's private randomness (pairwise seeds
	// and locally chosen values). Nil means crypto/rand. Tests may inject a
	// seeded source; deployments must not.
	Rand io.Reader
	// Progress, when set, is called by long operations (Max) when they start
	// and after each of their steps, with how many of the total are done
	// (total may be 0). It must be fast.
	Progress func(op string, done, total int)
	// Security chooses the adversary the session withstands: SemiHonest
	// (the default) or Malicious. All parties must choose the same.
	Security Security
}

// Security is the adversary model of a session.
type Security int

const (
	// SemiHonest: corrupt parties follow the protocol but pool what they
	// see; they learn nothing beyond their inputs and the outputs. A party
	// that deviates can change the result.
	SemiHonest Security = iota
	// Malicious (with abort): corrupt parties may deviate arbitrarily.
	// Every value carries a MAC under a secret key, every opened value and
	// product is verified before any value that is not uniformly masked is
	// opened, and every dealt sharing is checked for consistency. An honest
	// party either gets the correct result or stops with an error
	// ([ErrCheck] when a verification fails); cheating reveals nothing.
	Malicious
)

func (m Security) String() string {
	switch m {
	case SemiHonest:
		return "semi-honest"
	case Malicious:
		return "malicious"
	}
	return fmt.Sprintf("Security(%d)", int(m))
}

// MarshalText encodes m by its name, "semi-honest" or "malicious".
func (m Security) MarshalText() ([]byte, error) {
	if m != SemiHonest && m != Malicious {
		return nil, fmt.Errorf("ops: unknown security %d", int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes a name that MarshalText encodes.
func (m *Security) UnmarshalText(b []byte) error {
	switch string(b) {
	case "semi-honest":
		*m = SemiHonest
	case "malicious":
		*m = Malicious
	default:
		return fmt.Errorf("ops: unknown security %q (want \"semi-honest\" or \"malicious\")", b)
	}
	return nil
}

// Session is one party's side of a multi-party computation over field F:
// the transport to the other parties, the pairwise PRG keys, the pools of
// preprocessed randomness and the counters that keep all parties in step.
//
// Every compute party calls the same operations in the same order with
// values of the same lengths. A Session is not safe for concurrent use.
// After an operation fails, for whatever reason (invalid arguments included,
// since the peers cannot go on without this party), the session is broken:
// it tells the peers, which fail too, and later calls return the same error.
type Session[E any] struct {
	f    field.Field[E]
	tr   *cnet.Metered
	id   int // transport id
	opts Options

	// Roles. Compute parties are numbered 1..n by their order in cids (their
	// Shamir evaluation points); me is this party's number, 0 for an input
	// party. Everything below the exchange speaks of compute numbers.
	cids []int // transport ids of the compute parties, ascending
	cnum []int // cnum[id]: compute number of transport id, 0 for input parties
	me   int
	n    int // compute parties
	t    int // ⌊(n−1)/2⌋

	keys    []field.PRGKey // keys[j]: PRG key shared with compute party j
	scratch field.PRG      // the stream prg reads, reused
	local   io.Reader      // private PRG for values this party chooses

	step   uint32 // exchange counter among compute parties, carried in every frame
	ioStep uint32 // exchange counter between compute and input parties
	op     uint32 // dealing counter, part of every PRG stream index
	king   int    // rotating offset of the next king (0-based)

	plans map[planKey]*share.Dealing[E] // this party's compressed-dealing matrices
	lam   map[int][]E                   // Lagrange coefficients at 0 for my king window, by degree
	ext   []E                           // extraction matrix, (n−t)×t

	eng  engine[E]
	pool pools[E]
	// refills counts the times an operation found a pool short and generated
	// the rest on demand (extra rounds that Prepare would have saved).
	refills int
	err     error
	// tap, set by tests only, sees the values that searches answered by
	// owners open.
	tap func(op string, opened []E)

	// Buffers of the exchange in progress.
	xout  [][]byte
	xwant []int
	xin   [][]E
}

// NewSession sets up party tr.ID()'s side of a session among tr.N() parties:
// it exchanges the pairwise PRG seeds among the compute parties (the lower of
// each pair draws the seed) and checks that every peer has the same
// Options.ConfigHash, SessionID and compute parties. It takes one round of
// messages. The session wraps tr in a [cnet.Metered] to count traffic; it
// does not close tr.
func NewSession[E any](ctx context.Context, f field.Field[E], tr cnet.Transport, opts Options) (*Session[E], error) {
	total, id := tr.N(), tr.ID()
	if total < 3 || total > MaxParties {
		return nil, fmt.Errorf("ops: %d parties: the protocols need 3 to %d", total, MaxParties)
	}
	if id < 1 || id > total {
		return nil, fmt.Errorf("ops: party id %d outside 1..%d", id, total)
	}
	cids, err := computeParties(opts.Compute, total)
	if err != nil {
		return nil, err
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var own [field.KeySize]byte
	if _, err := io.ReadFull(rnd, own[:]); err != nil {
		return nil, fmt.Errorf("ops: reading randomness: %w", err)
	}
	s := &Session[E]{
		f: f, tr: cnet.NewMetered(tr), id: id, opts: opts,
		cids: cids, cnum: make([]int, total+1), n: len(cids), t: (len(cids) - 1) / 2,
		plans: make(map[planKey]*share.Dealing[E]),
		lam:   make(map[int][]E),
	}
	for i, c := range cids {
		s.cnum[c] = i + 1
	}
	s.me = s.cnum[id]
	s.keys = make([]field.PRGKey, s.n+1)
	s.local = field.NewPRGKey(own, []byte("cohort/ops"), []byte("local"), []byte(s.opts.SessionID)).Stream(0)
	switch opts.Security {
	case SemiHonest:
		s.eng = &semiHonest[E]{s: s}
	case Malicious:
		s.eng = &malicious[E]{s: s}
	default:
		return nil, fmt.Errorf("ops: unknown security %v", opts.Security)
	}
	if err := s.setup(ctx); err != nil {
		return nil, err
	}
	if s.me != 0 {
		if err := s.eng.init(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// computeParties validates Options.Compute and returns it sorted (all ids
// when it is nil).
func computeParties(ids []int, total int) ([]int, error) {
	if ids == nil {
		all := make([]int, total)
		for i := range all {
			all[i] = i + 1
		}
		return all, nil
	}
	c := slices.Clone(ids)
	slices.Sort(c)
	if len(c) < 3 {
		return nil, fmt.Errorf("ops: %d compute parties: at least 3 are needed for an honest majority", len(c))
	}
	for i, id := range c {
		if id < 1 || id > total {
			return nil, fmt.Errorf("ops: compute party %d outside 1..%d", id, total)
		}
		if i > 0 && c[i-1] == id {
			return nil, fmt.Errorf("ops: compute party %d listed twice", id)
		}
	}
	return c, nil
}

// ID is this party's id (1..Parties()).
func (s *Session[E]) ID() int { return s.id }

// Parties is the number of parties on the transport: compute parties and
// input parties.
func (s *Session[E]) Parties() int { return len(s.cnum) - 1 }

// N is the number of compute parties (the parties of the transport in
// all-party mode).
func (s *Session[E]) N() int { return s.n }

// Computes reports whether this party is a compute party.
func (s *Session[E]) Computes() bool { return s.me != 0 }

// ComputeParties returns the transport ids of the compute parties in
// ascending order; compute party i (from 1) has Shamir evaluation point i.
func (s *Session[E]) ComputeParties() []int { return slices.Clone(s.cids) }

// T is the degree of sharings and the largest coalition of compute parties
// tolerated: ⌊(N−1)/2⌋.
func (s *Session[E]) T() int { return s.t }

// Field is the field the session computes in.
func (s *Session[E]) Field() field.Field[E] { return s.f }

// Stats returns this party's traffic so far (setup included).
func (s *Session[E]) Stats() cnet.Stats { return s.tr.Stats() }

// Err returns the error that broke the session, or nil.
func (s *Session[E]) Err() error { return s.err }

// FrameHeader is the size of the step tag at the start of every message a
// session sends: the exchange's number modulo 255 (0xFF marks an abort), so
// that a peer out of step fails loudly. A peer could go unnoticed only
// out of step by a multiple of 255 exchanges with messages of the very
// sizes expected at each: the sizes tell the steps apart long before.
const FrameHeader = headerSize

const (
	digestSize   = 16 // the configuration digest in the hello
	seedSize     = 16 // a pairwise PRG seed
	setupStep    = 0
	abortTag     = 0xFF
	headerSize   = 1
	abortTimeout = time.Second
)

// setup checks the configuration and exchanges the pairwise PRG seeds. Each
// compute party sends its successor (cyclically, by compute number) a
// digest of the configuration, and draws and sends a fresh seed to about
// half of the other compute parties (one message per pair carries both when
// they go the same way): a party whose configuration differs is found by its neighbours,
// which fail and tell everyone. An input party exchanges digests with every
// compute party.
func (s *Session[E]) setup(ctx context.Context) error {
	digest := s.helloDigest()
	peers := s.setupPeers()
	for _, j := range peers {
		msg := make([]byte, headerSize, headerSize+digestSize+seedSize)
		if s.sendsDigest(j) {
			msg = append(msg, digest[:digestSize]...)
		}
		if c := s.cnum[j]; s.me != 0 && c != 0 && s.drawsSeed(c) {
			var seed [seedSize]byte
			if _, err := io.ReadFull(s.local, seed[:]); err != nil {
				return fmt.Errorf("ops: drawing seed: %w", err)
			}
			msg = append(msg, seed[:]...)
			s.keys[c] = s.deriveKey("pair", seed)
		}
		if len(msg) == headerSize {
			continue
		}
		if err := s.tr.Send(ctx, j, msg); err != nil {
			return s.fail(transportErr(j, "setup", err))
		}
	}
	for _, j := range peers {
		want := 0
		if s.receivesDigest(j) {
			want += digestSize
		}
		c := s.cnum[j]
		if s.me != 0 && c != 0 && !s.drawsSeed(c) {
			want += seedSize
		}
		if want == 0 {
			continue
		}
		msg, err := s.tr.Recv(ctx, j)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return s.fail(fmt.Errorf("ops: setup: stopped: %w", cerr))
			}
			return s.fail(transportErr(j, "setup", err))
		}
		if len(msg) >= headerSize && msg[0] == abortTag {
			return s.fail(s.aborted(ctx, j, msg[headerSize:]))
		}
		if len(msg) != headerSize+want || msg[0] != setupStep {
			return s.fail(peerErr(j, "setup", fmt.Errorf("%w: malformed hello (%d bytes)", ErrProtocol, len(msg))))
		}
		body := msg[headerSize:]
		if s.receivesDigest(j) {
			if !bytes.Equal(body[:digestSize], digest[:digestSize]) {
				return s.fail(peerErr(j, "setup", ErrConfigMismatch))
			}
			body = body[digestSize:]
		}
		if len(body) > 0 {
			s.keys[c] = s.deriveKey("pair", [seedSize]byte(body))
		}
	}
	s.tr.AddRound()
	return nil
}

// drawsSeed reports whether this compute party draws the seed it shares
// with compute party c: of a pair a < b, a when a + b is odd, b when it is
// even, so that every party draws about half of its seeds.
func (s *Session[E]) drawsSeed(c int) bool {
	a, b := min(s.me, c), max(s.me, c)
	if (a+b)%2 == 1 {
		return s.me == a
	}
	return s.me == b
}

// sendsDigest reports whether this party sends transport party j its
// configuration digest: a compute party to its successor and to every
// input party, an input party to every compute party.
func (s *Session[E]) sendsDigest(j int) bool {
	if s.me == 0 || s.cnum[j] == 0 {
		return true
	}
	return s.cnum[j] == s.successor(s.me, 1) && s.n > 1
}

// receivesDigest reports whether transport party j sends this party its
// digest: its predecessor among the compute parties, every input party to
// a compute party, every compute party to an input party.
func (s *Session[E]) receivesDigest(j int) bool {
	if s.me == 0 || s.cnum[j] == 0 {
		return true
	}
	return s.successor(s.cnum[j], 1) == s.me
}

// setupPeers returns the transport ids this party exchanges hellos with:
// everyone for a compute party, the compute parties for an input party.
func (s *Session[E]) setupPeers() []int {
	var peers []int
	for j := 1; j < len(s.cnum); j++ {
		if j != s.id && (s.me != 0 || s.cnum[j] != 0) {
			peers = append(peers, j)
		}
	}
	return peers
}

// helloDigest binds the configuration hash, the session id and the compute
// parties, on which every party must agree.
func (s *Session[E]) helloDigest() [32]byte {
	h := canon.New("cohort/ops/hello/v2")
	h.Bytes(s.opts.ConfigHash[:])
	h.String(s.opts.SessionID)
	h.Int(int64(s.opts.Security))
	h.Int(int64(len(s.cnum) - 1))
	for _, c := range s.cids {
		h.Int(int64(c))
	}
	return h.Sum()
}

// deriveKey turns seed material (16 bytes, 128 bits of entropy, for a pair;
// 32 for this party's own) into a PRG key bound to the session id and
// purpose.
func (s *Session[E]) deriveKey(purpose string, seed [seedSize]byte) field.PRGKey {
	var key [field.KeySize]byte
	copy(key[:], seed[:])
	return field.NewPRGKey(key, []byte("cohort/ops"), []byte(purpose), []byte(s.opts.SessionID))
}

// Errors a peer's behaviour can cause. They arrive wrapped in a
// [cnet.PeerError] that names the party and the step.
var (
	// ErrProtocol: a peer sent a message of the wrong size or form.
	ErrProtocol = errors.New("ops: protocol violation")
	// ErrDesync: a peer's message belongs to a different step; the parties
	// are not running the same sequence of operations.
	ErrDesync = errors.New("ops: peers out of step")
	// ErrConfigMismatch: a peer has a different configuration hash, session
	// id or list of compute parties.
	ErrConfigMismatch = errors.New("ops: different configuration")
	// ErrPeerAborted: a peer gave up after an error of its own (see
	// [AbortError]).
	ErrPeerAborted = errors.New("ops: peer aborted")
	// ErrCheck: a verification failed: some party deviated from the
	// protocol (a wrong share, a wrong opened value, an input out of its
	// declared range), and the computation stopped before any output.
	ErrCheck = errors.New("ops: verification failed")
)

func peerErr(party int, op string, err error) error {
	return &cnet.PeerError{Party: party, Op: op, Err: err}
}

// transportErr names the step of a transport failure. A transport error
// that already names the peer is not wrapped twice: its operation joins the
// step ("Mul (step 7): recv: connection reset").
func transportErr(party int, step string, err error) error {
	var pe *cnet.PeerError
	if errors.As(err, &pe) && pe.Party == party {
		return peerErr(party, step+": "+pe.Op, pe.Err)
	}
	return peerErr(party, step, err)
}

// fail records err as the session's error, tells the peers (best effort)
// and returns err.
func (s *Session[E]) fail(err error) error {
	if s.err != nil {
		return s.err
	}
	s.err = err
	msg := s.abortFrame(err)
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	for _, j := range s.setupPeers() {
		_ = s.tr.Send(ctx, j, bytes.Clone(msg))
	}
	return err
}

// begin starts an operation: it refuses to run on a broken session or on an
// input party.
func (s *Session[E]) begin(op string) error {
	if s.err != nil {
		return s.err
	}
	if s.me == 0 {
		return s.fail(fmt.Errorf("ops: %s: party %d is an input party and does not compute", op, s.id))
	}
	return nil
}

// prg fills dst from the stream that dealer and compute party peer share for
// a dealing (op numbers every dealing job of the session) and purpose. Both
// sides of a pair call it with the same arguments and so read the same
// elements.
func (s *Session[E]) prg(peer, dealer int, purpose, op uint32, dst []E) {
	if len(dst) == 0 {
		return
	}
	index := uint64(dealer)<<48 | uint64(purpose)<<32 | uint64(op)
	s.scratch.Reset(s.keys[peer], index)
	if err := s.f.RandomVec(&s.scratch, dst); err != nil {
		panic(err) // a keystream reader never fails
	}
}

// PRG purposes.
const (
	purposeRandom uint32 = iota + 1
	purposeDoubleT
	purposeDouble2t
	purposeZero
	purposeInput
	purposeKing
	purposeMask
)
