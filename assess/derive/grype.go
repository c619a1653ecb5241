package derive

import (
	"encoding/json"
	"fmt"
	"strings"
)

type grypeMeta struct {
	ID        string `json:"id"`
	Namespace string `json:"namespace"`
	Severity  string `json:"severity"`
	CVSS      []struct {
		Source  string `json:"source"`
		Version string `json:"version"`
		Vector  string `json:"vector"`
		Metrics struct {
			BaseScore *float64 `json:"baseScore"`
		} `json:"metrics"`
	} `json:"cvss"`
}

type grypeMatch struct {
	Vulnerability struct {
		grypeMeta
		Fix struct {
			Versions  []string `json:"versions"`
			State     string   `json:"state"`
			Available []struct {
				Version string `json:"version"`
				Date    string `json:"date"`
			} `json:"available"`
		} `json:"fix"`
	} `json:"vulnerability"`
	RelatedVulnerabilities []grypeMeta `json:"relatedVulnerabilities"`
	Artifact               struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"artifact"`
	AppliedIgnoreRules []struct {
		VexStatus string `json:"vex-status"`
	} `json:"appliedIgnoreRules"`
}

type grypeDoc struct {
	Matches        *[]grypeMatch `json:"matches"`
	IgnoredMatches []grypeMatch  `json:"ignoredMatches"`
	Source         *struct {
		Type   string          `json:"type"`
		Target json.RawMessage `json:"target"`
	} `json:"source"`
	Descriptor struct {
		Name          string          `json:"name"`
		Timestamp     string          `json:"timestamp"`
		Configuration json.RawMessage `json:"configuration"`
	} `json:"descriptor"`
}

// grype reads Grype's JSON report: every entry of matches, and of
// ignoredMatches as dropped (VEX not_affected or fixed, else suppressed).
func (p *parser) grype(r *Report) error {
	var doc grypeDoc
	if err := p.decodeJSON(&doc); err != nil {
		return err
	}
	if doc.Matches == nil {
		return errorf(p.name, 0, "", "no matches: not a Grype JSON report")
	}
	if ts := doc.Descriptor.Timestamp; ts != "" {
		t, err := parseReportTime(ts, p.tz)
		if err != nil {
			return p.at([]any{"descriptor", "timestamp"}, "%v", err)
		}
		r.Time, r.TimeFrom = t, "descriptor.timestamp"
	}
	var asset string
	var names []string
	if doc.Source != nil {
		var s string
		var img struct {
			UserInput string   `json:"userInput"`
			Tags      []string `json:"tags"`
		}
		if json.Unmarshal(doc.Source.Target, &s) == nil {
			asset = s
		} else if json.Unmarshal(doc.Source.Target, &img) == nil {
			asset, names = img.UserInput, img.Tags
		}
	}
	asset = strings.TrimSpace(asset)
	if asset == "" {
		return errorf(p.name, 0, "", "no source.target: cannot tell what was scanned")
	}
	var conf struct {
		OnlyFixed    bool `json:"only-fixed"`
		OnlyNotFixed bool `json:"only-notfixed"`
	}
	if len(doc.Descriptor.Configuration) > 0 && json.Unmarshal(doc.Descriptor.Configuration, &conf) == nil {
		if conf.OnlyFixed {
			r.Notes = append(r.Notes, fmt.Sprintf("filtered report: %s was written with only-fixed, so findings without a fix are missing", p.name))
		}
		if conf.OnlyNotFixed {
			r.Notes = append(r.Notes, fmt.Sprintf("filtered report: %s was written with only-notfixed, so findings with a fix are missing", p.name))
		}
	}
	for i, m := range *doc.Matches {
		f, err := p.grypeFinding(m, []any{"matches", i})
		if err != nil {
			return err
		}
		f.Asset, f.AssetNames = asset, names
		r.Findings = append(r.Findings, f)
	}
	for i, m := range doc.IgnoredMatches {
		f, err := p.grypeFinding(m, []any{"ignoredMatches", i})
		if err != nil {
			return err
		}
		f.Asset, f.AssetNames = asset, names
		f.Status = Suppressed
		for _, rule := range m.AppliedIgnoreRules {
			switch rule.VexStatus {
			case "not_affected":
				f.Status = NotAffected
			case "fixed":
				f.Status = Resolved
			}
		}
		r.Findings = append(r.Findings, f)
	}
	return nil
}

func (p *parser) grypeFinding(m grypeMatch, path []any) (Finding, error) {
	v := m.Vulnerability
	if strings.TrimSpace(v.ID) == "" {
		return Finding{}, p.at(append(path, "vulnerability"), "no id")
	}
	f := Finding{
		ID:        v.ID,
		Component: component(m.Artifact.Name, m.Artifact.Version),
		Severity:  v.Severity,
		Fix:       v.Fix.State == "fixed",
		Place:     pathString(path),
	}
	metas := append([]grypeMeta{v.grypeMeta}, m.RelatedVulnerabilities...)
	for k, meta := range metas {
		if k > 0 && meta.ID != "" {
			f.Aliases = append(f.Aliases, meta.ID)
		}
		nvdSpace := strings.HasPrefix(strings.ToLower(meta.Namespace), "nvd")
		for c, s := range meta.CVSS {
			var where []any
			if k == 0 {
				where = append(path, "vulnerability", "cvss", c)
			} else {
				where = append(path, "relatedVulnerabilities", k-1, "cvss", c)
			}
			source := strings.ToLower(s.Source)
			if strings.Contains(source, "nvd") || (source == "" && nvdSpace) {
				source = "nvd"
			} else if source == "" {
				source = strings.ToLower(meta.Namespace)
			}
			score := Score{Source: source, Version: s.Version, Value: -1, Vector: s.Vector}
			if b := s.Metrics.BaseScore; b != nil && (*b != 0 || s.Vector == "") {
				if err := checkScore(*b); err != nil {
					return Finding{}, p.at(append(where, "metrics", "baseScore"), "%v", err)
				}
				score.Value = *b
			}
			if score.Value < 0 && score.Vector == "" {
				continue
			}
			switch score.Version {
			case "2", "2.0":
				score.Version = CVSS2
			case "3", "3.0":
				score.Version = CVSS30
			case "3.1":
				score.Version = CVSS31
			case "4", "4.0":
				score.Version = CVSS40
			case "":
			default:
				return Finding{}, p.at(append(where, "version"), "unknown CVSS version %q", s.Version)
			}
			f.Scores = append(f.Scores, score)
		}
	}
	if f.Fix {
		for a, av := range v.Fix.Available {
			if av.Date == "" {
				continue
			}
			d, err := parseDay(av.Date)
			if err != nil {
				return Finding{}, p.at(append(path, "vulnerability", "fix", "available", a, "date"), "%v", err)
			}
			f.FixDate = earlierDay(f.FixDate, d)
		}
	}
	return f, nil
}
