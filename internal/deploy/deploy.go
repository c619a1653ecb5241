// Package deploy reads and checks cohort.json, the configuration file that
// the organisations of a Cohort deployment agree on, and turns it into the
// [assess.Config] and [tcp.Config] of one party. It is shared by the
// programs in examples/ and is not meant for import elsewhere.
//
// # The file
//
//	{
//	  "session": "2025-q3-campaign",
//	  "parties": [
//	    {"id": 1, "addr": "risk.alpha.example:7000", "cert": "party1.crt"},
//	    {"id": 2, "addr": "10.0.0.2:7000", "fingerprint": "sha256:4f0c…"},
//	    …
//	  ],
//	  "threshold": 500,
//	  "alert_level": 2,
//	  "weights": {"cvss": 4, "critical": 2, "patch_delay": 2, "exposure": 2},
//	  "bounds": {"cvss": [0, 100], "critical": [0, 1000], "patch_delay": [0, 3650], "exposure": [0, 100]},
//	  "min_parties": 5,
//	  "field": "auto",
//	  "security": "semi-honest",
//	  "inputs_profile": "cohort-inputs/v1",
//	  "maximum": "bitwise",
//	  "max_bits": 0,
//	  "step_bits": 1,
//	  "epsilon": 1,
//	  "percentiles": [0.5, 0.9],
//	  "timeout": "10m",
//	  "connect_timeout": "1m"
//	}
//
// Every party is listed with its id (1..n, each once), the host:port it
// listens on, and its key: "cert", the path of its PEM certificate
// (relative paths are resolved against the directory of the file), or
// "fingerprint", the pin "sha256:<hex>" that keygen prints; when both are
// given they must agree. Addresses must be reachable by the others (not
// 0.0.0.0 or [::]) and distinct: host names are compared without case or
// trailing dot, IP addresses in canonical form, and localhost, 127.0.0.1
// and [::1] on one port are the same. "session" names the run and is
// required; like addresses, it may not contain control or format
// characters (such as bidirectional overrides). The other
// entries are optional and mean the defaults of package assess when left
// out; "weights", when present, must give all four weights, and each bound
// is [min, max]. "security" is "semi-honest" (the default) or "malicious"
// (every party then verifies that no other deviates; see package assess).
// "inputs_profile" names the rules by which every organisation derived its
// row from its scanner reports (examples/inputs); when it is set, each
// party must show the explanation its row came with, and parties whose
// files name different profiles refuse each other.
// "maximum" is "bitwise" (the default) or "tournament" (version 1's
// tournament of secure comparisons). The output-privacy options of
// [assess.Config] are off when left out: "max_bits" coarsens the maximum
// to its top bits, "step_bits" sets the bits of the maximum revealed per
// step (1 to 4), "epsilon" adds discrete Laplace noise to sum and count,
// and "percentiles" lists quantiles of the scores to reveal (0.5 for the
// median); every party must give the same ones, and they are part of the
// configuration hash.
// "timeout" bounds the computation once connected (default
// 10m) and "connect_timeout" how long a party waits for the others to come
// up (default [DefaultConnectTimeout]); both are Go durations such as "90s".
// Unknown entries are errors.
//
// # Agreement
//
// All parties must use the same file. [Config.SessionHash] digests every
// public parameter — each party's id, address and key, the session id and
// the assessment parameters — and the parties compare it when they connect,
// so a party with a different file is refused at once. The two timeouts are
// each party's own choice and are not part of it.
package deploy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/pubcfg"
	"github.com/cohortmpc/cohort/net/tcp"
)

// DefaultConnectTimeout is how long a party waits for the others to come up
// when the file sets no connect_timeout: long enough for people on
// different sites to start their parties by hand.
const DefaultConnectTimeout = 2 * time.Minute

// File is the JSON form of cohort.json. Optional entries are pointers or
// empty strings when left out.
type File struct {
	Session string      `json:"session"`
	Parties []FileParty `json:"parties"`
	// The assessment's entries (threshold, weights, bounds, security, the
	// options…), shared with the committee's campaign file.
	pubcfg.Assessment
	MinParties     *int   `json:"min_parties,omitempty"`
	Timeout        string `json:"timeout,omitempty"`
	ConnectTimeout string `json:"connect_timeout,omitempty"`
}

