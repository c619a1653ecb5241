package derive

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cohortmpc/cohort/assess"
)

// Profile names the rules this package derives by (see the package
// documentation). Organisations of one assessment must derive by the same
// profile; a change of any rule is a new profile.
const Profile = "cohort-inputs/v1"

// maxCritical is the default bound of critical_vulnerabilities in package
// assess; a larger count is clamped to it.
const maxCritical = 1000

// staleDays is the age of the KEV catalog or EPSS scores, relative to the
// as-of day, past which a warning is given.
const staleDays = 30

// Errors of the derivation that a caller can resolve by giving more: match
// them with errors.Is.
var (
	// ErrNoAsOf: no report says when it was made, and Options.AsOf is zero.
	ErrNoAsOf = errors.New("no report says when it was made: give the as-of day")
	// ErrNoExposureSource: neither an inventory, nor KEV or EPSS, nor the
	// value itself was given.
	ErrNoExposureSource = errors.New("asset_exposure needs an asset inventory, or the KEV catalog or EPSS scores, or the value itself")
	// ErrNoPatchDates: open high or critical findings have a fix, but none
	// has a date to count from.
	ErrNoPatchDates = errors.New("patch_delay: no open high or critical finding with a fix has a date to count from: keep a first-seen record between runs, or give the value itself")
)

// Options are the inputs of a derivation besides the reports.
type Options struct {
	// AsOf is the day the values are for; zero takes the day of the
	// reports, which must agree. Only its UTC day counts.
	AsOf time.Time
	// Percentile95 takes cvss_score from the 95th percentile of the open
	// findings' scores instead of the highest (profile cohort-inputs/v1+p95).
	Percentile95 bool
	KEV          *KEV
	EPSS         *EPSS
	Inventory    *Inventory
	// FirstSeen is the record kept between runs; the derivation does not
	// change it, and returns the updated record in Result.FirstSeen.
	FirstSeen *FirstSeen
	// Exposure and PatchDelay, when set, are taken as given instead of
	// derived; the explanation says so.
	Exposure   *int
	PatchDelay *int
}

// ProfileID names the profile of a derivation with these options:
// [Profile], or Profile+"+p95" with Percentile95.
func (o Options) ProfileID() string {
	if o.Percentile95 {
		return Profile + "+p95"
	}
	return Profile
}

// A Value is one of the four derived inputs with its derivation in one line.
type Value struct {
	Name  string // the CSV column
	Value int
	Why   string
}

// An OpenFinding is one open finding after de-duplication: every report's
// entry for the same vulnerability, asset and component.
type OpenFinding struct {
	Vulnerability string   // the id, CVE aliases resolved
	IDs           []string // every id the reports gave it
	Asset         string
	Component     string
	Score         float64 // the profile's one score
	ScoreFrom     string  // which score it is
	Fix           bool
	// For open high or critical findings with a fix: the day the patch
	// delay counts from, and where it came from (DateFrom is empty when
	// there is none).
	Since    time.Time
	DateFrom string
	Reports  []string // the reports that list it
}

// ReportInfo describes one report read, for the explanation.
type ReportInfo struct {
	Name     string
	Format   Format
	SHA256   string
	Size     int64
	Time     time.Time // zero when the report says nothing
	TimeFrom string
	Entries  int
}

// Result is a derivation: the four values, how they came about, and what
// to warn about.
type Result struct {
	Profile   string // [Options.ProfileID]
	AsOf      time.Time
	AsOfFrom  string // "given", or the report the day came from
	Input     assess.Input
	Values    [4]Value // cvss_score, critical_vulnerabilities, patch_delay, asset_exposure
	Entries   int      // findings read from all reports
	Dropped   map[Status]int
	Findings  []OpenFinding
	Warnings  []string
	Reports   []ReportInfo
	KEV       *KEV
	EPSS      *EPSS
	Inventory *Inventory
	// FirstSeenBefore describes the record given (nil when none);
	// FirstSeen is the updated record to keep for the next run.
	FirstSeenBefore *File
	FirstSeen       *FirstSeen
}

// entry is one report's finding on its way through the derivation.
type entry struct {
	f      *Finding
	report int // index into the sorted reports
	key    findingKey
	status Status
}

// merged is the de-duplicated finding.
type merged struct {
	key       findingKey
	entries   []*entry
	ids       map[string]bool
	names     map[string]bool // asset names
	scores    []Score
	labels    map[string]bool
	fix       bool
	fixDate   time.Time
	published time.Time
	reports   map[int]bool
	tenths    int
	tier      tier
	from      string
	since     time.Time
	dateFrom  string
}

