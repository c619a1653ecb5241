package derive

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// tier is the rank of a score's source in the profile; lower is preferred.
type tier int

const (
	tierNVD3        tier = iota + 1 // NVD's CVSS v3.x
	tierVendor3                     // a vendor's CVSS v3.x
	tierV4                          // CVSS v4.0, any source
	tierUnversioned                 // a score whose version the report does not state
	tierLabel                       // the severity label's band
	tierV2                          // CVSS v2, the last resort
)

// score picks the profile's one score of a finding and returns warnings
// about vectors that could not be scored.
func (m *merged) score() []string {
	var warns []string
	best, bestTier, from := -1, tier(0), ""
	consider := func(t int, tr tier, what string) {
		// Ties go to the first description in order, so that the result does
		// not depend on the order of the entries.
		if bestTier == 0 || tr < bestTier || (tr == bestTier && (t > best || (t == best && what < from))) {
			best, bestTier, from = t, tr, what
		}
	}
	for _, s := range m.scores {
		value, version := s.Value, s.Version
		if value < 0 {
			v, ver, err := vectorScore(s.Vector, s.Version)
			if err != nil {
				warns = append(warns, fmt.Sprintf("%s on %s: %v; the finding's other scores were used", m.key.Vuln, m.key.Asset, err))
				continue
			}
			value, version = v, ver
		}
		src := s.Source
		if src == "" {
			src = "the report"
		}
		var tr tier
		var what string
		switch version {
		case CVSS30, CVSS31:
			if s.Source == "nvd" {
				tr, what = tierNVD3, "NVD CVSS v"+version
			} else {
				tr, what = tierVendor3, "CVSS v"+version+" from "+src
			}
		case CVSS40:
			tr, what = tierV4, "CVSS v4.0 from "+src
			if s.Source == "nvd" {
				what = "NVD CVSS v4.0"
			}
		case CVSS2:
			tr, what = tierV2, "CVSS v2 from "+src+", the last resort"
		default:
			tr, what = tierUnversioned, "score of unstated version from "+src
		}
		if s.Value < 0 {
			what += ", computed from its vector"
		}
		consider(tenths(value), tr, what)
	}
	if bestTier == 0 || bestTier > tierLabel {
		for _, l := range sortedKeys(m.labels) {
			if t, ok := bandOf(l); ok {
				if bestTier == 0 || bestTier > tierLabel || t > best {
					best, bestTier, from = t, tierLabel, fmt.Sprintf("severity label %q, its band's lower bound", l)
				}
			}
		}
	}
	m.tenths, m.tier, m.from = best, bestTier, from
	return warns
}

// scoreWarnings warns of v2-only scores and of labels that disagree with
// the scores.
func (res *Result) scoreWarnings(open []*merged) {
	var v2, disagree []string
	for _, m := range open {
		if m.tier == tierV2 {
			v2 = append(v2, m.key.Vuln)
		}
		if m.tier < tierLabel {
			for _, l := range sortedKeys(m.labels) {
				if b, ok := bandOf(l); ok && labelOfScore(b) != labelOfScore(m.tenths) {
					disagree = append(disagree, fmt.Sprintf("%s labelled %s, scored %s", m.key.Vuln, l, tenthsString(m.tenths)))
					break
				}
			}
		}
	}
	if len(v2) > 0 {
		res.warn("%s scored by CVSS v2 only, the last resort: %s", count(len(v2), "finding is", "findings are"), listSome(slices.Compact(v2), 5))
	}
	if len(disagree) > 0 {
		res.warn("%s a severity label that disagrees with the score; the score counts: %s", count(len(disagree), "finding has", "findings have"), listSome(disagree, 3))
	}
}

// cvssValue is round(10 × the highest open score), or the 95th
// percentile's.
func (res *Result) cvssValue(open []*merged, opt Options) Value {
	v := Value{Name: "cvss_score"}
	if len(open) == 0 {
		v.Why = "no open findings"
		return v
	}
	worst := open[0]
	ties := 0
	for _, m := range open[1:] {
		switch {
		case m.tenths > worst.tenths:
			worst, ties = m, 0
		case m.tenths == worst.tenths:
			ties++
		}
	}
	more := ""
	if ties > 0 {
		more = fmt.Sprintf(" (and %d more at that score)", ties)
	}
	desc := fmt.Sprintf("%s (%s): %s on %s%s", tenthsString(worst.tenths), worst.from, worst.key.Vuln, where(worst.key), more)
	if !opt.Percentile95 {
		v.Value = worst.tenths
		v.Why = "highest open score " + desc
		return v
	}
	scores := make([]int, len(open))
	for i, m := range open {
		scores[i] = m.tenths
	}
	slices.Sort(scores)
	rank := (95*len(scores) + 99) / 100
	v.Value = scores[rank-1]
	v.Why = fmt.Sprintf("95th percentile of %d open scores: %s (nearest rank %d); the highest is %s", len(scores), tenthsString(v.Value), rank, desc)
	return v
}

