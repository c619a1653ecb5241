package derive_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/assess/derive"
)

// The generated findings draw from small pools, so that they collide:
// the same vulnerability under other ids, on the same asset and component
// spelt in other cases, in several reports.
var (
	genIDs = []struct {
		id      string
		aliases []string
		canon   string
	}{
		{"CVE-2025-0001", nil, "CVE-2025-0001"},
		{"GHSA-aaaa-bbbb-cccc", []string{"CVE-2025-0001"}, "CVE-2025-0001"},
		{"GO-2025-0001", []string{"GHSA-aaaa-bbbb-cccc", "CVE-2025-0001"}, "CVE-2025-0001"},
		{"CVE-2025-0002", nil, "CVE-2025-0002"},
		{"cve-2025-0003", nil, "CVE-2025-0003"},
		{"NESSUS-1", []string{"CVE-2025-0002", "CVE-2025-0003"}, "NESSUS-1"},
		{"GHSA-zzzz-yyyy-xxxx", nil, "GHSA-ZZZZ-YYYY-XXXX"},
	}
	genAssets     = []string{"web", "WEB", "db", "app:1.0", "unlisted"}
	genComponents = []string{"p@1", "P@1", "q@2", ""}
	genLabels     = []string{"", "critical", "high", "medium", "low", "unknown", "negligible"}
	genStatuses   = []derive.Status{derive.Open, derive.Open, derive.Open, derive.Open, derive.NotAffected, derive.Suppressed, derive.Resolved, derive.Withdrawn, derive.Informational}
	genScores     = []derive.Score{
		{Source: "nvd", Version: derive.CVSS31},
		{Source: "nvd", Version: derive.CVSS30},
		{Source: "ghsa", Version: derive.CVSS31},
		{Source: "osv", Version: derive.CVSS40},
		{Source: "sarif"},
		{Source: "nvd", Version: derive.CVSS2},
	}
	genAsOf = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
)

func genDay(t *rapid.T, label string) time.Time {
	if !rapid.Bool().Draw(t, label+"?") {
		return time.Time{}
	}
	return genAsOf.AddDate(0, 0, -rapid.IntRange(0, 800).Draw(t, label))
}

