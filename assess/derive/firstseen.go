package derive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FirstSeen is the local record, kept between runs, of the day each open
// finding with a fix was first seen: the patch delay's fallback when no
// report says when the fix appeared. Its file is JSON.
type FirstSeen struct {
	File    // the file read; SHA256 is empty when it did not exist
	entries map[findingKey]time.Time
}

// findingKey identifies a finding: the vulnerability (CVE aliases
// resolved), the asset and the component, in the derivation's spelling.
type findingKey struct {
	Vuln, Asset, Component string
}

type firstSeenDoc struct {
	Profile  string           `json:"profile"`
	Findings []firstSeenEntry `json:"findings"`
}

type firstSeenEntry struct {
	Vulnerability string `json:"vulnerability"`
	Asset         string `json:"asset"`
	Component     string `json:"component"`
	FirstSeen     string `json:"first_seen"`
}

// NewFirstSeen returns an empty record.
func NewFirstSeen() *FirstSeen { return &FirstSeen{entries: map[findingKey]time.Time{}} }

// Len returns the number of findings recorded.
func (s *FirstSeen) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// Lookup returns the day a finding was first seen.
func (s *FirstSeen) Lookup(vuln, asset, component string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	t, ok := s.entries[findingKey{vuln, asset, component}]
	return t, ok
}

func (s *FirstSeen) clone() *FirstSeen {
	c := NewFirstSeen()
	if s != nil {
		c.File = s.File
		for k, v := range s.entries {
			c.entries[k] = v
		}
	}
	return c
}

// ReadFirstSeen reads the record at path; a file that does not exist yet
// is an empty record.
func ReadFirstSeen(path string, maxSize int64) (*FirstSeen, error) {
	in, err := readFile(path, orDefault(maxSize))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s := NewFirstSeen()
			s.Name = path
			return s, nil
		}
		return nil, err
	}
	return parseFirstSeen(in)
}

// ParseFirstSeen parses a record; name is used in messages.
func ParseFirstSeen(name string, data []byte) (*FirstSeen, error) {
	in, err := newInput(name, data, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	return parseFirstSeen(in)
}

func parseFirstSeen(in *input) (*FirstSeen, error) {
	p := &parser{name: in.name, data: in.data}
	var doc firstSeenDoc
	if err := p.decodeJSON(&doc); err != nil {
		return nil, err
	}
	if doc.Profile != Profile {
		return nil, p.at([]any{"profile"}, "record of profile %q: this derivation is %s; start a new record", doc.Profile, Profile)
	}
	s := NewFirstSeen()
	s.File = File{Name: in.name, SHA256: in.sha256, Size: in.raw}
	for i, e := range doc.Findings {
		d, err := time.Parse("2006-01-02", e.FirstSeen)
		if err != nil {
			return nil, p.at([]any{"findings", i, "first_seen"}, "%q is not a date (YYYY-MM-DD)", e.FirstSeen)
		}
		if e.Vulnerability == "" {
			return nil, p.at([]any{"findings", i}, "no vulnerability")
		}
		k := findingKey{e.Vulnerability, e.Asset, e.Component}
		if _, dup := s.entries[k]; dup {
			return nil, p.at([]any{"findings", i}, "%s on %s (%s) is recorded twice", k.Vuln, k.Asset, k.Component)
		}
		s.entries[k] = d
	}
	return s, nil
}

// Marshal returns the record's JSON, in a canonical order.
func (s *FirstSeen) Marshal() []byte {
	doc := firstSeenDoc{Profile: Profile, Findings: []firstSeenEntry{}}
	if s != nil {
		for k, d := range s.entries {
			doc.Findings = append(doc.Findings, firstSeenEntry{k.Vuln, k.Asset, k.Component, dayString(d)})
		}
	}
	slices.SortFunc(doc.Findings, func(a, b firstSeenEntry) int {
		return strings.Compare(a.Vulnerability+"\x00"+a.Asset+"\x00"+a.Component, b.Vulnerability+"\x00"+b.Asset+"\x00"+b.Component)
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(doc)
	return buf.Bytes()
}

// WriteFile writes the record to path atomically: to a temporary file in
// the same directory, synced, then renamed over path.
func (s *FirstSeen) WriteFile(path string) error {
	return WriteFileAtomic(path, s.Marshal(), 0o644)
}

// WriteFileAtomic writes data to path so that path holds either its old
// content or all of data, never a part: it writes a temporary file in the
// same directory, syncs it and renames it over path.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("derive: writing %s: %w", path, unwrapPathError(err))
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("derive: writing %s: %w", path, unwrapPathError(err))
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("derive: writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("derive: writing %s: %w", path, unwrapPathError(err))
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