// FileParty is one entry of "parties".
type FileParty struct {
	ID          int    `json:"id"`
	Addr        string `json:"addr"`
	Cert        string `json:"cert,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Party is one checked entry of "parties".
type Party struct {
	ID          int
	Addr        string // host:port
	Fingerprint string // canonical pin, "sha256:" and 64 lowercase hex digits
	Cert        string // path of the certificate, resolved; empty when only the pin was given
}

// Config is a checked cohort.json.
type Config struct {
	Path    string  // the file it was read from, if any
	Session string  // session id
	Parties []Party // Parties[i].ID == i+1
	// Assess holds the assessment parameters with Timeout set; Progress is
	// for the caller to set.
	Assess assess.Config
	// ConnectTimeout bounds how long a party waits for all the others to
	// connect.
	ConnectTimeout time.Duration
	// resolved is the assessment configuration with defaults applied.
	resolved assess.Resolved
}

// N is the number of parties.
func (c *Config) N() int { return len(c.Parties) }

// Load reads and checks the configuration file at path. Errors name the
// file and the offending entry.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	c, err := parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("deploy: %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse checks a configuration file's contents; dir is the directory that
// relative certificate paths are resolved against.
func Parse(data []byte, dir string) (*Config, error) {
	c, err := parse(data, dir)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	return c, nil
}

func parse(data []byte, dir string) (*Config, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return f.check(dir)
}

// jsonError adds the line to a decoding error; off is the decoder's
// offset, for errors that carry none.
func jsonError(data []byte, off int64, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
		if typ.Field != "" {
			return fmt.Errorf("line %d: %s: %s is not a valid %s", lineOf(data, off), typ.Field, typ.Value, typ.Type)
		}
	case errors.Is(err, io.EOF):
		return errors.New("empty file: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("unexpected end of file: the JSON object is incomplete")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// The decoder's offset is not where the field is: look for it.
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		re := regexp.MustCompile(regexp.QuoteMeta(name) + `\s*:`)
		if loc := re.FindIndex(data); loc != nil {
			return fmt.Errorf("line %d: unknown entry %s", lineOf(data, int64(loc[0])), name)
		}
		return fmt.Errorf("unknown entry %s", name)
	}
	return fmt.Errorf("line %d: %s", lineOf(data, off), strings.TrimPrefix(err.Error(), "json: "))
}

func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// check validates the decoded file.
func (f *File) check(dir string) (*Config, error) {
	c := &Config{Session: strings.TrimSpace(f.Session)}
	if c.Session == "" {
		return nil, errors.New(`"session" is missing: give every run its own session id, the same in every party's file`)
	}
	if c.Session != f.Session || strings.ContainsFunc(c.Session, pubcfg.Invisible) {
		return nil, fmt.Errorf("session %+q has surrounding white space, control or format characters", f.Session)
	}
	if err := c.checkParties(f.Parties, dir); err != nil {
		return nil, err
	}
	if err := c.checkAssess(f); err != nil {
		return nil, err
	}
	var err error
	if c.Assess.Timeout, err = pubcfg.Duration("timeout", f.Timeout, assess.DefaultTimeout); err != nil {
		return nil, err
	}
	if c.ConnectTimeout, err = pubcfg.Duration("connect_timeout", f.ConnectTimeout, DefaultConnectTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) checkParties(entries []FileParty, dir string) error {
	n := len(entries)
	if n == 0 {
		return errors.New(`"parties" is missing or empty`)
	}
	c.Parties = make([]Party, n)
	where := make(map[int]int)    // id → index of its entry
	addrs := make(map[string]int) // normalised address → id
	pins := make(map[string]int)  // fingerprint → id
	for i, e := range entries {
		name := fmt.Sprintf("parties[%d] (id %d)", i, e.ID)
		if e.ID < 1 || e.ID > n {
			return fmt.Errorf("%s: id %d is outside 1..%d (ids number the %d parties from 1)", name, e.ID, n, n)
		}
		if j, dup := where[e.ID]; dup {
			return fmt.Errorf("%s: id %d is already used by parties[%d]", name, e.ID, j)
		}
		where[e.ID] = i
		p := Party{ID: e.ID, Addr: strings.TrimSpace(e.Addr)}
		canonical, err := checkAddr(p.Addr)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		key := pubcfg.SameEndpoint(canonical)
		if other, dup := addrs[key]; dup {
			return fmt.Errorf("%s: address %s is already used by party %d", name, p.Addr, other)
		}
		addrs[key] = e.ID
		if p.Fingerprint, p.Cert, err = checkKey(e, dir); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if other, dup := pins[p.Fingerprint]; dup {
			return fmt.Errorf("%s: has the same key as party %d (%s): every party needs its own key", name, other, p.Fingerprint)
		}
		pins[p.Fingerprint] = e.ID
		c.Parties[e.ID-1] = p
	}
	return nil
}