// Derive derives the four inputs from the reports by the profile. The
// result does not depend on the order of the reports or of their findings,
// and a finding listed twice counts once.
func Derive(reports []*Report, opt Options) (*Result, error) {
	if len(reports) == 0 {
		return nil, errors.New("derive: no reports")
	}
	rs := slices.Clone(reports)
	slices.SortStableFunc(rs, func(a, b *Report) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.SHA256, b.SHA256)
	})
	res := &Result{
		Profile:   opt.ProfileID(),
		Dropped:   map[Status]int{},
		KEV:       opt.KEV,
		EPSS:      opt.EPSS,
		Inventory: opt.Inventory,
	}
	if opt.FirstSeen != nil {
		f := opt.FirstSeen.File
		res.FirstSeenBefore = &f
	}
	if err := res.asOf(rs, opt); err != nil {
		return nil, err
	}
	seenSHA := map[string]string{}
	for _, r := range rs {
		res.Reports = append(res.Reports, ReportInfo{Name: r.Name, Format: r.Format, SHA256: r.SHA256, Size: r.Size, Time: r.Time, TimeFrom: r.TimeFrom, Entries: len(r.Findings)})
		if r.SHA256 != "" {
			if prev, dup := seenSHA[r.SHA256]; dup {
				res.warn("%s has the same content as %s: its findings count once", r.Name, prev)
			}
			seenSHA[r.SHA256] = r.Name
		}
		for _, n := range slices.Compact(slices.Sorted(slices.Values(r.Notes))) {
			res.warn("%s", n)
		}
	}
	res.sideFileWarnings()

	// Entries, with the dates checked against the as-of day.
	var entries []*entry
	for i, r := range rs {
		for j := range r.Findings {
			f := &r.Findings[j]
			for _, d := range []struct {
				t    time.Time
				what string
			}{{f.FixDate, "fix date"}, {f.Published, "publication date"}} {
				if !d.t.IsZero() && dayOf(d.t).After(res.AsOf) {
					return nil, errorf(r.Name, 0, f.Place, "%s %s is after the as-of day %s: a date in the future", d.what, dayString(dayOf(d.t)), dayString(res.AsOf))
				}
			}
			entries = append(entries, &entry{f: f, report: i, status: f.Status})
		}
	}
	res.Entries = len(entries)
	resolveIDs(entries)

	// Statements about a finding hold for every report's entry of it.
	statement := map[findingKey]Status{}
	for _, e := range entries {
		if e.status.statement() {
			if s, ok := statement[e.key]; !ok || statusRank(e.status) < statusRank(s) {
				statement[e.key] = e.status
			}
		}
	}
	groups := map[findingKey]*merged{}
	var keys []findingKey
	for _, e := range entries {
		if s, ok := statement[e.key]; ok {
			e.status = s
		}
		if e.status == Open && len(e.f.Scores) == 0 && isInformational(e.f.Severity) {
			e.status = Informational
		}
		if e.status != Open {
			res.Dropped[e.status]++
			continue
		}
		m := groups[e.key]
		if m == nil {
			m = &merged{key: e.key, ids: map[string]bool{}, names: map[string]bool{}, labels: map[string]bool{}, reports: map[int]bool{}}
			groups[e.key] = m
			keys = append(keys, e.key)
		}
		m.add(e)
	}
	slices.SortFunc(keys, compareKeys)

	// One score per finding.
	var open []*merged
	unscored := 0
	var vectorWarnings []string
	for _, k := range keys {
		m := groups[k]
		warns := m.score()
		vectorWarnings = append(vectorWarnings, warns...)
		if m.tier == 0 {
			res.Dropped[Unscored] += len(m.entries)
			unscored++
			continue
		}
		open = append(open, m)
	}
	for _, w := range slices.Compact(slices.Sorted(slices.Values(vectorWarnings))) {
		res.warn("%s", w)
	}
	if unscored > 0 {
		res.warn("%s neither a score nor a severity label and left out", count(unscored, "finding has", "findings have"))
	}
	res.scoreWarnings(open)

	res.Values[0] = res.cvssValue(open, opt)
	res.Values[1] = res.criticalValue(open)
	v, err := res.patchValue(open, opt)
	if err != nil {
		return nil, err
	}
	res.Values[2] = v
	if res.Values[3], err = res.exposureValue(open, opt); err != nil {
		return nil, err
	}
	res.Input = assess.Input{CVSS: res.Values[0].Value, Critical: res.Values[1].Value, PatchDelay: res.Values[2].Value, Exposure: res.Values[3].Value}
	for _, m := range open {
		res.Findings = append(res.Findings, m.open(rs))
	}
	res.FirstSeen = updateFirstSeen(opt.FirstSeen, open, res.AsOf)
	return res, nil
}

func (res *Result) warn(format string, args ...any) {
	res.Warnings = append(res.Warnings, fmt.Sprintf(format, args...))
}

// statusRank orders statements: a VEX not_affected over resolved over
// suppressed.
func statusRank(s Status) int { return slices.Index(statusOrder, s) }

func compareKeys(a, b findingKey) int {
	if c := strings.Compare(a.Vuln, b.Vuln); c != 0 {
		return c
	}
	if c := strings.Compare(a.Asset, b.Asset); c != 0 {
		return c
	}
	return strings.Compare(a.Component, b.Component)
}

