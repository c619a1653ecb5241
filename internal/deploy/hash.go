package deploy

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cohortmpc/cohort/internal/canon"
	"github.com/cohortmpc/cohort/net/tcp"
)

// hashDomain separates the session hash from any other SHA-256 use; bump
// the version when the encoding changes.
const hashDomain = "cohort/deploy/session/v2"

// SessionHash is a SHA-256 over a canonical encoding of every public
// parameter: n; each party's id, address (in canonical form: host in
// lowercase without a trailing dot, IP addresses in their shortest form) and key
// fingerprint, in id order; and the assessment's own configuration hash
// ([assess.Resolved.Hash]: session id, threshold, alert level, weights,
// bounds, minimum group size, field, security, protocol of the maximum and
// output-privacy options, defaults applied, so that leaving a default out
// or writing it explicitly hash the same). The timeouts are local
// choices and not included. Parties whose hashes differ refuse to connect.
func (c *Config) SessionHash() [32]byte {
	h := canon.New(hashDomain)
	h.Int(int64(c.N()))
	for _, p := range c.Parties {
		addr, _ := checkAddr(p.Addr)
		h.Int(int64(p.ID))
		h.String(addr)
		h.String(p.Fingerprint)
	}
	a := c.resolved.Hash()
	h.Bytes(a[:])
	return h.Sum()
}

// Party returns the entry of party id.
func (c *Config) Party(id int) (Party, error) {
	if id < 1 || id > c.N() {
		return Party{}, fmt.Errorf("deploy: party %d is not in the configuration (ids 1..%d)", id, c.N())
	}
	return c.Parties[id-1], nil
}

// LivenessTimeout is how long a party waits without hearing anything from a
// peer before it declares the peer dead: the run's timeout, but at most
// [tcp.DefaultTimeout].
func (c *Config) LivenessTimeout() time.Duration {
	return min(c.Assess.Timeout, tcp.DefaultTimeout)
}

// LoadIdentity reads party id's private key from keyPath and its
// certificate from certPath; an empty certPath means the party's "cert"
// entry, or else keyPath with ".key" replaced by ".crt". It checks that the
// certificate's key is the one the configuration lists for the party.
func (c *Config) LoadIdentity(id int, keyPath, certPath string) (tls.Certificate, error) {
	p, err := c.Party(id)
	if err != nil {
		return tls.Certificate{}, err
	}
	if certPath == "" {
		certPath = p.Cert
	}
	if certPath == "" {
		base, ok := strings.CutSuffix(keyPath, ".key")
		if !ok {
			return tls.Certificate{}, fmt.Errorf("deploy: no certificate for party %d: give its path (the configuration lists only its fingerprint, and the key file %s does not end in .key)", id, keyPath)
		}
		certPath = base + ".crt"
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("deploy: reading key: %w", err)
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("deploy: reading certificate: %w", err)
	}
	cert, err := tcp.LoadIdentity(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("deploy: %s and %s: %w", keyPath, certPath, err)
	}
	if pin := tcp.Fingerprint(cert.Leaf); pin != p.Fingerprint {
		return tls.Certificate{}, fmt.Errorf("deploy: the key in %s has fingerprint %s, but the configuration lists %s for party %d: wrong key file or wrong -id",
			keyPath, pin, p.Fingerprint, id)
	}
	return cert, nil
}

// TCP returns party id's transport configuration: all parties as peers,
// the session hash, the connect timeout as DialTimeout,
// [Config.LivenessTimeout] as Timeout and the transport's default limits,
// stated explicitly.
func (c *Config) TCP(id int, cert tls.Certificate, logger *slog.Logger) (tcp.Config, error) {
	if _, err := c.Party(id); err != nil {
		return tcp.Config{}, err
	}
	if len(cert.Certificate) == 0 {
		return tcp.Config{}, errors.New("deploy: no certificate")
	}
	peers := make([]tcp.Peer, c.N())
	for i, p := range c.Parties {
		peers[i] = tcp.Peer{ID: p.ID, Addr: p.Addr, Fingerprint: p.Fingerprint}
	}
	return tcp.Config{
		ID:          id,
		Peers:       peers,
		Certificate: cert,
		SessionHash: c.SessionHash(),
		DialTimeout: c.ConnectTimeout,
		Timeout:     c.LivenessTimeout(),
		// The messages of the assessment stay below 1.1 MiB (see
		// tcp.DefaultMaxFrame); a peer cannot make a party hold more than
		// MaxQueued bytes.
		MaxFrame:  tcp.DefaultMaxFrame,
		MaxQueued: tcp.DefaultMaxQueued,
		Logger:    logger,
	}, nil
}
