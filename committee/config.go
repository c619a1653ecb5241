package committee

import (
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/canon"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/internal/pubcfg"
	"github.com/cohortmpc/cohort/net/tcp"
)

// Defaults of the local settings of a campaign file.
const (
	// DefaultConnectTimeout is how long a server waits for the others to
	// join the computation before it tries again.
	DefaultConnectTimeout = time.Minute
	// MaxServers is the largest committee: m ∈ {3, 5, 7} are the sizes
	// the design has in mind; anything odd from 3 to 15 is accepted.
	MaxServers = 15
	// MaxOrganisations bounds the organisations of one campaign.
	MaxOrganisations = 1_000_000
)

// Peer is one server of the committee as the campaign file lists it.
type Peer struct {
	ID int `json:"id"` // 1..m, its Shamir point
	// API is the host:port of its HTTPS interface, which organisations
	// reach.
	API string `json:"api"`
	// Mesh is the host:port where it accepts the other servers for the
	// computation (package net/tcp).
	Mesh string `json:"mesh"`
	// Fingerprint pins its key ("sha256:<hex>", as keygen prints it); the
	// same key serves both addresses.
	Fingerprint string `json:"fingerprint"`
}

// Organisation is one organisation allowed to submit.
type Organisation struct {
	ID          string `json:"id"`          // 1..64 letters, digits, '.', '_' or '-'
	Fingerprint string `json:"fingerprint"` // the pin of its key
}

// Campaign is a checked campaign file: the public configuration that every
// server and every organisation holds the same copy of.
type Campaign struct {
	ID       string
	Deadline time.Time
	// Quorum, when positive, closes a server's submissions as soon as it
	// holds that many, before the deadline.
	Quorum        int
	Servers       []Peer         // Servers[i].ID == i+1
	Organisations []Organisation // in file order; ids and keys distinct
	// Assess holds the assessment's parameters; SessionID is ID and
	// Timeout the computation's timeout.
	Assess assess.Config
	// ConnectTimeout bounds how long a server waits for the others when
	// the computation starts.
	ConnectTimeout time.Duration

	hash     [32]byte
	field    assess.Field
	size     int            // field elements per server of one submission
	elemSize int            // bytes per field element
	orgIndex map[string]int // organisation id → index
	byPin    map[string]int // fingerprint → organisation index, or −server id
}

// file is the JSON form of a campaign file.
type file struct {
	Campaign      string         `json:"campaign"`
	Deadline      string         `json:"deadline"`
	Quorum        *int           `json:"quorum,omitempty"`
	Servers       []Peer         `json:"servers"`
	Organisations []Organisation `json:"organisations"`
	// The assessment's entries, as in cohort.json.
	pubcfg.Assessment
	MinOrganisations *int   `json:"min_organisations,omitempty"`
	Timeout          string `json:"timeout,omitempty"`
	ConnectTimeout   string `json:"connect_timeout,omitempty"`
}

// Load reads and checks a campaign file. Errors name the file and the
// entry.
func Load(path string) (*Campaign, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	c, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("committee: %s: %w", path, err)
	}
	return c, nil
}

// Parse checks the contents of a campaign file.
func Parse(data []byte) (*Campaign, error) {
	c, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	return c, nil
}

func parse(data []byte) (*Campaign, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("line %d: %s", 1+bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n")), strings.TrimPrefix(err.Error(), "json: "))
		}
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file: want a JSON object")
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return f.check()
}

