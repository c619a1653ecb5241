package derive

import (
	"encoding/json"
	"slices"
	"strings"
)

type osvVuln struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Published string   `json:"published"`
	Withdrawn string   `json:"withdrawn"`
	Severity  []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]json.RawMessage `json:"events"`
		} `json:"ranges"`
		DatabaseSpecific json.RawMessage `json:"database_specific"`
	} `json:"affected"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type osvDoc struct {
	Results *[]struct {
		Source struct {
			Path string `json:"path"`
			Type string `json:"type"`
		} `json:"source"`
		Packages []struct {
			Package struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"package"`
			Vulnerabilities []osvVuln `json:"vulnerabilities"`
			Groups          []struct {
				IDs         []string   `json:"ids"`
				Aliases     []string   `json:"aliases"`
				MaxSeverity flexString `json:"max_severity"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

// osv reads OSV-Scanner's JSON output. Each group of a package (the
// vulnerabilities OSV-Scanner found to be one) is one finding; a
// vulnerability in no group is one on its own. OSV-Scanner writes no time,
// and leaves ignored vulnerabilities out.
func (p *parser) osv(r *Report) error {
	var doc osvDoc
	if err := p.decodeJSON(&doc); err != nil {
		return err
	}
	if doc.Results == nil {
		return errorf(p.name, 0, "", "no results: not an OSV-Scanner JSON report")
	}
	for i, res := range *doc.Results {
		asset := strings.TrimSpace(res.Source.Path)
		if asset == "" {
			return p.at([]any{"results", i, "source"}, "no path: cannot tell what was scanned")
		}
		for j, pkg := range res.Packages {
			ppath := []any{"results", i, "packages", j}
			byID := map[string]int{}
			for k, v := range pkg.Vulnerabilities {
				if strings.TrimSpace(v.ID) == "" {
					return p.at(append(ppath, "vulnerabilities", k), "no id")
				}
				byID[v.ID] = k
			}
			grouped := make([]bool, len(pkg.Vulnerabilities))
			var groups [][]int // indices of the vulnerabilities of each finding
			var groupAliases [][]string
			var groupMax []string
			for _, g := range pkg.Groups {
				var members []int
				for _, id := range g.IDs {
					if k, ok := byID[id]; ok && !grouped[k] {
						grouped[k] = true
						members = append(members, k)
					}
				}
				if len(members) == 0 {
					continue
				}
				groups = append(groups, members)
				groupAliases = append(groupAliases, append(slices.Clone(g.IDs), g.Aliases...))
				groupMax = append(groupMax, string(g.MaxSeverity))
			}
			for k := range pkg.Vulnerabilities {
				if !grouped[k] {
					groups = append(groups, []int{k})
					groupAliases = append(groupAliases, nil)
					groupMax = append(groupMax, "")
				}
			}
			for g, members := range groups {
				f, err := p.osvFinding(pkg.Vulnerabilities, members, ppath, pkg.Package.Name)
				if err != nil {
					return err
				}
				f.Aliases = append(f.Aliases, groupAliases[g]...)
				if s := strings.TrimSpace(groupMax[g]); s != "" {
					v, err := parseScore(s)
					if err != nil {
						return p.at(append(ppath, "groups"), "max_severity: %v", err)
					}
					f.Scores = append(f.Scores, Score{Source: "osv-scanner", Value: v})
				}
				f.Asset = asset
				f.Component = component(pkg.Package.Name, pkg.Package.Version)
				r.Findings = append(r.Findings, f)
			}
		}
	}
	return nil
}

// osvFinding makes one finding of the vulnerabilities vulns[members].
func (p *parser) osvFinding(vulns []osvVuln, members []int, ppath []any, pkgName string) (Finding, error) {
	var f Finding
	withdrawn := 0
	for _, k := range members {
		v := vulns[k]
		path := append(slices.Clone(ppath), "vulnerabilities", k)
		if f.ID == "" || v.ID < f.ID {
			if f.ID != "" {
				f.Aliases = append(f.Aliases, f.ID)
			}
			f.ID = v.ID
			f.Place = pathString(path)
		} else {
			f.Aliases = append(f.Aliases, v.ID)
		}
		f.Aliases = append(f.Aliases, v.Aliases...)
		if v.Withdrawn != "" {
			withdrawn++
		}
		if v.Published != "" {
			d, err := parseDay(v.Published)
			if err != nil {
				return Finding{}, p.at(append(path, "published"), "%v", err)
			}
			f.Published = earlierDay(f.Published, d)
		}
		for s, sev := range v.Severity {
			var hint string
			switch sev.Type {
			case "CVSS_V2":
				hint = CVSS2
			case "CVSS_V3":
			case "CVSS_V4":
				hint = CVSS40
			default:
				continue // other scales (Ubuntu's priorities) are not CVSS
			}
			_, version, err := normalizeVector(sev.Score, hint)
			if err != nil {
				return Finding{}, p.at(append(path, "severity", s, "score"), "%v", err)
			}
			f.Scores = append(f.Scores, Score{Source: "osv", Version: version, Value: -1, Vector: sev.Score})
		}
		if l := osvLabel(v.DatabaseSpecific); l != "" && f.Severity == "" {
			f.Severity = l
		}
		matching := false
		for _, a := range v.Affected {
			if strings.EqualFold(a.Package.Name, pkgName) {
				matching = true
			}
		}
		for _, a := range v.Affected {
			if matching && !strings.EqualFold(a.Package.Name, pkgName) {
				continue
			}
			if f.Severity == "" {
				f.Severity = osvLabel(a.DatabaseSpecific)
			}
			for _, rg := range a.Ranges {
				for _, ev := range rg.Events {
					if _, ok := ev["fixed"]; ok {
						f.Fix = true
					}
				}
			}
		}
	}
	if withdrawn == len(members) {
		f.Status = Withdrawn
	}
	return f, nil
}

// osvLabel returns database_specific.severity, when it is a string.
func osvLabel(raw json.RawMessage) string {
	var ds struct {
		Severity string `json:"severity"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ds) != nil {
		return ""
	}
	return ds.Severity
}