// checkAddr checks a party's host:port and returns it in canonical form
// (see [pubcfg.CanonicalAddr]).
func checkAddr(addr string) (string, error) {
	canonical, err := pubcfg.CanonicalAddr(addr)
	if err != nil {
		return "", fmt.Errorf("addr %w", err)
	}
	return canonical, nil
}

// checkKey returns the canonical pin of an entry and its certificate path.
func checkKey(e FileParty, dir string) (pin, cert string, err error) {
	if e.Cert == "" && e.Fingerprint == "" {
		return "", "", errors.New(`neither "cert" nor "fingerprint" is given: the others cannot authenticate this party`)
	}
	if e.Fingerprint != "" {
		if pin, err = CanonicalFingerprint(e.Fingerprint); err != nil {
			return "", "", err
		}
	}
	if e.Cert == "" {
		return pin, "", nil
	}
	cert = e.Cert
	if !filepath.IsAbs(cert) {
		cert = filepath.Join(dir, cert)
	}
	data, err := os.ReadFile(cert)
	if err != nil {
		return "", "", fmt.Errorf("cert: %w", err)
	}
	certPin, err := tcp.FingerprintPEM(data)
	if err != nil {
		return "", "", fmt.Errorf("cert %s: %w", cert, err)
	}
	if pin != "" && pin != certPin {
		return "", "", fmt.Errorf("cert %s has fingerprint %s, but \"fingerprint\" says %s", cert, certPin, pin)
	}
	return certPin, cert, nil
}

// CanonicalFingerprint checks a pin of the form "sha256:<64 hex digits>"
// and returns it in lowercase.
func CanonicalFingerprint(s string) (string, error) {
	h, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(s)), "sha256:")
	if ok && len(h) == 2*sha256.Size {
		if _, err := hex.DecodeString(h); err == nil {
			return "sha256:" + h, nil
		}
	}
	return "", fmt.Errorf("fingerprint %q is not of the form sha256:<64 hex digits>", s)
}

// checkAssess fills in c.Assess from the file and validates it with package
// assess for n parties.
func (c *Config) checkAssess(f *File) error {
	a := &c.Assess
	a.SessionID = c.Session
	if err := f.Assessment.Apply(a); err != nil {
		return err
	}
	if err := pubcfg.Positive("min_parties", f.MinParties, &a.MinParties); err != nil {
		return err
	}
	res, err := a.Resolve(c.N())
	if err != nil {
		return err
	}
	c.resolved = res
	return nil
}

// CheckInput checks a party's input against the public bounds, before it
// connects to anyone. The error is an [*assess.InputError] with Org 0.
func (c *Config) CheckInput(in assess.Input) error {
	return c.resolved.CheckInput(0, in)
}

// Threshold is the score threshold T, with the default applied.
func (c *Config) Threshold() int { return c.resolved.Threshold }

// AlertLevel is the alert level K, with the default applied.
func (c *Config) AlertLevel() int { return c.resolved.AlertLevel }

// Field is the field the computation runs in, with the automatic choice
// made.
func (c *Config) Field() assess.Field { return c.resolved.Field }

// Resolved is the assessment configuration with every default applied, as
// the parties hash and run it.
func (c *Config) Resolved() assess.Resolved { return c.resolved }

// Score is the risk score of in under the configuration's weights (the
// input checked with CheckInput first).
func (c *Config) Score(in assess.Input) int64 { return c.resolved.Score(in) }
