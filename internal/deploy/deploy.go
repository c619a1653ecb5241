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
	stdnet "net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/assess/derive"
	"github.com/cohortmpc/cohort/net/tcp"
)

// DefaultConnectTimeout is how long a party waits for the others to come up
// when the file sets no connect_timeout: long enough for people on
// different sites to start their parties by hand.
const DefaultConnectTimeout = 2 * time.Minute

// File is the JSON form of cohort.json. Optional entries are pointers or
// empty strings when left out.
type File struct {
	Session        string      `json:"session"`
	Parties        []FileParty `json:"parties"`
	Threshold      *int        `json:"threshold,omitempty"`
	AlertLevel     *int        `json:"alert_level,omitempty"`
	Weights        Weights     `json:"weights,omitempty"`
	Bounds         Bounds      `json:"bounds,omitempty"`
	MinParties     *int        `json:"min_parties,omitempty"`
	Field          string      `json:"field,omitempty"`
	Security       string      `json:"security,omitempty"`
	InputsProfile  string      `json:"inputs_profile,omitempty"`
	Maximum        string      `json:"maximum,omitempty"`
	MaxBits        *int        `json:"max_bits,omitempty"`
	StepBits       *int        `json:"step_bits,omitempty"`
	Epsilon        *float64    `json:"epsilon,omitempty"`
	Percentiles    []float64   `json:"percentiles,omitempty"`
	Timeout        string      `json:"timeout,omitempty"`
	ConnectTimeout string      `json:"connect_timeout,omitempty"`
}

