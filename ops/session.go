package ops

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/canon"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/share"
)

// Kappa is the statistical security parameter: comparisons hide their
// inputs up to a statistical distance of about 2^−Kappa.
const Kappa = 40

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
	// Rand is the source of this party's private randomness (pairwise seeds
	// and locally chosen values). Nil means crypto/rand. Tests may inject a
	// seeded source; deployments must not.
	Rand io.Reader
	// Progress, when set, is called by long operations (Max) when they start
	// and after each of their steps, with how many of the total are done
	// (total may be 0). It must be fast.
	Progress func(op string, done, total int)
}

// Session is one party's side of a multi-party computation over field F:
// the transport to the other parties, the pairwise PRG keys, the pools of
// preprocessed randomness and the counters that keep all parties in step.
//
// Every party calls the same operations in the same order with inputs of
// the same lengths; values are shares of degree T unless stated otherwise.
// A Session is not safe for concurrent use. After an operation fails, for
// whatever reason (invalid arguments included, since the peers cannot go
// on without this party), the session is broken: it tells the peers, which
// fail too, and later calls return the same error.
type Session[E any] struct {
	f    field.Field[E]
	tr   *cnet.Metered
	id   int
	n    int
	t    int
	opts Options

	keys  []cipher.Block // keys[j]: PRG key shared with party j
	local io.Reader      // private PRG for values this party chooses

	step uint32 // exchange counter, carried in every frame
	op   uint32 // dealing counter, part of every PRG domain
	king int    // rotating offset of the next king (0-based)

	plans map[planKey]*share.Dealing[E] // this party's compressed-dealing matrices
	lam   map[int][]E                   // Lagrange coefficients at 0 for my king window, by degree
	ext   []E                           // extraction matrix, (n−t)×t

	pool pools[E]
	err  error

	// Buffers of the exchange in progress.
	xout  [][]byte
	xwant []int
	xin   [][]E
}

