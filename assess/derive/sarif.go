package derive

import (
	"encoding/json"
	"fmt"
	"strings"
)

type sarifProps struct {
	SecuritySeverity flexString `json:"security-severity"`
	Tags             []string   `json:"tags"`
}

type sarifRule struct {
	ID         string     `json:"id"`
	Properties sarifProps `json:"properties"`
}

type sarifDoc struct {
	Version string `json:"version"`
	Runs    *[]struct {
		Tool struct {
			Driver struct {
				Name  string      `json:"name"`
				Rules []sarifRule `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			StartTimeUTC string `json:"startTimeUtc"`
			EndTimeUTC   string `json:"endTimeUtc"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Rule      *struct {
				ID    string `json:"id"`
				Index *int   `json:"index"`
			} `json:"rule"`
			Kind      string `json:"kind"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
					Name               string `json:"name"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			Suppressions []struct {
				Status string `json:"status"`
			} `json:"suppressions"`
			BaselineState string            `json:"baselineState"`
			Properties    sarifProps        `json:"properties"`
			Fixes         []json.RawMessage `json:"fixes"`
		} `json:"results"`
	} `json:"runs"`
}

// sarif reads a SARIF 2.1.0 log: one finding per result, scored by the
// security-severity property of the result or of its rule.
func (p *parser) sarif(r *Report) error {
	var doc sarifDoc
	if err := p.decodeJSON(&doc); err != nil {
		return err
	}
	if doc.Version != "2.1.0" {
		return p.at([]any{"version"}, "SARIF version %q: want 2.1.0", doc.Version)
	}
	if doc.Runs == nil {
		return errorf(p.name, 0, "", "no runs: not a SARIF log")
	}
	for i, run := range *doc.Runs {
		for j, inv := range run.Invocations {
			for _, ts := range []struct{ v, field string }{{inv.EndTimeUTC, "endTimeUtc"}, {inv.StartTimeUTC, "startTimeUtc"}} {
				if ts.v == "" {
					continue
				}
				t, err := parseReportTime(ts.v, p.tz)
				if err != nil {
					return p.at([]any{"runs", i, "invocations", j, ts.field}, "%v", err)
				}
				if t.After(r.Time) {
					r.Time, r.TimeFrom = t, "runs[].invocations[]."+ts.field
				}
				break
			}
		}
		rules := run.Tool.Driver.Rules
		byID := map[string]int{}
		for k, rule := range rules {
			byID[rule.ID] = k
		}
		for j, res := range run.Results {
			path := []any{"runs", i, "results", j}
			id := res.RuleID
			idx := res.RuleIndex
			if res.Rule != nil {
				if id == "" {
					id = res.Rule.ID
				}
				if idx == nil {
					idx = res.Rule.Index
				}
			}
			var rule *sarifRule
			if idx != nil {
				if *idx < 0 || *idx >= len(rules) {
					return p.at(append(path, "ruleIndex"), "rule index %d is not among the %d rules", *idx, len(rules))
				}
				rule = &rules[*idx]
				if id == "" {
					id = rule.ID
				}
			} else if k, ok := byID[id]; ok {
				rule = &rules[k]
			}
			if strings.TrimSpace(id) == "" {
				return p.at(path, "no ruleId")
			}
			f := Finding{ID: id, Place: pathString(path), Fix: len(res.Fixes) > 0}
			if len(res.Locations) > 0 {
				loc := res.Locations[0]
				f.Asset = strings.TrimSpace(loc.PhysicalLocation.ArtifactLocation.URI)
				if ll := loc.LogicalLocations; len(ll) > 0 {
					f.Component = ll[0].FullyQualifiedName
					if f.Component == "" {
						f.Component = ll[0].Name
					}
				} else if n := loc.PhysicalLocation.Region.StartLine; n > 0 {
					f.Component = fmt.Sprintf("line %d", n)
				}
			}
			if f.Asset == "" {
				f.Asset = run.Tool.Driver.Name
			}
			if f.Asset == "" {
				f.Asset = p.name
			}
			sev := string(res.Properties.SecuritySeverity)
			tags := res.Properties.Tags
			where := append(path, "properties", "security-severity")
			if sev == "" && rule != nil {
				sev = string(rule.Properties.SecuritySeverity)
				where = []any{"runs", i, "tool", "driver", "rules", *ruleIndex(byID, rules, rule), "properties", "security-severity"}
			}
			if rule != nil && len(tags) == 0 {
				tags = rule.Properties.Tags
			}
			if strings.TrimSpace(sev) != "" {
				v, err := parseScore(sev)
				if err != nil {
					return p.at(where, "%v", err)
				}
				f.Scores = append(f.Scores, Score{Source: strings.ToLower(run.Tool.Driver.Name), Value: v})
			}
			for _, t := range tags {
				if _, ok := bandOf(t); ok {
					f.Severity = t
				}
			}
			switch res.Kind {
			case "", "fail", "open", "review":
			default: // pass, notApplicable, informational
				f.Status = Informational
			}
			if res.BaselineState == "absent" {
				f.Status = Resolved
			}
			for _, s := range res.Suppressions {
				if s.Status == "" || s.Status == "accepted" {
					f.Status = Suppressed
				}
			}
			r.Findings = append(r.Findings, f)
		}
	}
	return nil
}

// ruleIndex returns the index of rule in rules.
func ruleIndex(byID map[string]int, rules []sarifRule, rule *sarifRule) *int {
	for k := range rules {
		if &rules[k] == rule {
			return &k
		}
	}
	k := byID[rule.ID]
	return &k
}