// asOf fixes the as-of day.
func (res *Result) asOf(rs []*Report, opt Options) error {
	if !opt.AsOf.IsZero() {
		res.AsOf, res.AsOfFrom = dayOf(opt.AsOf), "given"
		for _, r := range rs {
			if r.Time.IsZero() {
				continue
			}
			d := dayOf(r.Time)
			switch {
			case d.After(res.AsOf):
				return errorf(r.Name, 0, r.TimeFrom, "the report is dated %s, after the as-of day %s: a date in the future", dayString(d), dayString(res.AsOf))
			case d.Before(res.AsOf):
				res.warn("stale report: %s is dated %s, %s before the as-of day", r.Name, dayString(d), count(daysBetween(d, res.AsOf), "day", "days"))
			}
		}
	} else {
		var first *Report
		for _, r := range rs {
			if r.Time.IsZero() {
				continue
			}
			if first == nil {
				first = r
				continue
			}
			if a, b := dayOf(first.Time), dayOf(r.Time); !a.Equal(b) {
				return fmt.Errorf("derive: reports for different days: %s is dated %s (UTC) and %s %s: give the as-of day, or use reports of one day", first.Name, dayString(a), r.Name, dayString(b))
			}
		}
		if first == nil {
			return fmt.Errorf("derive: %w", ErrNoAsOf)
		}
		res.AsOf, res.AsOfFrom = dayOf(first.Time), first.Name
	}
	for _, r := range rs {
		if r.Time.IsZero() {
			res.warn("%s does not say when it was made; taken as of %s", r.Name, dayString(res.AsOf))
		}
	}
	return nil
}

func (res *Result) sideFileWarnings() {
	check := func(what string, t time.Time) {
		if t.IsZero() {
			res.warn("%s does not say when it was made", what)
			return
		}
		d := dayOf(t)
		switch n := daysBetween(d, res.AsOf); {
		case n < 0:
			res.warn("%s is dated %s, after the as-of day: it may know of later events", what, dayString(d))
		case n > staleDays:
			res.warn("%s is dated %s, %s before the as-of day", what, dayString(d), count(n, "day", "days"))
		}
	}
	if k := res.KEV; k != nil {
		check(fmt.Sprintf("KEV catalog %s (%s)", k.CatalogVersion, k.Name), k.Released)
	}
	if e := res.EPSS; e != nil {
		check(fmt.Sprintf("EPSS scores %s (%s)", e.ModelVersion, e.Name), e.ScoreDate)
	}
}

func (m *merged) add(e *entry) {
	f := e.f
	m.entries = append(m.entries, e)
	m.ids[normID(f.ID)] = true
	for _, a := range f.Aliases {
		if a = normID(a); a != "" {
			m.ids[a] = true
		}
	}
	m.names[strings.ToLower(strings.TrimSpace(f.Asset))] = true
	for _, n := range f.AssetNames {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			m.names[n] = true
		}
	}
	m.scores = append(m.scores, f.Scores...)
	if l := normLabel(f.Severity); l != "" {
		m.labels[l] = true
	}
	if f.Fix {
		m.fix = true
		if !f.FixDate.IsZero() {
			m.fixDate = earlierDay(m.fixDate, dayOf(f.FixDate))
		}
	}
	if !f.Published.IsZero() {
		m.published = earlierDay(m.published, dayOf(f.Published))
	}
	m.reports[e.report] = true
}

func (m *merged) open(rs []*Report) OpenFinding {
	o := OpenFinding{
		Vulnerability: m.key.Vuln,
		IDs:           sortedKeys(m.ids),
		Asset:         m.key.Asset,
		Component:     m.key.Component,
		Score:         float64(m.tenths) / 10,
		ScoreFrom:     m.from,
		Fix:           m.fix,
		Since:         m.since,
		DateFrom:      m.dateFrom,
	}
	for _, i := range sortedKeys(m.reports) {
		o.Reports = append(o.Reports, rs[i].Name)
	}
	return o
}

// normID spells an id the way the derivation compares ids: trimmed and in
// upper case.
func normID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// resolveIDs sets each entry's key. A finding's vulnerability is the one
// CVE its ids name — its own id and aliases, and the CVEs any report lists
// as aliases of those — or, when they name none or several, its own id.
func resolveIDs(entries []*entry) {
	cvesOf := map[string]map[string]bool{}
	ids := func(f *Finding) []string {
		out := []string{normID(f.ID)}
		for _, a := range f.Aliases {
			if a = normID(a); a != "" {
				out = append(out, a)
			}
		}
		return out
	}
	for _, e := range entries {
		all := ids(e.f)
		for _, x := range all {
			if isCVE(x) {
				continue
			}
			for _, c := range all {
				if isCVE(c) {
					if cvesOf[x] == nil {
						cvesOf[x] = map[string]bool{}
					}
					cvesOf[x][c] = true
				}
			}
		}
	}
	for _, e := range entries {
		all := ids(e.f)
		cves := map[string]bool{}
		for _, x := range all {
			if isCVE(x) {
				cves[x] = true
			}
			for c := range cvesOf[x] {
				cves[c] = true
			}
		}
		vuln := all[0]
		if len(cves) == 1 {
			for c := range cves {
				vuln = c
			}
		}
		e.key = findingKey{
			Vuln:      vuln,
			Asset:     strings.ToLower(strings.TrimSpace(e.f.Asset)),
			Component: strings.ToLower(strings.TrimSpace(e.f.Component)),
		}
	}
}