// NewSession sets up party tr.ID()'s side of a session among tr.N() parties:
// it exchanges the pairwise PRG seeds (the lower id of each pair draws the
// seed) and checks that every peer has the same Options.ConfigHash and
// SessionID. It
// takes one round of messages. The session wraps tr in a [cnet.Metered] to
// count traffic; it does not close tr.
func NewSession[E any](ctx context.Context, f field.Field[E], tr cnet.Transport, opts Options) (*Session[E], error) {
	n, id := tr.N(), tr.ID()
	if n < 3 || n > MaxParties {
		return nil, fmt.Errorf("ops: %d parties: the protocols need 3 to %d", n, MaxParties)
	}
	if id < 1 || id > n {
		return nil, fmt.Errorf("ops: party id %d outside 1..%d", id, n)
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var own [32]byte
	if _, err := io.ReadFull(rnd, own[:]); err != nil {
		return nil, fmt.Errorf("ops: reading randomness: %w", err)
	}
	s := &Session[E]{
		f: f, tr: cnet.NewMetered(tr), id: id, n: n, t: (n - 1) / 2, opts: opts,
		keys:  make([]cipher.Block, n+1),
		plans: make(map[planKey]*share.Dealing[E]),
		lam:   make(map[int][]E),
	}
	s.local = cipher.StreamReader{S: newCTR(s.deriveKey("local", own[:]), 0), R: zeroReader{}}
	if err := s.setup(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ID is this party's id (1..N).
func (s *Session[E]) ID() int { return s.id }

// N is the number of parties.
func (s *Session[E]) N() int { return s.n }

// T is the degree of sharings and the largest coalition tolerated: ⌊(N−1)/2⌋.
func (s *Session[E]) T() int { return s.t }

// Field is the field the session computes in.
func (s *Session[E]) Field() field.Field[E] { return s.f }

// Stats returns this party's traffic so far (setup included).
func (s *Session[E]) Stats() cnet.Stats { return s.tr.Stats() }

const (
	helloMagic   = "COHORT-OPS-1"
	helloSize    = len(helloMagic) + 32
	seedSize     = 32
	setupStep    = 0
	abortStep    = ^uint32(0)
	headerSize   = 4
	abortTimeout = time.Second
)

// setup exchanges hellos (config hash) with every peer and pairwise seeds
// from the lower id to the higher.
func (s *Session[E]) setup(ctx context.Context) error {
	digest := s.helloDigest()
	hello := make([]byte, 0, helloSize)
	hello = append(hello, helloMagic...)
	hello = append(hello, digest[:]...)
	for j := 1; j <= s.n; j++ {
		if j == s.id {
			continue
		}
		msg := make([]byte, 0, headerSize+helloSize+seedSize)
		msg = binary.LittleEndian.AppendUint32(msg, setupStep)
		msg = append(msg, hello...)
		if j > s.id {
			seed := make([]byte, seedSize)
			if _, err := io.ReadFull(s.local, seed); err != nil {
				return fmt.Errorf("ops: drawing seed: %w", err)
			}
			msg = append(msg, seed...)
			s.keys[j] = s.deriveKey("pair", seed)
		}
		if err := s.tr.Send(ctx, j, msg); err != nil {
			return s.fail(transportErr(j, "setup", err))
		}
	}
	for j := 1; j <= s.n; j++ {
		if j == s.id {
			continue
		}
		msg, err := s.tr.Recv(ctx, j)
		if err != nil {
			return s.fail(transportErr(j, "setup", err))
		}
		want := headerSize + helloSize
		if j < s.id {
			want += seedSize
		}
		if len(msg) >= headerSize && binary.LittleEndian.Uint32(msg) == abortStep {
			return s.fail(peerErr(j, "setup", ErrPeerAborted))
		}
		if len(msg) != want || binary.LittleEndian.Uint32(msg) != setupStep ||
			!bytes.Equal(msg[headerSize:headerSize+len(helloMagic)], []byte(helloMagic)) {
			return s.fail(peerErr(j, "setup", fmt.Errorf("%w: malformed hello (%d bytes)", ErrProtocol, len(msg))))
		}
		if !bytes.Equal(msg[headerSize+len(helloMagic):headerSize+helloSize], digest[:]) {
			return s.fail(peerErr(j, "setup", ErrConfigMismatch))
		}
		if j < s.id {
			s.keys[j] = s.deriveKey("pair", msg[headerSize+helloSize:])
		}
	}
	s.tr.AddRound()
	return nil
}

// helloDigest binds the configuration hash and the session id, which every
// party must share.
func (s *Session[E]) helloDigest() [32]byte {
	h := canon.New("cohort/ops/hello/v1")
	h.Bytes(s.opts.ConfigHash[:])
	h.String(s.opts.SessionID)
	return h.Sum()
}

// deriveKey turns seed material into an AES-256 key bound to the session id.
func (s *Session[E]) deriveKey(purpose string, seed []byte) cipher.Block {
	h := canon.New("cohort/ops/prg/v1")
	h.String(purpose)
	h.String(s.opts.SessionID)
	h.String(string(seed))
	key := h.Sum()
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	return b
}

// Errors a peer's behaviour can cause. They arrive wrapped in a
// [cnet.PeerError] that names the party and the step.
var (
	// ErrProtocol: a peer sent a message of the wrong size or form.
	ErrProtocol = errors.New("ops: protocol violation")
	// ErrDesync: a peer's message belongs to a different step; the parties
	// are not running the same sequence of operations.
	ErrDesync = errors.New("ops: peers out of step")
	// ErrConfigMismatch: a peer has a different configuration hash or
	// session id.
	ErrConfigMismatch = errors.New("ops: different configuration")
	// ErrPeerAborted: a peer gave up after an error of its own.
	ErrPeerAborted = errors.New("ops: peer aborted")
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
	msg := binary.LittleEndian.AppendUint32(nil, abortStep)
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	for j := 1; j <= s.n; j++ {
		if j != s.id {
			_ = s.tr.Send(ctx, j, bytes.Clone(msg))
		}
	}
	return err
}

// begin starts an operation: it refuses to run on a broken session.
func (s *Session[E]) begin() error {
	return s.err
}

// newCTR returns an AES-CTR keystream whose IV encodes a domain.
func newCTR(b cipher.Block, domain uint64) cipher.Stream {
	var iv [aes.BlockSize]byte
	binary.BigEndian.PutUint64(iv[:8], domain)
	return cipher.NewCTR(b, iv[:])
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// prg fills dst from the stream that dealer and peer share for a dealing
// (op numbers every dealing job of the session) and purpose. Both sides of
// a pair call it with the same arguments and so read the same elements.
func (s *Session[E]) prg(peer, dealer int, purpose, op uint32, dst []E) {
	if len(dst) == 0 {
		return
	}
	domain := uint64(dealer)<<48 | uint64(purpose)<<32 | uint64(op)
	r := cipher.StreamReader{S: newCTR(s.keys[peer], domain), R: zeroReader{}}
	if err := s.f.RandomVec(r, dst); err != nil {
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