// where names a finding's asset and component.
func where(k findingKey) string {
	if k.Component == "" {
		return k.Asset
	}
	return fmt.Sprintf("%s (%s)", k.Asset, k.Component)
}

// criticalValue counts the distinct vulnerabilities scored 9.0 or more.
func (res *Result) criticalValue(open []*merged) Value {
	v := Value{Name: "critical_vulnerabilities"}
	crit := map[string]bool{}
	for _, m := range open {
		if m.tenths >= 90 {
			crit[m.key.Vuln] = true
		}
	}
	ids := sortedKeys(crit)
	v.Value = len(ids)
	v.Why = fmt.Sprintf("%s scored 9.0 or more among %s", count(len(ids), "distinct vulnerability", "distinct vulnerabilities"), count(len(open), "open finding", "open findings"))
	if len(ids) > 0 {
		v.Why += ": " + listSome(ids, 5)
	}
	if v.Value > maxCritical {
		res.warn("critical_vulnerabilities %d clamped to %d, the bound of the assessment", v.Value, maxCritical)
		v.Value = maxCritical
		v.Why += fmt.Sprintf("; clamped to %d", maxCritical)
	}
	return v
}

// Date sources of the patch delay, best first.
const (
	dateFix          = "fix date"
	dateFirstSight   = "first sight in an earlier run"
	datePublished    = "publication date"
	dateFirstSeenNow = "first seen in this run"
)

// dateWords describes n dates from a source.
func dateWords(n int, from string) string {
	switch from {
	case dateFix:
		return count(n, "real fix date", "real fix dates")
	case dateFirstSight:
		return count(n, "first sight in an earlier run", "first sights in earlier runs")
	case datePublished:
		return count(n, "publication date (an upper bound)", "publication dates (upper bounds)")
	}
	return count(n, "first seen in this run (0 days, a lower bound)", "first seen in this run (0 days, lower bounds)")
}

// count writes n with the singular or plural noun.
func count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// patchValue is the mean over open high or critical findings with a fix of
// min(365, days since the fix appeared).
func (res *Result) patchValue(open []*merged, opt Options) (Value, error) {
	v := Value{Name: "patch_delay"}
	counts := map[string]int{}
	fixable, sum, dated, capped := 0, 0, 0, 0
	for _, m := range open {
		if m.tenths < 70 || !m.fix {
			continue
		}
		fixable++
		var since time.Time
		var from string
		seen, recorded := opt.FirstSeen.Lookup(m.key.Vuln, m.key.Asset, m.key.Component)
		switch {
		case !m.fixDate.IsZero():
			since, from = m.fixDate, dateFix
		case recorded && seen.Before(res.AsOf):
			since, from = seen, dateFirstSight
		case !m.published.IsZero():
			since, from = m.published, datePublished
		case opt.FirstSeen != nil:
			since, from = res.AsOf, dateFirstSeenNow
		default:
			counts["none"]++
			continue
		}
		m.since, m.dateFrom = since, from
		counts[from]++
		days := daysBetween(since, res.AsOf)
		if days > 365 {
			days, capped = 365, capped+1
		}
		sum += days
		dated++
	}
	if opt.PatchDelay != nil {
		v.Value = *opt.PatchDelay
		v.Why = fmt.Sprintf("given by the organisation (derived, it would rest on %d open high or critical findings with a fix)", fixable)
		return v, nil
	}
	if fixable == 0 {
		v.Why = "no open high or critical finding has a fix"
		return v, nil
	}
	if dated == 0 {
		return v, fmt.Errorf("derive: %s a fix but none has a date: %w", count(fixable, "open high or critical finding has", "open high or critical findings have"), ErrNoPatchDates)
	}
	v.Value = (2*sum + dated) / (2 * dated)
	var parts []string
	for _, from := range []string{dateFix, dateFirstSight, datePublished, dateFirstSeenNow} {
		if n := counts[from]; n > 0 {
			parts = append(parts, dateWords(n, from))
		}
	}
	v.Why = fmt.Sprintf("mean days since the fix appeared over %s with a fix: %s", count(dated, "open high or critical finding", "open high or critical findings"), strings.Join(parts, ", "))
	if capped > 0 {
		v.Why += fmt.Sprintf("; %d capped at 365 days", capped)
	}
	if n := counts["none"]; n > 0 {
		v.Why += fmt.Sprintf("; %d without any date left out", n)
		res.warn("patch_delay: %s with a fix but no date left out of the mean", count(n, "open high or critical finding", "open high or critical findings"))
	}
	return v, nil
}

