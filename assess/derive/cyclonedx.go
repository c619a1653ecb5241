package derive

import (
	"strings"
)

type cdxComponent struct {
	BOMRef     string         `json:"bom-ref"`
	Name       string         `json:"name"`
	Version    string         `json:"version"`
	Components []cdxComponent `json:"components"`
}

type cdxSource struct {
	Name string `json:"name"`
}

type cdxDoc struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Metadata    struct {
		Timestamp string        `json:"timestamp"`
		Component *cdxComponent `json:"component"`
	} `json:"metadata"`
	Components      []cdxComponent `json:"components"`
	Vulnerabilities *[]struct {
		ID         string    `json:"id"`
		Source     cdxSource `json:"source"`
		References []struct {
			ID string `json:"id"`
		} `json:"references"`
		Ratings []struct {
			Source   cdxSource `json:"source"`
			Score    *float64  `json:"score"`
			Severity string    `json:"severity"`
			Method   string    `json:"method"`
			Vector   string    `json:"vector"`
		} `json:"ratings"`
		Published      string `json:"published"`
		Rejected       string `json:"rejected"`
		Recommendation string `json:"recommendation"`
		Analysis       *struct {
			State    string   `json:"state"`
			Response []string `json:"response"`
		} `json:"analysis"`
		Affects []struct {
			Ref      string `json:"ref"`
			Versions []struct {
				Version string `json:"version"`
				Status  string `json:"status"`
			} `json:"versions"`
		} `json:"affects"`
	} `json:"vulnerabilities"`
}

// cyclonedx reads a CycloneDX 1.5–1.7 JSON BOM with vulnerabilities: one
// finding per vulnerability and affected component.
func (p *parser) cyclonedx(r *Report) error {
	var doc cdxDoc
	if err := p.decodeJSON(&doc); err != nil {
		return err
	}
	if doc.BOMFormat != "CycloneDX" {
		return errorf(p.name, 0, "", "bomFormat is %q: not a CycloneDX BOM", doc.BOMFormat)
	}
	switch doc.SpecVersion {
	case "1.5", "1.6", "1.7":
	default:
		return p.at([]any{"specVersion"}, "CycloneDX %q: want 1.5, 1.6 or 1.7", doc.SpecVersion)
	}
	if doc.Vulnerabilities == nil {
		return errorf(p.name, 0, "", "a BOM without vulnerabilities: scan it first, and pass the scanner's report")
	}
	if ts := doc.Metadata.Timestamp; ts != "" {
		t, err := parseReportTime(ts, p.tz)
		if err != nil {
			return p.at([]any{"metadata", "timestamp"}, "%v", err)
		}
		r.Time, r.TimeFrom = t, "metadata.timestamp"
	}
	asset := ""
	if c := doc.Metadata.Component; c != nil {
		asset = strings.TrimSpace(c.Name)
	}
	if asset == "" {
		return errorf(p.name, 0, "", "no metadata.component.name: cannot tell what the BOM describes")
	}
	refs := map[string]string{}
	var walk func([]cdxComponent)
	walk = func(cs []cdxComponent) {
		for _, c := range cs {
			if c.BOMRef != "" {
				refs[c.BOMRef] = component(c.Name, c.Version)
			}
			walk(c.Components)
		}
	}
	walk(doc.Components)
	if c := doc.Metadata.Component; c != nil && c.BOMRef != "" {
		refs[c.BOMRef] = component(c.Name, c.Version)
	}
	for i, v := range *doc.Vulnerabilities {
		path := []any{"vulnerabilities", i}
		if strings.TrimSpace(v.ID) == "" {
			return p.at(path, "no id")
		}
		base := Finding{ID: v.ID, Asset: asset, Place: pathString(path)}
		for _, ref := range v.References {
			if ref.ID != "" {
				base.Aliases = append(base.Aliases, ref.ID)
			}
		}
		for j, rt := range v.Ratings {
			rpath := append(path, "ratings", j)
			if base.Severity == "" || bandRank(rt.Severity) > bandRank(base.Severity) {
				if rt.Severity != "" && rt.Severity != "unknown" {
					base.Severity = rt.Severity
				}
			}
			var version string
			switch rt.Method {
			case "CVSSv2":
				version = CVSS2
			case "CVSSv3":
				version = CVSS30
			case "CVSSv31":
				version = CVSS31
			case "CVSSv4":
				version = CVSS40
			case "":
			default:
				continue // OWASP, SSVC, other: not CVSS; their severity counts as a label
			}
			s := Score{Source: strings.ToLower(strings.TrimSpace(rt.Source.Name)), Version: version, Value: -1, Vector: rt.Vector}
			if rt.Score != nil {
				if err := checkScore(*rt.Score); err != nil {
					return p.at(append(rpath, "score"), "%v", err)
				}
				s.Value = *rt.Score
			}
			if s.Value < 0 && s.Vector == "" {
				continue
			}
			if s.Vector != "" && version == "" {
				_, s.Version, _ = normalizeVector(s.Vector, "")
			}
			f := s.Source
			if f == "nvd" || strings.Contains(f, "national vulnerability database") {
				s.Source = "nvd"
			}
			base.Scores = append(base.Scores, s)
		}
		if v.Published != "" {
			d, err := parseDay(v.Published)
			if err != nil {
				return p.at(append(path, "published"), "%v", err)
			}
			base.Published = d
		}
		if v.Rejected != "" {
			base.Status = Withdrawn
		}
		if a := v.Analysis; a != nil {
			switch a.State {
			case "not_affected", "false_positive":
				base.Status = NotAffected
			case "resolved", "resolved_with_pedigree":
				base.Status = Resolved
			}
			for _, resp := range a.Response {
				if resp == "update" {
					base.Fix = true
				}
			}
		}
		if strings.TrimSpace(v.Recommendation) != "" {
			base.Fix = true
		}
		if len(v.Affects) == 0 {
			r.Findings = append(r.Findings, base)
			continue
		}
		for k, a := range v.Affects {
			f := base
			ref := a.Ref
			if h := strings.LastIndexByte(ref, '#'); h >= 0 && strings.HasPrefix(ref, "urn:cdx:") {
				ref = ref[h+1:]
			}
			if name, ok := refs[ref]; ok {
				f.Component = name
			} else {
				f.Component = ref
			}
			affected, unaffected := 0, 0
			for _, ver := range a.Versions {
				switch ver.Status {
				case "unaffected":
					unaffected++
				case "affected":
					affected++
				}
			}
			if unaffected > 0 {
				if affected == 0 && f.Status == Open {
					f.Status = NotAffected
				} else {
					f.Fix = true
				}
			}
			if len(v.Affects) > 1 {
				f.Place = pathString(append(path, "affects", k))
			}
			r.Findings = append(r.Findings, f)
		}
	}
	return nil
}

// bandRank orders labels by their band; unknown labels rank lowest.
func bandRank(label string) int {
	t, _ := bandOf(label)
	return t
}
