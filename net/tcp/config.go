package tcp

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	stdnet "net"
	"time"

	"github.com/cohortmpc/cohort/net/internal/frame"
)

// Defaults for the zero values in [Config].
const (
	DefaultDialTimeout = 30 * time.Second
	DefaultTimeout     = 30 * time.Second

	// DefaultMaxFrame is the largest message accepted from a peer: 4 MiB.
	// The largest message of package ops is a dealing round of Prepare,
	// which sends any one party at most 64 Ki field elements (ops deals in
	// chunks to keep to that, and king rounds in batches), 16 bytes each in
	// M127, behind a one-byte step tag: 1 MiB + 1 byte. Random bits are
	// made in batches of 16 Ki (256 KiB in M127), and the other operations
	// send less per peer and round. 4 MiB leaves a margin of four.
	DefaultMaxFrame = 4 << 20
	// DefaultMaxQueued is how many bytes of messages from one peer may wait
	// for Recv: eight of the largest frames. Honest parties are at most a
	// round or two ahead of each other, each round one message per peer.
	DefaultMaxQueued = 8 * DefaultMaxFrame

	// DefaultHandshakeTimeout bounds the handshake of one connection; an
	// honest one takes a few round trips.
	DefaultHandshakeTimeout = 10 * time.Second
)

// Peer is one party as every party's configuration lists it.
type Peer struct {
	ID   int    // 1..n
	Addr string // host:port the party listens on
	// Fingerprint pins the party's public key: "sha256:<hex>" of its
	// certificate's SubjectPublicKeyInfo, as [Fingerprint] computes it.
	Fingerprint string
}

// Config configures one party's end of the mesh.
type Config struct {
	// ID is this party's id.
	ID int
	// Peers lists all n parties, this one included, with ids 1..n each
	// exactly once, in any order. Fingerprints must be distinct.
	Peers []Peer
	// Certificate is this party's certificate and private key (see
	// [LoadIdentity]); its public key must match this party's pin.
	Certificate tls.Certificate
	// SessionHash identifies the session configuration (for example a hash
	// of everything the parties agreed on). Parties exchange it after TLS
	// and refuse to connect to a party whose hash differs.
	SessionHash [32]byte
	// Listener, if set, is used instead of listening on this party's Addr.
	// Connect takes ownership: it closes the listener when it returns,
	// whether it succeeded or not. (Once all parties are connected no more
	// connections are accepted.)
	Listener stdnet.Listener
	// DialTimeout bounds how long Connect keeps dialing and accepting until
	// all peers are connected. Zero means [DefaultDialTimeout].
	DialTimeout time.Duration
	// Timeout is the liveness timeout: when nothing arrives from a peer for
	// this long, the connection is considered dead and Recv from that peer
	// fails. Healthy idle connections carry heartbeats every Timeout/4. A
	// frame of s bytes, read or written, must complete within Timeout +
	// s/[MinRate]. Zero means [DefaultTimeout].
	Timeout time.Duration
	// MaxFrame is the largest message accepted from a peer, in bytes; a peer
	// that announces a larger one is disconnected. Zero means
	// [DefaultMaxFrame].
	MaxFrame int
	// MaxQueued bounds the bytes of messages received from one peer and
	// not yet returned by Recv; a peer that sends more is disconnected
	// (with [github.com/cohortmpc/cohort/net.ErrBadFrame]). Zero means [DefaultMaxQueued], or MaxFrame
	// if that is larger.
	MaxQueued int
	// HandshakeTimeout bounds the TLS handshake and hello exchange of one
	// connection. Zero means [DefaultHandshakeTimeout] (or Timeout, if
	// that is shorter).
	HandshakeTimeout time.Duration
	// Logger receives connection events. Nil means no logging.
	Logger *slog.Logger
}

// settings is a checked Config with defaults applied.
type settings struct {
	Config
	n     int
	peers []Peer         // index 1..n, canonical fingerprints
	byPin map[string]int // fingerprint → id
}

func (cfg Config) check() (*settings, error) {
	s := &settings{Config: cfg, n: len(cfg.Peers)}
	if s.n < 1 {
		return nil, fmt.Errorf("tcp: no peers configured")
	}
	if cfg.ID < 1 || cfg.ID > s.n {
		return nil, fmt.Errorf("tcp: party id %d outside 1..%d", cfg.ID, s.n)
	}
	s.peers = make([]Peer, s.n+1)
	s.byPin = make(map[string]int, s.n)
	for _, p := range cfg.Peers {
		if p.ID < 1 || p.ID > s.n {
			return nil, fmt.Errorf("tcp: peer id %d outside 1..%d", p.ID, s.n)
		}
		if s.peers[p.ID].ID != 0 {
			return nil, fmt.Errorf("tcp: party %d listed twice", p.ID)
		}
		fp, err := parseFingerprint(p.Fingerprint)
		if err != nil {
			return nil, fmt.Errorf("tcp: party %d: %w", p.ID, err)
		}
		if other, dup := s.byPin[fp]; dup {
			return nil, fmt.Errorf("tcp: parties %d and %d have the same fingerprint", other, p.ID)
		}
		s.byPin[fp] = p.ID
		p.Fingerprint = fp
		s.peers[p.ID] = p
	}
	for j := cfg.ID + 1; j <= s.n; j++ {
		if s.peers[j].Addr == "" {
			return nil, fmt.Errorf("tcp: party %d has no address", j)
		}
	}
	if cfg.Listener == nil && cfg.ID > 1 && s.peers[cfg.ID].Addr == "" {
		return nil, fmt.Errorf("tcp: party %d (this party) has no address to listen on", cfg.ID)
	}
	if len(cfg.Certificate.Certificate) == 0 || cfg.Certificate.PrivateKey == nil {
		return nil, fmt.Errorf("tcp: no certificate and key for party %d", cfg.ID)
	}
	leaf := cfg.Certificate.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cfg.Certificate.Certificate[0]); err != nil {
			return nil, fmt.Errorf("tcp: parsing own certificate: %w", err)
		}
	}
	if fp := Fingerprint(leaf); fp != s.peers[cfg.ID].Fingerprint {
		return nil, fmt.Errorf("tcp: own certificate (%s) does not match the pin of party %d (%s)", fp, cfg.ID, s.peers[cfg.ID].Fingerprint)
	}
	if s.DialTimeout <= 0 {
		s.DialTimeout = DefaultDialTimeout
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.MaxFrame <= 0 {
		s.MaxFrame = DefaultMaxFrame
	}
	if s.MaxQueued <= 0 {
		s.MaxQueued = max(DefaultMaxQueued, s.MaxFrame)
	}
	if s.MaxQueued < s.MaxFrame {
		return nil, fmt.Errorf("tcp: MaxQueued %d is less than MaxFrame %d", s.MaxQueued, s.MaxFrame)
	}
	if s.HandshakeTimeout <= 0 {
		s.HandshakeTimeout = min(DefaultHandshakeTimeout, s.Timeout)
	}
	if s.MaxFrame > frame.MaxLimit {
		return nil, fmt.Errorf("tcp: MaxFrame %d exceeds %d", s.MaxFrame, frame.MaxLimit)
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}