// exposureValue is the criticality-weighted share of the affected assets
// that face the internet, from the inventory; without one, the share of
// affected assets with a KEV-listed vulnerability or one of EPSS ≥ 0.1.
func (res *Result) exposureValue(open []*merged, opt Options) (Value, error) {
	v := Value{Name: "asset_exposure"}
	assets := map[string]map[string]bool{} // asset → its names
	for _, m := range open {
		if assets[m.key.Asset] == nil {
			assets[m.key.Asset] = map[string]bool{}
		}
		for n := range m.names {
			assets[m.key.Asset][n] = true
		}
	}
	names := sortedKeys(assets)
	if opt.Exposure != nil {
		v.Value = *opt.Exposure
		v.Why = fmt.Sprintf("given by the organisation (%s)", count(len(names), "affected asset", "affected assets"))
		return v, nil
	}
	switch {
	case opt.Inventory != nil:
		num, den, facing := 0, 0, 0
		var missing []string
		for _, a := range names {
			lookup := append([]string{a}, sortedKeys(assets[a])...)
			item, ok := opt.Inventory.Lookup(lookup...)
			if !ok {
				missing = append(missing, a)
				item = Asset{InternetFacing: true, Criticality: 3}
			}
			den += item.Criticality
			if item.InternetFacing {
				num += item.Criticality
				facing++
			}
		}
		if den > 0 {
			v.Value = (200*num + den) / (2 * den)
		}
		v.Why = fmt.Sprintf("criticality-weighted share of affected assets that face the internet: %d/%d (assets facing it: %d of %d)", num, den, facing, len(names))
		if len(missing) > 0 {
			v.Why += fmt.Sprintf("; %d not in the inventory, taken as internet-facing with criticality 3", len(missing))
			res.warn("%s not in the inventory %s and taken as internet-facing with criticality 3: %s", count(len(missing), "affected asset is", "affected assets are"), opt.Inventory.Name, listSome(missing, 5))
		}
		return v, nil
	case opt.KEV != nil || opt.EPSS != nil:
		exploited := map[string]bool{}
		for _, m := range open {
			for id := range m.ids {
				if !isCVE(id) {
					continue
				}
				if opt.KEV.Has(id) {
					exploited[m.key.Asset] = true
				}
				if p, ok := opt.EPSS.Score(id); ok && p >= 0.1 {
					exploited[m.key.Asset] = true
				}
			}
		}
		if len(names) > 0 {
			v.Value = (200*len(exploited) + len(names)) / (2 * len(names))
		}
		var src []string
		if opt.KEV != nil {
			src = append(src, "listed in KEV "+opt.KEV.CatalogVersion)
		}
		if opt.EPSS != nil {
			src = append(src, "with EPSS ≥ 0.1 (model "+opt.EPSS.ModelVersion+")")
		}
		v.Why = fmt.Sprintf("no inventory: %d of %s a vulnerability %s", len(exploited), count(len(names), "affected asset has", "affected assets have"), strings.Join(src, " or "))
		return v, nil
	}
	if len(names) == 0 {
		v.Why = "no affected assets"
		return v, nil
	}
	return v, fmt.Errorf("derive: %w", ErrNoExposureSource)
}

// updateFirstSeen returns the record with every open finding with a fix
// recorded: the earlier of its recorded day and the as-of day.
func updateFirstSeen(before *FirstSeen, open []*merged, asOf time.Time) *FirstSeen {
	if before == nil {
		return nil
	}
	s := before.clone()
	for _, m := range open {
		if !m.fix {
			continue
		}
		if d, ok := s.entries[m.key]; !ok || d.After(asOf) {
			s.entries[m.key] = asOf
		}
	}
	return s
}

// tenthsString writes a score in tenths as 9.8.
func tenthsString(t int) string { return fmt.Sprintf("%d.%d", t/10, t%10) }

// listSome lists the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