// idPattern is what an organisation's id may be: it names the
// organisation in the store, in errors and in the logs.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (f *file) check() (*Campaign, error) {
	c := &Campaign{ID: f.Campaign}
	if c.ID == "" {
		return nil, errors.New(`"campaign" is missing: give the campaign an id, the same in every copy of the file`)
	}
	if strings.TrimSpace(c.ID) != c.ID || strings.ContainsFunc(c.ID, pubcfg.Invisible) || len(c.ID) > 200 {
		return nil, fmt.Errorf("campaign %+q has surrounding white space, control or format characters, or more than 200 bytes", c.ID)
	}
	if f.Deadline == "" {
		return nil, errors.New(`"deadline" is missing (want a time such as "2026-03-31T18:00:00Z")`)
	}
	d, err := time.Parse(time.RFC3339, f.Deadline)
	if err != nil {
		return nil, fmt.Errorf("deadline %q is not an RFC 3339 time such as \"2026-03-31T18:00:00Z\"", f.Deadline)
	}
	c.Deadline = d
	if f.Quorum != nil {
		if *f.Quorum < 1 {
			return nil, fmt.Errorf("quorum %d is not positive (leave it out to wait for the deadline)", *f.Quorum)
		}
		c.Quorum = *f.Quorum
	}
	if err := c.checkServers(f.Servers); err != nil {
		return nil, err
	}
	if err := c.checkOrganisations(f.Organisations); err != nil {
		return nil, err
	}
	if c.Quorum > len(c.Organisations) {
		return nil, fmt.Errorf("quorum %d is more than the %d organisations listed", c.Quorum, len(c.Organisations))
	}
	if err := c.checkAssess(f); err != nil {
		return nil, err
	}
	if c.Assess.Timeout, err = pubcfg.Duration("timeout", f.Timeout, assess.DefaultTimeout); err != nil {
		return nil, err
	}
	if c.ConnectTimeout, err = pubcfg.Duration("connect_timeout", f.ConnectTimeout, DefaultConnectTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Campaign) checkServers(entries []Peer) error {
	m := len(entries)
	if m < 3 || m > MaxServers || m%2 == 0 {
		return fmt.Errorf(`"servers" lists %d servers: want an odd number from 3 to %d (3, 5 or 7 independent operators; an even one adds no tolerance)`, m, MaxServers)
	}
	c.Servers = make([]Peer, m)
	c.byPin = make(map[string]int)
	addrs := make(map[string]string)
	for i, e := range entries {
		name := fmt.Sprintf("servers[%d] (id %d)", i, e.ID)
		if e.ID < 1 || e.ID > m {
			return fmt.Errorf("%s: id %d is outside 1..%d", name, e.ID, m)
		}
		if c.Servers[e.ID-1].ID != 0 {
			return fmt.Errorf("%s: id %d is listed twice", name, e.ID)
		}
		p := Peer{ID: e.ID}
		var err error
		for _, a := range []struct {
			key string
			in  string
			out *string
		}{{"api", e.API, &p.API}, {"mesh", e.Mesh, &p.Mesh}} {
			if *a.out, err = pubcfg.CanonicalAddr(a.in); err != nil {
				return fmt.Errorf("%s: %s: %w", name, a.key, err)
			}
			key := pubcfg.SameEndpoint(*a.out)
			if other, dup := addrs[key]; dup {
				return fmt.Errorf("%s: %s address %s is already used by %s", name, a.key, a.in, other)
			}
			addrs[key] = fmt.Sprintf("server %d (%s)", e.ID, a.key)
		}
		if p.Fingerprint, err = deploy.CanonicalFingerprint(e.Fingerprint); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if other, dup := c.byPin[p.Fingerprint]; dup {
			return fmt.Errorf("%s: has the same key as server %d: every server needs its own key", name, -other)
		}
		c.byPin[p.Fingerprint] = -p.ID
		c.Servers[e.ID-1] = p
	}
	return nil
}

func (c *Campaign) checkOrganisations(entries []Organisation) error {
	if len(entries) == 0 {
		return errors.New(`"organisations" is missing or empty: list every organisation allowed to submit, with its key's fingerprint`)
	}
	if len(entries) > MaxOrganisations {
		return fmt.Errorf(`"organisations" lists %d organisations, more than %d`, len(entries), MaxOrganisations)
	}
	c.Organisations = make([]Organisation, len(entries))
	c.orgIndex = make(map[string]int, len(entries))
	for i, e := range entries {
		name := fmt.Sprintf("organisations[%d] (%q)", i, e.ID)
		if !idPattern.MatchString(e.ID) {
			return fmt.Errorf("%s: id %q is not 1..64 letters, digits, '.', '_' or '-' (starting with a letter or digit)", name, e.ID)
		}
		if j, dup := c.orgIndex[e.ID]; dup {
			return fmt.Errorf("%s: id %q is already used by organisations[%d]", name, e.ID, j)
		}
		pin, err := deploy.CanonicalFingerprint(e.Fingerprint)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if other, dup := c.byPin[pin]; dup {
			if other < 0 {
				return fmt.Errorf("%s: has the key of server %d", name, -other)
			}
			return fmt.Errorf("%s: has the same key as %q: every organisation needs its own key", name, c.Organisations[other].ID)
		}
		c.byPin[pin] = i
		c.orgIndex[e.ID] = i
		c.Organisations[i] = Organisation{ID: e.ID, Fingerprint: pin}
	}
	return nil
}

// checkAssess fills in c.Assess and validates it with package assess for
// the organisations listed (a campaign whose list is below the minimum
// group can never run).
func (c *Campaign) checkAssess(f *file) error {
	a := &c.Assess
	a.SessionID = c.ID
	if err := f.Assessment.Apply(a); err != nil {
		return err
	}
	if err := pubcfg.Positive("min_organisations", f.MinOrganisations, &a.MinParties); err != nil {
		return err
	}
	// What a submission holds first: it also refuses what committee mode
	// cannot do, whatever the number of organisations.
	var err error
	if c.size, err = a.SubmissionSize(); err != nil {
		return err
	}
	r, err := a.Resolve(len(c.Organisations))
	if err != nil {
		if errors.Is(err, assess.ErrTooFewParties) {
			return fmt.Errorf("%d organisations are listed: %w", len(c.Organisations), err)
		}
		return err
	}
	c.field = r.Field
	c.elemSize = 8
	if r.Field == assess.FieldM127 {
		c.elemSize = 16
	}
	c.hash = c.computeHash(r.Hash())
	return nil
}