func genFinding(t *rapid.T) derive.Finding {
	id := genIDs[rapid.IntRange(0, len(genIDs)-1).Draw(t, "id")]
	f := derive.Finding{
		ID:        id.id,
		Aliases:   id.aliases,
		Asset:     rapid.SampledFrom(genAssets).Draw(t, "asset"),
		Component: rapid.SampledFrom(genComponents).Draw(t, "component"),
		Severity:  rapid.SampledFrom(genLabels).Draw(t, "label"),
		Status:    rapid.SampledFrom(genStatuses).Draw(t, "status"),
		Fix:       rapid.Bool().Draw(t, "fix"),
		Published: genDay(t, "published"),
	}
	if f.Fix {
		f.FixDate = genDay(t, "fixDate")
	}
	for range rapid.IntRange(0, 3).Draw(t, "scores") {
		s := rapid.SampledFrom(genScores).Draw(t, "score")
		s.Value = float64(rapid.IntRange(0, 100).Draw(t, "tenths")) / 10
		f.Scores = append(f.Scores, s)
	}
	if rapid.IntRange(0, 9).Draw(t, "vector?") == 0 {
		f.Scores = append(f.Scores, derive.Score{Source: "ghsa", Version: derive.CVSS31, Value: -1, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"})
	}
	f.Place = fmt.Sprintf("%s on %s", f.ID, f.Asset)
	return f
}

func genReports(t *rapid.T) []*derive.Report {
	n := rapid.IntRange(1, 4).Draw(t, "reports")
	var rs []*derive.Report
	for i := range n {
		r := &derive.Report{Name: fmt.Sprintf("r%d.json", i), Format: derive.Trivy, SHA256: fmt.Sprintf("%064d", i)}
		if rapid.Bool().Draw(t, "dated") {
			r.Time = genAsOf.Add(time.Duration(rapid.IntRange(0, 86399).Draw(t, "second")) * time.Second)
		}
		r.Findings = rapid.SliceOfN(rapid.Custom(genFinding), 0, 12).Draw(t, "findings")
		rs = append(rs, r)
	}
	return rs
}

// genOptions draws what the derivation needs besides the reports.
func genOptions(t *rapid.T) derive.Options {
	opt := derive.Options{AsOf: genAsOf, Percentile95: rapid.Bool().Draw(t, "p95")}
	inv, err := derive.ParseInventory("inv.csv", []byte("asset,internet_facing,criticality\nweb,yes,5\ndb,no,2\napp,yes,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	kev, err := derive.ParseKEV("kev.json", []byte(`{"catalogVersion":"1","dateReleased":"2025-03-14T00:00:00Z","vulnerabilities":[{"cveID":"CVE-2025-0002"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	switch rapid.IntRange(0, 2).Draw(t, "exposure from") {
	case 0:
		opt.Inventory = inv
	case 1:
		opt.KEV = kev
	default:
		opt.Exposure = intp(rapid.IntRange(0, 100).Draw(t, "exposure"))
	}
	if rapid.Bool().Draw(t, "first seen?") {
		fs, err := derive.ParseFirstSeen("fs.json", []byte(`{"profile":"cohort-inputs/v1","findings":[
			{"vulnerability":"CVE-2025-0001","asset":"web","component":"p@1","first_seen":"2025-02-01"},
			{"vulnerability":"CVE-2025-0001","asset":"web","component":"q@2","first_seen":"2025-03-14"},
			{"vulnerability":"NESSUS-1","asset":"db","component":"","first_seen":"2025-03-20"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		opt.FirstSeen = fs
	}
	return opt
}

// derived runs the derivation; without any date for a fixable finding it
// falls back to a given patch delay, as a caller would.
func derived(t *rapid.T, rs []*derive.Report, opt derive.Options) *derive.Result {
	res, err := derive.Derive(rs, opt)
	if err != nil {
		require.ErrorIs(t, err, derive.ErrNoPatchDates)
		opt.PatchDelay = intp(7)
		res, err = derive.Derive(rs, opt)
	}
	require.NoError(t, err)
	return res
}

// shuffled returns the reports in another order, each with its findings in
// another order.
func shuffled(t *rapid.T, rs []*derive.Report) []*derive.Report {
	out := make([]*derive.Report, len(rs))
	for i, j := range rapid.Permutation(indices(len(rs))).Draw(t, "report order") {
		r := *rs[j]
		r.Findings = nil
		for _, k := range rapid.Permutation(indices(len(rs[j].Findings))).Draw(t, "finding order") {
			r.Findings = append(r.Findings, rs[j].Findings[k])
		}
		out[i] = &r
	}
	return out
}

func indices(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestOrderIndependent: the derivation, its explanation included, does not
// depend on the order of the reports or of their findings.
func TestOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rs := genReports(t)
		opt := genOptions(t)
		a := derived(t, rs, opt)
		b := derived(t, shuffled(t, rs), opt)
		require.Equal(t, a.Input, b.Input)
		require.Equal(t, a.Text(), b.Text())
		require.Equal(t, string(a.JSON()), string(b.JSON()))
		require.Equal(t, string(a.FirstSeen.Marshal()), string(b.FirstSeen.Marshal()))
	})
}

// TestIdempotentUnderDuplication: a finding listed again, in its own
// report or another, and a report given twice, change no value.
func TestIdempotentUnderDuplication(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rs := genReports(t)
		opt := genOptions(t)
		a := derived(t, rs, opt)
		dup := make([]*derive.Report, len(rs))
		for i, r := range rs {
			c := *r
			c.Findings = slices.Clone(r.Findings)
			dup[i] = &c
		}
		extra := &derive.Report{Name: "copy.json", Format: derive.Grype, SHA256: strings.Repeat("f", 64), Time: rs[0].Time}
		for i, r := range rs {
			for _, f := range r.Findings {
				switch rapid.IntRange(0, 2).Draw(t, "copy") {
				case 1:
					dup[i].Findings = append(dup[i].Findings, f)
				case 2:
					extra.Findings = append(extra.Findings, f)
				}
			}
		}
		dup = append(dup, extra)
		if rapid.Bool().Draw(t, "whole report again") {
			again := *rs[0]
			again.Name = "again.json"
			dup = append(dup, &again)
		}
		b := derived(t, dup, opt)
		require.Equal(t, a.Input, b.Input)
		require.Equal(t, a.Findings, withoutReports(b.Findings, a))
	})
}

// withoutReports drops from b's findings the reports a did not read, so
// that the findings compare.
func withoutReports(fs []derive.OpenFinding, a *derive.Result) []derive.OpenFinding {
	known := map[string]bool{}
	for _, r := range a.Reports {
		known[r.Name] = true
	}
	out := slices.Clone(fs)
	for i := range out {
		out[i].Reports = slices.DeleteFunc(slices.Clone(out[i].Reports), func(n string) bool { return !known[n] })
	}
	return out
}

// TestAgainstOracle compares the four values with a plain computation of
// the profile's rules over the generated findings.
func TestAgainstOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rs := genReports(t)
		opt := genOptions(t)
		res, err := derive.Derive(rs, opt)
		want, ok := oracle(rs, opt)
		if !ok {
			require.ErrorIs(t, err, derive.ErrNoPatchDates)
			return
		}
		require.NoError(t, err)
		require.Equal(t, want, res.Input)
		require.NoError(t, mustResolve(t).CheckInput(1, res.Input))
	})
}

// oracle computes the profile's values directly; ok is false when no
// fixable high or critical finding has a date.
func oracle(rs []*derive.Report, opt derive.Options) (assess.Input, bool) {
	canon := map[string]string{}
	for _, id := range genIDs {
		canon[id.id] = id.canon
	}
	type key struct{ v, a, c string }
	keyOf := func(f derive.Finding) key {
		return key{canon[f.ID], strings.ToLower(f.Asset), strings.ToLower(f.Component)}
	}
	dropped := map[key]bool{}
	for _, r := range rs {
		for _, f := range r.Findings {
			if f.Status == derive.NotAffected || f.Status == derive.Suppressed || f.Status == derive.Resolved {
				dropped[keyOf(f)] = true
			}
		}
	}
	type best struct {
		tier, tenths int
		fix          bool
		fixDate, pub time.Time
	}
	bands := map[string]int{"critical": 90, "high": 70, "medium": 40, "low": 10}
	open := map[key]*best{}
	for _, r := range rs {
		for _, f := range r.Findings {
			k := keyOf(f)
			if dropped[k] || f.Status == derive.Withdrawn || f.Status == derive.Informational ||
				(len(f.Scores) == 0 && f.Severity == "negligible") {
				continue
			}
			b := open[k]
			if b == nil {
				b = &best{tier: 99}
				open[k] = b
			}
			consider := func(tier, tenths int) {
				if tier < b.tier || (tier == b.tier && tenths > b.tenths) {
					b.tier, b.tenths = tier, tenths
				}
			}
			for _, s := range f.Scores {
				v := s.Value
				if v < 0 {
					v = 7.5 // the one vector generated
				}
				tenths := int(v*10 + 0.5)
				switch {
				case s.Version == derive.CVSS2:
					consider(6, tenths)
				case s.Version == derive.CVSS40:
					consider(3, tenths)
				case s.Version == "":
					consider(4, tenths)
				case s.Source == "nvd":
					consider(1, tenths)
				default:
					consider(2, tenths)
				}
			}
			if band, ok := bands[f.Severity]; ok && b.tier >= 5 {
				if b.tier == 6 || b.tier == 99 || band > b.tenths {
					b.tier, b.tenths = 5, band
				}
			}
			if f.Fix {
				b.fix = true
				if !f.FixDate.IsZero() && (b.fixDate.IsZero() || f.FixDate.Before(b.fixDate)) {
					b.fixDate = f.FixDate
				}
			}
			if !f.Published.IsZero() && (b.pub.IsZero() || f.Published.Before(b.pub)) {
				b.pub = f.Published
			}
		}
	}
	var in assess.Input
	var scores []int
	crit := map[string]bool{}
	assets := map[string]bool{}
	sum, n := 0, 0
	for k, b := range open {
		if b.tier == 99 {
			continue // unscored
		}
		scores = append(scores, b.tenths)
		assets[k.a] = true
		if b.tenths >= 90 {
			crit[k.v] = true
		}
		if b.tenths < 70 || !b.fix {
			continue
		}
		var since time.Time
		seen, recorded := opt.FirstSeen.Lookup(k.v, k.a, k.c)
		switch {
		case !b.fixDate.IsZero():
			since = b.fixDate
		case recorded && seen.Before(genAsOf):
			since = seen
		case !b.pub.IsZero():
			since = b.pub
		case opt.FirstSeen != nil:
			since = genAsOf
		default:
			continue
		}
		sum += min(365, int(genAsOf.Sub(since).Hours()/24))
		n++
	}
	slices.Sort(scores)
	if len(scores) > 0 {
		in.CVSS = scores[len(scores)-1]
		if opt.Percentile95 {
			rank := 0
			for float64(rank) < 0.95*float64(len(scores)) {
				rank++
			}
			in.CVSS = scores[rank-1]
		}
	}
	in.Critical = len(crit)
	fixable := false
	for _, b := range open {
		if b.tier != 99 && b.tenths >= 70 && b.fix {
			fixable = true
		}
	}
	if n > 0 {
		in.PatchDelay = int(float64(sum)/float64(n) + 0.5)
	} else if fixable {
		return in, false
	}
	switch {
	case opt.Exposure != nil:
		in.Exposure = *opt.Exposure
	case opt.Inventory != nil:
		num, den := 0, 0
		for a := range assets {
			item, ok := opt.Inventory.Lookup(a)
			if !ok {
				item = derive.Asset{InternetFacing: true, Criticality: 3}
			}
			den += item.Criticality
			if item.InternetFacing {
				num += item.Criticality
			}
		}
		if den > 0 {
			in.Exposure = int(100*float64(num)/float64(den) + 0.5)
		}
	default:
		hit := map[string]bool{}
		for k, b := range open {
			if b.tier == 99 {
				continue
			}
			for _, id := range genIDs {
				if id.canon == k.v && (id.id == "CVE-2025-0002" || slices.Contains(id.aliases, "CVE-2025-0002")) {
					hit[k.a] = true
				}
			}
		}
		if len(assets) > 0 {
			in.Exposure = int(100*float64(len(hit))/float64(len(assets)) + 0.5)
		}
	}
	return in, true
}