// FileParty is one entry of "parties".
type FileParty struct {
	ID          int    `json:"id"`
	Addr        string `json:"addr"`
	Cert        string `json:"cert,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Weights are the weights of the risk score by input key
// ([assess.InputField].Key: cvss, critical, patch_delay, exposure); all four
// are required when the "weights" entry is present.
type Weights map[string]*int

// Bounds are the public bounds of the inputs by input key, each
// [min, max]; a bound left out means its default.
type Bounds map[string][]int

// inputKeys lists the keys of the inputs, for errors.
func inputKeys() string {
	var keys []string
	for _, f := range assess.InputFields {
		keys = append(keys, f.Key)
	}
	return strings.Join(keys, ", ")
}

// checkKeys refuses keys that name no input.
func checkKeys[V any](entry string, m map[string]V) error {
	for k := range m {
		known := false
		for _, f := range assess.InputFields {
			known = known || f.Key == k
		}
		if !known {
			return fmt.Errorf("%s: unknown input %q (want %s)", entry, k, inputKeys())
		}
	}
	return nil
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
	if c.Session != f.Session || strings.ContainsFunc(c.Session, invisible) {
		return nil, fmt.Errorf("session %+q has surrounding white space, control or format characters", f.Session)
	}
	if err := c.checkParties(f.Parties, dir); err != nil {
		return nil, err
	}
	if err := c.checkAssess(f); err != nil {
		return nil, err
	}
	var err error
	if c.Assess.Timeout, err = duration("timeout", f.Timeout, assess.DefaultTimeout); err != nil {
		return nil, err
	}
	if c.ConnectTimeout, err = duration("connect_timeout", f.ConnectTimeout, DefaultConnectTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

func duration(name, s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration (want for example \"90s\" or \"10m\")", name, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s %q is not positive", name, s)
	}
	return d, nil
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
		key := sameEndpoint(canonical)
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

// invisible reports characters that may not appear in names: control
// characters, format characters (bidirectional overrides, zero-width
// characters) and line or paragraph separators, which can make two
// different names look the same or a name look like something else.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || r == utf8.RuneError
}

// checkAddr checks a host:port and returns it in canonical form: the host
// in lowercase without a trailing dot, an IP address in its shortest form
// (IPv4-mapped IPv6 addresses as IPv4), the port in decimal.
func checkAddr(addr string) (string, error) {
	if addr == "" {
		return "", errors.New(`"addr" is missing (want host:port)`)
	}
	if strings.ContainsFunc(addr, invisible) {
		return "", fmt.Errorf("addr %+q has control or format characters", addr)
	}
	host, port, err := stdnet.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("addr %q is not host:port", addr)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return "", fmt.Errorf("addr %q has no host: other parties must be able to reach it", addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return "", fmt.Errorf("addr %q: port %q is not a number in 1..65535", addr, port)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsUnspecified() {
			return "", fmt.Errorf("addr %q is the unspecified address: give an address the other parties can reach (this party listens on it)", addr)
		}
		host = ip.String()
	}
	return stdnet.JoinHostPort(host, strconv.FormatUint(p, 10)), nil
}

// sameEndpoint returns the form of a canonical address under which
// addresses that reach the same listener on this machine's loopback
// interface coincide: localhost, 127.0.0.1 and ::1 on one port.
func sameEndpoint(canonical string) string {
	host, port, _ := stdnet.SplitHostPort(canonical)
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return "loopback:" + port
	}
	return canonical
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
	for _, v := range []struct {
		name string
		p    *int
		dst  *int
	}{{"threshold", f.Threshold, &a.Threshold}, {"alert_level", f.AlertLevel, &a.AlertLevel}, {"min_parties", f.MinParties, &a.MinParties}} {
		if v.p == nil {
			continue
		}
		if *v.p < 1 {
			return fmt.Errorf("%s %d is not positive (leave it out for the default)", v.name, *v.p)
		}
		*v.dst = *v.p
	}
	if w := f.Weights; w != nil {
		if err := checkKeys("weights", w); err != nil {
			return err
		}
		var v [4]int
		for i, in := range assess.InputFields {
			p := w[in.Key]
			if p == nil {
				return fmt.Errorf("weights: %s is missing (give all four weights, or leave \"weights\" out for the defaults)", in.Key)
			}
			v[i] = *p
		}
		a.Weights = assess.WeightsOf(v)
		if a.Weights == (assess.Weights{}) {
			return errors.New("weights are all zero: the score would not depend on the inputs")
		}
	}
	if b := f.Bounds; b != nil {
		if err := checkKeys("bounds", b); err != nil {
			return err
		}
		r := a.Bounds.Ranges()
		for i, in := range assess.InputFields {
			v, ok := b[in.Key]
			if !ok {
				continue
			}
			if len(v) != 2 {
				return fmt.Errorf("bounds: %s has %d numbers, want [min, max]", in.Key, len(v))
			}
			if v[0] == 0 && v[1] == 0 {
				// assess reads a zero Range as "the default".
				return fmt.Errorf("bounds: %s [0, 0] is not supported: a value that is always 0 should get weight 0 instead", in.Key)
			}
			r[i] = assess.Range{Min: v[0], Max: v[1]}
		}
		a.Bounds = assess.BoundsOf(r)
	}
	if f.InputsProfile != "" && !derive.KnownProfile(f.InputsProfile) {
		return fmt.Errorf("inputs_profile %q: want %s or %s+p95 (the profiles examples/inputs derives by)", f.InputsProfile, derive.Profile, derive.Profile)
	}
	a.InputsProfile = f.InputsProfile
	switch f.Security {
	case "", "semi-honest":
		a.Security = assess.SemiHonest
	case "malicious":
		a.Security = assess.Malicious
	default:
		return fmt.Errorf("security %q: want \"semi-honest\" or \"malicious\"", f.Security)
	}
	switch f.Maximum {
	case "", "bitwise":
	case "tournament":
		a.Tournament = true
	default:
		return fmt.Errorf("maximum %q: want \"bitwise\" or \"tournament\"", f.Maximum)
	}
	if f.MaxBits != nil {
		if *f.MaxBits < 0 {
			return fmt.Errorf("max_bits %d is negative (0 or left out: the exact maximum)", *f.MaxBits)
		}
		a.MaxBits = *f.MaxBits
	}
	if f.StepBits != nil {
		if *f.StepBits < 1 {
			return fmt.Errorf("step_bits %d: want 1 to 4 (leave it out for 1)", *f.StepBits)
		}
		a.StepBits = *f.StepBits
	}
	if f.Epsilon != nil {
		if !(*f.Epsilon > 0) {
			return fmt.Errorf("epsilon %v is not positive (leave it out for no noise)", *f.Epsilon)
		}
		a.Epsilon = *f.Epsilon
	}
	if f.Percentiles != nil && len(f.Percentiles) == 0 {
		return errors.New("percentiles is an empty list (leave it out for none)")
	}
	a.Percentiles = f.Percentiles
	switch f.Field {
	case "", "auto":
		a.Field = assess.FieldAuto
	case string(assess.FieldM61), string(assess.FieldM127):
		a.Field = assess.Field(f.Field)
	default:
		return fmt.Errorf("field %q: want \"auto\", %q or %q", f.Field, assess.FieldM61, assess.FieldM127)
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
