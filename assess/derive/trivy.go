package derive

import (
	"fmt"
	"strings"
)

type trivyDoc struct {
	SchemaVersion *int
	CreatedAt     string
	ArtifactName  string
	ArtifactType  string
	Metadata      struct {
		OS *struct {
			Family string
			Name   string
			EOSL   bool
		}
		RepoTags    []string
		RepoDigests []string
	}
	Results []struct {
		Target                       string
		Class                        string
		Type                         string
		Vulnerabilities              []trivyVuln
		ExperimentalModifiedFindings []struct {
			Type    string
			Status  string
			Source  string
			Finding trivyVuln
		}
	}
}

type trivyVuln struct {
	VulnerabilityID  string
	VendorIDs        []string
	PkgName          string
	PkgPath          string
	InstalledVersion string
	FixedVersion     string
	Status           string
	Severity         string
	SeveritySource   string
	CVSS             map[string]struct {
		V2Vector  string
		V3Vector  string
		V40Vector string
		V2Score   float64
		V3Score   float64
		V40Score  float64
	}
	PublishedDate string
}

// trivy reads Trivy's JSON report, SchemaVersion 2: every entry of
// Results[].Vulnerabilities, and of Results[].ExperimentalModifiedFindings
// (written with --show-suppressed) as dropped.
func (p *parser) trivy(r *Report) error {
	var doc trivyDoc
	if err := p.decodeJSON(&doc); err != nil {
		return err
	}
	if doc.SchemaVersion == nil {
		return errorf(p.name, 0, "", "no SchemaVersion: not a Trivy JSON report")
	}
	if *doc.SchemaVersion != 2 {
		return p.at([]any{"SchemaVersion"}, "Trivy SchemaVersion %d: want 2", *doc.SchemaVersion)
	}
	if doc.CreatedAt != "" {
		t, err := parseReportTime(doc.CreatedAt, p.tz)
		if err != nil {
			return p.at([]any{"CreatedAt"}, "%v", err)
		}
		r.Time, r.TimeFrom = t, "CreatedAt"
	}
	asset := strings.TrimSpace(doc.ArtifactName)
	if asset == "" {
		return errorf(p.name, 0, "", "no ArtifactName: cannot tell what was scanned")
	}
	eol := false
	if os := doc.Metadata.OS; os != nil && os.EOSL {
		eol = true
		r.Notes = append(r.Notes, fmt.Sprintf("end of life: %s runs %s %s, which its vendor no longer supports (Trivy: EOSL)", asset, os.Family, os.Name))
	}
	names := append(append([]string{}, doc.Metadata.RepoTags...), doc.Metadata.RepoDigests...)
	for i, res := range doc.Results {
		for j, v := range res.Vulnerabilities {
			f, err := p.trivyFinding(v, []any{"Results", i, "Vulnerabilities", j})
			if err != nil {
				return err
			}
			f.Asset, f.AssetNames, f.EndOfLife = asset, names, eol
			r.Findings = append(r.Findings, f)
		}
		for j, m := range res.ExperimentalModifiedFindings {
			if m.Type != "" && m.Type != "vulnerability" {
				continue
			}
			path := []any{"Results", i, "ExperimentalModifiedFindings", j}
			f, err := p.trivyFinding(m.Finding, append(path, "Finding"))
			if err != nil {
				return err
			}
			f.Asset, f.AssetNames, f.EndOfLife = asset, names, eol
			f.Place = pathString(path)
			switch m.Status {
			case "not_affected":
				f.Status = NotAffected
			case "fixed":
				f.Status = Resolved
			default: // ignored, and anything else Trivy took out of the results
				f.Status = Suppressed
			}
			r.Findings = append(r.Findings, f)
		}
	}
	return nil
}

func (p *parser) trivyFinding(v trivyVuln, path []any) (Finding, error) {
	if strings.TrimSpace(v.VulnerabilityID) == "" {
		return Finding{}, p.at(path, "no VulnerabilityID")
	}
	f := Finding{
		ID:        v.VulnerabilityID,
		Aliases:   v.VendorIDs,
		Component: component(v.PkgName, v.InstalledVersion),
		Severity:  v.Severity,
		Fix:       v.FixedVersion != "" || v.Status == "fixed",
		Place:     pathString(path),
	}
	if v.Status == "not_affected" {
		f.Status = NotAffected
	}
	for _, src := range sortedKeys(v.CVSS) {
		c := v.CVSS[src]
		source := strings.ToLower(src)
		for _, s := range []struct {
			score  float64
			vector string
			hint   string
			field  string
		}{{c.V3Score, c.V3Vector, "", "V3Score"}, {c.V40Score, c.V40Vector, CVSS40, "V40Score"}, {c.V2Score, c.V2Vector, CVSS2, "V2Score"}} {
			if s.score == 0 && s.vector == "" {
				continue
			}
			if err := checkScore(s.score); err != nil {
				return Finding{}, p.at(append(path, "CVSS", src, s.field), "%v", err)
			}
			version := s.hint
			if version == "" {
				version = CVSS31
				if strings.HasPrefix(s.vector, "CVSS:3.0/") {
					version = CVSS30
				}
			}
			value := s.score
			if value == 0 && s.vector != "" {
				value = -1
			}
			f.Scores = append(f.Scores, Score{Source: source, Version: version, Value: value, Vector: s.vector})
		}
	}
	if v.PublishedDate != "" {
		d, err := parseDay(v.PublishedDate)
		if err != nil {
			return Finding{}, p.at(append(path, "PublishedDate"), "%v", err)
		}
		f.Published = d
	}
	return f, nil
}

// component names a package version.
func component(name, version string) string {
	name, version = strings.TrimSpace(name), strings.TrimSpace(version)
	if version == "" {
		return name
	}
	return name + "@" + version
}