// hashDomain separates the campaign hash from other uses of SHA-256; bump
// the version when the encoding changes.
const hashDomain = "cohort/committee/campaign/v1"

// computeHash digests everything public: the campaign id, deadline and
// quorum, every server (id, both addresses in canonical form, key), every
// organisation (id, key) in file order, whether the alert level is fixed,
// and the assessment's own hash for the organisations listed (threshold,
// alert level, weights, bounds, minimum group, field, security).
func (c *Campaign) computeHash(assessHash [32]byte) [32]byte {
	h := canon.New(hashDomain)
	h.String(c.ID)
	h.Int(c.Deadline.UnixNano())
	h.Int(int64(c.Quorum))
	h.Int(int64(len(c.Servers)))
	for _, p := range c.Servers {
		h.Int(int64(p.ID))
		h.String(p.API)
		h.String(p.Mesh)
		h.String(p.Fingerprint)
	}
	h.Int(int64(len(c.Organisations)))
	for _, o := range c.Organisations {
		h.String(o.ID)
		h.String(o.Fingerprint)
	}
	// An alert level left out is the default for the organisations that
	// take part, not for those listed, which assessHash assumed.
	h.Bool(c.Assess.AlertLevel != 0)
	h.Bytes(assessHash[:])
	return h.Sum()
}

// Hash is the campaign's configuration hash. Servers refuse a store
// written under another hash and each other at the computation when
// theirs differ; organisations send it with every submission.
func (c *Campaign) Hash() [32]byte { return c.hash }

// HashHex is [Campaign.Hash] in hexadecimal.
func (c *Campaign) HashHex() string { return hex.EncodeToString(c.hash[:]) }

// M is the number of servers.
func (c *Campaign) M() int { return len(c.Servers) }

// SubmissionBytes is the length of the shares one organisation sends one
// server.
func (c *Campaign) SubmissionBytes() int { return c.size * c.elemSize }

// Field is the field the computation runs in.
func (c *Campaign) Field() assess.Field { return c.field }

// Organisation returns the entry of the organisation named id.
func (c *Campaign) Organisation(id string) (Organisation, bool) {
	i, ok := c.orgIndex[id]
	if !ok {
		return Organisation{}, false
	}
	return c.Organisations[i], true
}

// Server returns the entry of server id.
func (c *Campaign) Server(id int) (Peer, error) {
	if id < 1 || id > len(c.Servers) {
		return Peer{}, fmt.Errorf("committee: server %d is not in the campaign (ids 1..%d)", id, len(c.Servers))
	}
	return c.Servers[id-1], nil
}

// whose returns who holds the key with this pin: an organisation's index
// (≥ 0), a server's id as a negative number, or ok false.
func (c *Campaign) whose(pin string) (int, bool) {
	w, ok := c.byPin[pin]
	return w, ok
}

// Marshal returns the campaign in the file format, indented; [Parse] reads
// it back to the same campaign.
func (c *Campaign) Marshal() ([]byte, error) {
	f := file{
		Campaign:       c.ID,
		Deadline:       c.Deadline.Format(time.RFC3339Nano),
		Servers:        c.Servers,
		Organisations:  c.Organisations,
		Assessment:     pubcfg.AssessmentOf(c.Assess),
		Timeout:        c.Assess.Timeout.String(),
		ConnectTimeout: c.ConnectTimeout.String(),
	}
	if c.Quorum > 0 {
		f.Quorum = &c.Quorum
	}
	if c.Assess.MinParties != 0 {
		f.MinOrganisations = &c.Assess.MinParties
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// LoadIdentity reads a private key (keygen's .key file) and its
// certificate; an empty certPath means the key's path with .crt for .key.
func LoadIdentity(keyPath, certPath string) (tls.Certificate, error) {
	if certPath == "" {
		base, ok := strings.CutSuffix(keyPath, ".key")
		if !ok {
			return tls.Certificate{}, fmt.Errorf("committee: the key file %s does not end in .key: give its certificate's path", keyPath)
		}
		certPath = base + ".crt"
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("committee: reading the key: %w", err)
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("committee: reading the certificate: %w", err)
	}
	cert, err := tcp.LoadIdentity(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("committee: %s and %s: %w", keyPath, certPath, err)
	}
	return cert, nil
}
