package derive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cohortmpc/cohort/internal/inputs"
)

// Text returns the explanation for people: the four values, each with its
// derivation, what was read and dropped, and the warnings.
func (res *Result) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s derivation as of %s (%s)\n", res.Profile, dayString(res.AsOf), asOfWords(res.AsOfFrom))
	for _, v := range res.Values {
		fmt.Fprintf(&b, "  %-24s %4d  %s\n", v.Name, v.Value, v.Why)
	}
	fmt.Fprintf(&b, "read %s from %s: %d open after de-duplication", count(res.Entries, "finding", "findings"), count(len(res.Reports), "report", "reports"), len(res.Findings))
	if d := res.droppedWords(); d != "" {
		fmt.Fprintf(&b, "; dropped %s", d)
	}
	b.WriteString("\n")
	for _, r := range res.Reports {
		date := "undated"
		if !r.Time.IsZero() {
			date = dayString(dayOf(r.Time))
		}
		fmt.Fprintf(&b, "  %s: %s, %s, %s, sha256 %s\n", r.Name, r.Format, date, count(r.Entries, "finding", "findings"), shortSHA(r.SHA256))
	}
	if k := res.KEV; k != nil {
		fmt.Fprintf(&b, "  %s: KEV catalog %s, %d CVEs, sha256 %s\n", k.Name, k.CatalogVersion, k.Len(), shortSHA(k.SHA256))
	}
	if e := res.EPSS; e != nil {
		date := "undated"
		if !e.ScoreDate.IsZero() {
			date = dayString(dayOf(e.ScoreDate))
		}
		fmt.Fprintf(&b, "  %s: EPSS model %s, scores of %s, %d CVEs, sha256 %s\n", e.Name, e.ModelVersion, date, e.Len(), shortSHA(e.SHA256))
	}
	if inv := res.Inventory; inv != nil {
		fmt.Fprintf(&b, "  %s: inventory of %d assets, sha256 %s\n", inv.Name, inv.Len(), shortSHA(inv.SHA256))
	}
	if fs := res.FirstSeenBefore; fs != nil {
		if fs.SHA256 == "" {
			fmt.Fprintf(&b, "  %s: first-seen record, new\n", fs.Name)
		} else {
			fmt.Fprintf(&b, "  %s: first-seen record, sha256 %s\n", fs.Name, shortSHA(fs.SHA256))
		}
	}
	if len(res.Warnings) > 0 {
		b.WriteString("warnings:\n")
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "  - %s\n", w)
		}
	}
	return b.String()
}

func asOfWords(from string) string {
	if from == "given" {
		return "given"
	}
	return "the day of " + from
}

func (res *Result) droppedWords() string {
	var parts []string
	total := 0
	for _, s := range statusOrder {
		if n := res.Dropped[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s.describe()))
			total += n
		}
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// The JSON explanation.
type explainDoc struct {
	Profile   string            `json:"profile"`
	AsOf      string            `json:"as_of"`
	AsOfFrom  string            `json:"as_of_from"`
	Values    map[string]int    `json:"values"`
	Why       map[string]string `json:"why"`
	Inputs    []explainInput    `json:"inputs"`
	KEV       *explainSide      `json:"kev,omitempty"`
	EPSS      *explainSide      `json:"epss,omitempty"`
	Inventory *explainSide      `json:"inventory,omitempty"`
	FirstSeen *explainSide      `json:"first_seen,omitempty"`
	Entries   int               `json:"entries"`
	Dropped   map[string]int    `json:"dropped"`
	Findings  []explainFinding  `json:"open_findings"`
	Warnings  []string          `json:"warnings"`
}

type explainInput struct {
	File     string `json:"file"`
	Format   Format `json:"format"`
	SHA256   string `json:"sha256"`
	Bytes    int64  `json:"bytes"`
	Time     string `json:"time,omitempty"`
	TimeFrom string `json:"time_from,omitempty"`
	Entries  int    `json:"entries"`
}

type explainSide struct {
	File    string `json:"file"`
	SHA256  string `json:"sha256,omitempty"`
	Bytes   int64  `json:"bytes"`
	Version string `json:"version,omitempty"`
	Date    string `json:"date,omitempty"`
	Entries int    `json:"entries"`
}

