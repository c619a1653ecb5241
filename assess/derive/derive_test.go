package derive_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess/derive"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// rep makes a report dated on day (empty: undated).
func rep(name, date string, fs ...derive.Finding) *derive.Report {
	r := &derive.Report{Name: name, Format: derive.Trivy, SHA256: name, Findings: fs}
	if date != "" {
		r.Time, r.TimeFrom = day(date).Add(9*time.Hour), "CreatedAt"
	}
	return r
}

// fnd makes an open finding with an NVD v3.1 score.
func fnd(id, asset, comp string, score float64, opts ...func(*derive.Finding)) derive.Finding {
	f := derive.Finding{ID: id, Asset: asset, Component: comp, Place: id}
	if score >= 0 {
		f.Scores = []derive.Score{{Source: "nvd", Version: derive.CVSS31, Value: score}}
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func status(s derive.Status) func(*derive.Finding) { return func(f *derive.Finding) { f.Status = s } }
func label(l string) func(*derive.Finding)         { return func(f *derive.Finding) { f.Severity = l } }
func aliases(a ...string) func(*derive.Finding)    { return func(f *derive.Finding) { f.Aliases = a } }
func fixed(date string) func(*derive.Finding) {
	return func(f *derive.Finding) {
		f.Fix = true
		if date != "" {
			f.FixDate = day(date)
		}
	}
}
func published(date string) func(*derive.Finding) {
	return func(f *derive.Finding) { f.Published = day(date) }
}

func intp(v int) *int { return &v }

// given fills in what a test does not care about.
func given(opt derive.Options) derive.Options {
	if opt.Exposure == nil && opt.Inventory == nil && opt.KEV == nil && opt.EPSS == nil {
		opt.Exposure = intp(50)
	}
	return opt
}

func TestOpenFindingsOnly(t *testing.T) {
	a := rep("a.json", "2025-03-14",
		fnd("CVE-1", "img", "p@1", 9.8),
		fnd("CVE-2", "img", "p@1", 9.1, status(derive.NotAffected)),
		fnd("CVE-3", "img", "p@1", 9.0, status(derive.Withdrawn)),
		fnd("CVE-4", "img", "p@1", -1, label("negligible")),
		fnd("CVE-5", "img", "p@1", 5.0, label("negligible")), // scored: kept
		fnd("CVE-6", "img", "p@1", -1, label("unknown")),
		fnd("CVE-7", "img", "p@1", 9.5, status(derive.Suppressed)),
		fnd("CVE-8", "img", "p@1", 9.4, status(derive.Resolved)),
	)
	b := rep("b.json", "2025-03-14",
		fnd("CVE-2", "IMG", "P@1", 9.1), // not affected in a.json: dropped here too
		fnd("CVE-3", "img", "p@1", 9.0), // withdrawn in a.json only: open here
		fnd("CVE-7", "img", "p@2", 9.5), // another component: open
	)
	res, err := derive.Derive([]*derive.Report{a, b}, given(derive.Options{}))
	require.NoError(t, err)
	var open []string
	for _, f := range res.Findings {
		open = append(open, f.Vulnerability+" "+f.Component)
	}
	assert.Equal(t, []string{"CVE-1 p@1", "CVE-3 p@1", "CVE-5 p@1", "CVE-7 p@2"}, open)
	assert.Equal(t, 11, res.Entries)
	assert.Equal(t, map[derive.Status]int{
		derive.NotAffected: 2, derive.Withdrawn: 1, derive.Informational: 1, derive.Unscored: 1, derive.Suppressed: 1, derive.Resolved: 1,
	}, res.Dropped)
	assert.Equal(t, 3, res.Input.Critical) // CVE-1, CVE-3, CVE-7
	assert.Contains(t, res.Warnings, "1 finding has neither a score nor a severity label and left out")
}

func TestDeduplication(t *testing.T) {
	var replicas []derive.Finding
	for i := range 50 {
		replicas = append(replicas, fnd("CVE-2021-44228", fmt.Sprintf("replica-%02d", i), "log4j-core@2.14.1", 10))
	}
	r := rep("r.json", "2025-03-14", replicas...)
	other := rep("o.json", "2025-03-14",
		fnd("GHSA-jfh8-c2jp-5v3q", "replica-00", "LOG4J-CORE@2.14.1", 9.0, aliases("CVE-2021-44228")),
		fnd("CVE-2023-0286", "replica-00", "libssl3@3.0.7", 7.4),
		fnd("CVE-2023-0286", "replica-00", "libcrypto3@3.0.7", 7.4),
	)
	res, err := derive.Derive([]*derive.Report{r, other}, given(derive.Options{}))
	require.NoError(t, err)
	assert.Len(t, res.Findings, 52) // 50 replicas, the CVE on two packages
	assert.Equal(t, 1, res.Input.Critical)
	assert.Equal(t, 100, res.Input.CVSS)
	f := res.Findings[0]
	assert.Equal(t, "CVE-2021-44228", f.Vulnerability)
	assert.Equal(t, []string{"CVE-2021-44228", "GHSA-JFH8-C2JP-5V3Q"}, f.IDs)
	assert.Equal(t, []string{"o.json", "r.json"}, f.Reports)
	assert.Equal(t, 10.0, f.Score) // the higher of the two NVD scores the entries give
}

func TestCVSSValue(t *testing.T) {
	var fs []derive.Finding
	for i := 1; i <= 20; i++ { // scores 0.5, 1.0, …, 10.0
		fs = append(fs, fnd(fmt.Sprintf("CVE-2025-%04d", i), "a", "c", float64(i)/2))
	}
	r := rep("r.json", "2025-03-14", fs...)
	res, err := derive.Derive([]*derive.Report{r}, given(derive.Options{}))
	require.NoError(t, err)
	assert.Equal(t, 100, res.Input.CVSS)
	assert.Equal(t, "highest open score 10.0 (NVD CVSS v3.1): CVE-2025-0020 on a (c)", res.Values[0].Why)
	res, err = derive.Derive([]*derive.Report{r}, given(derive.Options{Percentile95: true}))
	require.NoError(t, err)
	assert.Equal(t, 95, res.Input.CVSS) // nearest rank ⌈0.95 · 20⌉ = 19: 9.5
	assert.Equal(t, "cohort-inputs/v1+p95", res.Profile)
	assert.True(t, strings.HasPrefix(res.Values[0].Why, "95th percentile of 20 open scores: 9.5 (nearest rank 19)"), res.Values[0].Why)

	res, err = derive.Derive([]*derive.Report{rep("e.json", "2025-03-14")}, derive.Options{})
	require.NoError(t, err)
	assert.Equal(t, [4]int{}, values(res))
	assert.Equal(t, "no open findings", res.Values[0].Why)
	assert.Equal(t, "no affected assets", res.Values[3].Why)
}

// Values are the four numbers of a result.

func values(res *derive.Result) [4]int {
	return [4]int{res.Input.CVSS, res.Input.Critical, res.Input.PatchDelay, res.Input.Exposure}
}

func TestCriticalClamp(t *testing.T) {
	var fs []derive.Finding
	for i := range 1002 {
		fs = append(fs, fnd(fmt.Sprintf("CVE-2025-%05d", i), "a", "c", 9.0))
	}
	res, err := derive.Derive([]*derive.Report{rep("r.json", "2025-03-14", fs...)}, given(derive.Options{}))
	require.NoError(t, err)
	assert.Equal(t, 1000, res.Input.Critical)
	assert.Contains(t, res.Warnings, "critical_vulnerabilities 1002 clamped to 1000, the bound of the assessment")
}

func TestPatchDelay(t *testing.T) {
	const asOf = "2025-03-14"
	fs := derive.NewFirstSeen()
	prev, err := derive.ParseFirstSeen("fs.json", []byte(`{"profile":"cohort-inputs/v1","findings":[
		{"vulnerability":"CVE-3","asset":"a","component":"c","first_seen":"2025-03-04"},
		{"vulnerability":"CVE-4","asset":"a","component":"c","first_seen":"2025-03-14"},
		{"vulnerability":"CVE-9","asset":"a","component":"c","first_seen":"2025-03-20"},
		{"vulnerability":"CVE-0","asset":"gone","component":"c","first_seen":"2024-01-01"}]}`))
	require.NoError(t, err)
	findings := []derive.Finding{
		fnd("CVE-1", "a", "c", 9.8, fixed("2025-03-01"), published("2020-01-01")), // fix date: 13
		fnd("CVE-2", "a", "c", 7.0, fixed("2023-01-01")),                          // capped: 365
		fnd("CVE-3", "a", "c", 8.0, fixed(""), published("2024-01-01")),           // first sight: 10
		fnd("CVE-4", "a", "c", 8.0, fixed(""), published("2025-03-01")),           // seen today: publication 13
		fnd("CVE-5", "a", "c", 8.0, fixed("")),                                    // first seen now: 0
		fnd("CVE-6", "a", "c", 6.9, fixed("2020-01-01")),                          // medium: not counted
		fnd("CVE-7", "a", "c", 9.9, published("2020-01-01")),                      // no fix: not counted
		fnd("CVE-9", "a", "c", 8.0, fixed("")),                                    // recorded after the as-of day: now
	}
	res, err := derive.Derive([]*derive.Report{rep("r.json", asOf, findings...)}, given(derive.Options{FirstSeen: prev}))
	require.NoError(t, err)
	// (13 + 365 + 10 + 13 + 0 + 0) / 6 = 66.8
	assert.Equal(t, 67, res.Input.PatchDelay)
	assert.Equal(t, "mean days since the fix appeared over 6 open high or critical findings with a fix: "+
		"2 real fix dates, 1 first sight in an earlier run, 1 publication date (an upper bound), "+
		"2 first seen in this run (0 days, lower bounds); 1 capped at 365 days", res.Values[2].Why)
	// The record: every open finding with a fix, at its first day; the input unchanged.
	for id, want := range map[string]string{"CVE-1": asOf, "CVE-2": asOf, "CVE-3": "2025-03-04", "CVE-4": asOf, "CVE-5": asOf, "CVE-6": asOf, "CVE-9": asOf} {
		got, ok := res.FirstSeen.Lookup(id, "a", "c")
		require.True(t, ok, id)
		assert.Equal(t, want, got.Format("2006-01-02"), id)
	}
	_, ok := res.FirstSeen.Lookup("CVE-7", "a", "c")
	assert.False(t, ok)
	_, ok = res.FirstSeen.Lookup("CVE-0", "gone", "c")
	assert.True(t, ok)
	assert.Equal(t, 4, prev.Len())

	// Without a record, no date at all is an error, unless the value is given.
	r := rep("r.json", asOf, fnd("CVE-5", "a", "c", 8.0, fixed("")))
	_, err = derive.Derive([]*derive.Report{r}, given(derive.Options{}))
	require.ErrorIs(t, err, derive.ErrNoPatchDates)
	require.ErrorContains(t, err, "derive: 1 open high or critical finding has a fix but none has a date")
	res, err = derive.Derive([]*derive.Report{r}, given(derive.Options{PatchDelay: intp(21)}))
	require.NoError(t, err)
	assert.Equal(t, 21, res.Input.PatchDelay)
	res, err = derive.Derive([]*derive.Report{r}, given(derive.Options{FirstSeen: fs}))
	require.NoError(t, err)
	assert.Equal(t, 0, res.Input.PatchDelay)

	// Some without a date are left out, with a warning; the mean rounds half up.
	r = rep("r.json", asOf, fnd("CVE-5", "a", "c", 8.0, fixed("")), fnd("CVE-1", "a", "c", 8, fixed("2025-03-13")), fnd("CVE-2", "a", "c", 8, fixed("2025-03-12")))
	res, err = derive.Derive([]*derive.Report{r}, given(derive.Options{}))
	require.NoError(t, err)
	assert.Equal(t, 2, res.Input.PatchDelay) // (1 + 2) / 2 = 1.5
	assert.Contains(t, res.Warnings, "patch_delay: 1 open high or critical finding with a fix but no date left out of the mean")
}

func TestExposure(t *testing.T) {
	inv, err := derive.ParseInventory("inv.csv", []byte("asset,internet_facing,criticality\nweb,yes,5\ndb,no,3\nregistry.example/app,Y,2\nidle,yes,5\n"))
	require.NoError(t, err)
	kev, err := derive.ParseKEV("kev.json", []byte(`{"catalogVersion":"2025.03.13","dateReleased":"2025-03-13T00:00:00Z","vulnerabilities":[{"cveID":"CVE-2021-44228"}]}`))
	require.NoError(t, err)
	epss, err := derive.ParseEPSS("epss.csv", []byte("#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000\ncve,epss,percentile\nCVE-2024-0001,0.1,0.9\nCVE-2024-0002,0.09999,0.8\n"))
	require.NoError(t, err)
	r := rep("r.json", "2025-03-14",
		fnd("CVE-2024-0002", "web", "c", 5),
		fnd("CVE-2024-0001", "DB", "c", 5),
		fnd("GHSA-x", "registry.example/app:1.2", "c", 5, aliases("CVE-2021-44228")),
		fnd("CVE-2024-0003", "unlisted", "c", 5),
		fnd("CVE-2024-0004", "idle", "c", 5, status(derive.Suppressed)),
	)
	tests := []struct {
		name string
		opt  derive.Options
		want int
		why  string
	}{
		{"inventory", derive.Options{Inventory: inv, KEV: kev}, 77, // (5 + 2 + 3) / (5 + 3 + 2 + 3)
			"criticality-weighted share of affected assets that face the internet: 10/13 (assets facing it: 3 of 4); 1 not in the inventory, taken as internet-facing with criticality 3"},
		{"KEV and EPSS", derive.Options{KEV: kev, EPSS: epss}, 50, // db (EPSS 0.1), the image (KEV)
			"no inventory: 2 of 4 affected assets have a vulnerability listed in KEV 2025.03.13 or with EPSS ≥ 0.1 (model v2025.03.14)"},
		{"KEV only", derive.Options{KEV: kev}, 25, "no inventory: 1 of 4 affected assets have a vulnerability listed in KEV 2025.03.13"},
		{"EPSS only", derive.Options{EPSS: epss}, 25, "no inventory: 1 of 4 affected assets have a vulnerability with EPSS ≥ 0.1 (model v2025.03.14)"},
		{"given", derive.Options{Exposure: intp(0), Inventory: inv}, 0, "given by the organisation (4 affected assets)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := derive.Derive([]*derive.Report{r}, tt.opt)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Input.Exposure)
			assert.Equal(t, tt.why, res.Values[3].Why)
		})
	}
	_, err = derive.Derive([]*derive.Report{r}, derive.Options{})
	require.ErrorIs(t, err, derive.ErrNoExposureSource)
}

func TestAsOf(t *testing.T) {
	a := rep("a.json", "2025-03-14", fnd("CVE-1", "a", "c", 5))
	b := rep("b.json", "2025-03-13", fnd("CVE-1", "a", "c", 5))
	undated := rep("u.json", "", fnd("CVE-2", "a", "c", 5))
	tests := []struct {
		name    string
		reports []*derive.Report
		asOf    string
		err     string
		is      error
		warn    string
	}{
		{name: "from the reports", reports: []*derive.Report{a, undated}, warn: "u.json does not say when it was made; taken as of 2025-03-14"},
		{name: "different days", reports: []*derive.Report{a, b}, err: "derive: reports for different days: a.json is dated 2025-03-14 (UTC) and b.json 2025-03-13"},
		{name: "given, a stale report", reports: []*derive.Report{a, b}, asOf: "2025-03-14", warn: "stale report: b.json is dated 2025-03-13, 1 day before the as-of day"},
		{name: "given, a report in the future", reports: []*derive.Report{a}, asOf: "2025-03-13", err: "derive: a.json: CreatedAt: the report is dated 2025-03-14, after the as-of day 2025-03-13"},
		{name: "no day at all", reports: []*derive.Report{undated}, is: derive.ErrNoAsOf},
		{name: "a fix date in the future", reports: []*derive.Report{rep("f.json", "2025-03-14", fnd("CVE-3", "a", "c", 8, fixed("2025-03-15")))},
			err: "derive: f.json: CVE-3: fix date 2025-03-15 is after the as-of day 2025-03-14: a date in the future"},
		{name: "a publication date in the future", reports: []*derive.Report{rep("f.json", "2025-03-14", fnd("CVE-3", "a", "c", 8, published("2026-01-01")))},
			err: "publication date 2026-01-01 is after the as-of day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := given(derive.Options{})
			if tt.asOf != "" {
				opt.AsOf = day(tt.asOf)
			}
			res, err := derive.Derive(tt.reports, opt)
			switch {
			case tt.is != nil:
				require.ErrorIs(t, err, tt.is)
			case tt.err != "":
				require.ErrorContains(t, err, tt.err)
				var de *derive.Error
				if strings.Contains(tt.err, ".json: ") {
					require.True(t, errors.As(err, &de))
				}
			default:
				require.NoError(t, err)
				assert.Equal(t, "2025-03-14", res.AsOf.Format("2006-01-02"))
				assert.Contains(t, res.Warnings, tt.warn)
			}
		})
	}
}

func TestNoReports(t *testing.T) {
	_, err := derive.Derive(nil, derive.Options{})
	require.EqualError(t, err, "derive: no reports")
}