type explainFinding struct {
	Vulnerability string   `json:"vulnerability"`
	IDs           []string `json:"ids"`
	Asset         string   `json:"asset"`
	Component     string   `json:"component,omitempty"`
	Score         float64  `json:"score"`
	ScoreFrom     string   `json:"score_from"`
	Fix           bool     `json:"fix"`
	Since         string   `json:"since,omitempty"`
	DateFrom      string   `json:"date_from,omitempty"`
	Reports       []string `json:"reports"`
}

// JSON returns the explanation as a JSON document: the profile, the as-of
// day, the values and their derivations, the SHA-256 of every input, the
// KEV catalog and EPSS model versions, what was dropped, every open finding
// with its score, and the warnings. The same inputs give the same bytes.
func (res *Result) JSON() []byte {
	d := explainDoc{
		Profile:  res.Profile,
		AsOf:     dayString(res.AsOf),
		AsOfFrom: res.AsOfFrom,
		Values:   map[string]int{},
		Why:      map[string]string{},
		Inputs:   []explainInput{},
		Entries:  res.Entries,
		Dropped:  map[string]int{},
		Findings: []explainFinding{},
		Warnings: append([]string{}, res.Warnings...),
	}
	for _, v := range res.Values {
		d.Values[v.Name] = v.Value
		d.Why[v.Name] = v.Why
	}
	for _, r := range res.Reports {
		in := explainInput{File: r.Name, Format: r.Format, SHA256: r.SHA256, Bytes: r.Size, TimeFrom: r.TimeFrom, Entries: r.Entries}
		if !r.Time.IsZero() {
			in.Time = r.Time.Format("2006-01-02T15:04:05Z07:00")
		}
		d.Inputs = append(d.Inputs, in)
	}
	if k := res.KEV; k != nil {
		d.KEV = &explainSide{File: k.Name, SHA256: k.SHA256, Bytes: k.Size, Version: k.CatalogVersion, Entries: k.Len()}
		if !k.Released.IsZero() {
			d.KEV.Date = dayString(dayOf(k.Released))
		}
	}
	if e := res.EPSS; e != nil {
		d.EPSS = &explainSide{File: e.Name, SHA256: e.SHA256, Bytes: e.Size, Version: e.ModelVersion, Entries: e.Len()}
		if !e.ScoreDate.IsZero() {
			d.EPSS.Date = dayString(dayOf(e.ScoreDate))
		}
	}
	if inv := res.Inventory; inv != nil {
		d.Inventory = &explainSide{File: inv.Name, SHA256: inv.SHA256, Bytes: inv.Size, Entries: inv.Len()}
	}
	if fs := res.FirstSeenBefore; fs != nil {
		d.FirstSeen = &explainSide{File: fs.Name, SHA256: fs.SHA256, Bytes: fs.Size}
		if res.FirstSeen != nil {
			d.FirstSeen.Entries = res.FirstSeen.Len()
		}
	}
	for _, s := range statusOrder {
		if n := res.Dropped[s]; n > 0 {
			d.Dropped[string(s)] = n
		}
	}
	for _, f := range res.Findings {
		ef := explainFinding{
			Vulnerability: f.Vulnerability, IDs: f.IDs, Asset: f.Asset, Component: f.Component,
			Score: f.Score, ScoreFrom: f.ScoreFrom, Fix: f.Fix, DateFrom: f.DateFrom, Reports: f.Reports,
		}
		if !f.Since.IsZero() {
			ef.Since = dayString(f.Since)
		}
		d.Findings = append(d.Findings, ef)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(d)
	return buf.Bytes()
}

// WriteCSV writes the one-row CSV that the simulate and party programs
// read: the header, with an org column when org is not empty, and the four
// values. The row is read back with the same parser those programs use
// before anything is written.
func (res *Result) WriteCSV(w io.Writer, org string) error {
	var buf bytes.Buffer
	if err := inputs.WriteCSV(&buf, []inputs.Row{{Org: org, Input: res.Input}}); err != nil {
		return fmt.Errorf("derive: %w", err)
	}
	rows, err := inputs.ParseCSV(bytes.NewReader(buf.Bytes()))
	if err != nil || len(rows) != 1 || rows[0].Input != res.Input || rows[0].Org != org {
		return fmt.Errorf("derive: the row does not read back as written: %v", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
