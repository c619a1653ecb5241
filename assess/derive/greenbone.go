package derive

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

type gbResult struct {
	ID   string `xml:"id,attr"`
	Name string `xml:"name"`
	Host struct {
		Addr     string `xml:",chardata"`
		Hostname string `xml:"hostname"`
	} `xml:"host"`
	Port string `xml:"port"`
	NVT  struct {
		OID        string `xml:"oid,attr"`
		Name       string `xml:"name"`
		CVSSBase   string `xml:"cvss_base"`
		Severities struct {
			List []struct {
				Type   string `xml:"type,attr"`
				Origin string `xml:"origin"`
				Score  string `xml:"score"`
				Value  string `xml:"value"`
			} `xml:"severity"`
		} `xml:"severities"`
		Tags     string `xml:"tags"`
		Solution struct {
			Type string `xml:"type,attr"`
		} `xml:"solution"`
		Refs []struct {
			Type string `xml:"type,attr"`
			ID   string `xml:"id,attr"`
		} `xml:"refs>ref"`
		CVE string `xml:"cve"`
	} `xml:"nvt"`
	Threat           string `xml:"threat"`
	Severity         string `xml:"severity"`
	OriginalThreat   string `xml:"original_threat"`
	OriginalSeverity string `xml:"original_severity"`
}

// greenboneXML reads a Greenbone/OpenVAS report in XML (the GMP
// get_reports response, or the report element alone): one finding per
// result of the report's results.
func (p *parser) greenboneXML(r *Report) error {
	dec := xml.NewDecoder(bytes.NewReader(p.data))
	var stack []string
	var times = map[string]string{}
	counts := map[string]int{}
	var filter string
	sawReport := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return xmlErr(p.name, dec, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := dec.InputPos()
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			name := t.Name.Local
			if name == "report" {
				sawReport = true
			}
			switch {
			case name == "result" && parent == "results":
				var res gbResult
				if err := dec.DecodeElement(&res, &t); err != nil {
					return xmlErr(p.name, dec, err)
				}
				f, err := p.greenboneResult(res, line)
				if err != nil {
					return err
				}
				if f.EndOfLife {
					r.Notes = append(r.Notes, fmt.Sprintf("end of life: %s runs an operating system or product past its end of life (Greenbone: %s)", f.Asset, res.NVT.Name))
				}
				r.Findings = append(r.Findings, f)
				continue
			case parent == "result_count" && (name == "full" || name == "filtered"):
				var n int
				if err := dec.DecodeElement(&n, &t); err != nil {
					return errorf(p.name, line, "result_count."+name, "not a count: %v", err)
				}
				counts[name] = n
				continue
			case parent == "filters" && name == "term":
				if err := dec.DecodeElement(&filter, &t); err != nil {
					return xmlErr(p.name, dec, err)
				}
				continue
			case parent == "report" && (name == "scan_end" || name == "scan_start" || name == "timestamp" || name == "creation_time"):
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return xmlErr(p.name, dec, err)
				}
				if _, ok := times[name]; !ok && strings.TrimSpace(s) != "" {
					times[name] = strings.TrimSpace(s)
					times[name+" line"] = fmt.Sprint(line)
				}
				continue
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if !sawReport {
		return errorf(p.name, 0, "", "no report element: not a Greenbone report")
	}
	full, hasFull := counts["full"]
	filtered, hasFiltered := counts["filtered"]
	if hasFull && hasFiltered && filtered < full {
		r.Notes = append(r.Notes, fmt.Sprintf("filtered report: the filter %q of %s kept %d of %d results", strings.TrimSpace(filter), p.name, filtered, full))
	}
	if hasFiltered && len(r.Findings) < filtered {
		r.Notes = append(r.Notes, fmt.Sprintf("filtered report: %s holds %d of the %d results its filter matched (raise its rows limit)", p.name, len(r.Findings), filtered))
	}
	for _, name := range []string{"scan_end", "scan_start", "timestamp", "creation_time"} {
		s, ok := times[name]
		if !ok {
			continue
		}
		t, err := parseReportTime(s, p.tz)
		if err != nil {
			var line int
			fmt.Sscan(times[name+" line"], &line)
			return errorf(p.name, line, name, "%v", err)
		}
		r.Time, r.TimeFrom = t, name
		break
	}
	return nil
}

func (p *parser) greenboneResult(res gbResult, line int) (Finding, error) {
	place := "result"
	if res.ID != "" {
		place = fmt.Sprintf("result %s", res.ID)
	}
	host := strings.TrimSpace(res.Host.Addr)
	if host == "" {
		return Finding{}, errorf(p.name, line, place, "no host")
	}
	oid := strings.TrimSpace(res.NVT.OID)
	if oid == "" {
		return Finding{}, errorf(p.name, line, place, "no nvt oid")
	}
	f := Finding{
		ID:        "GREENBONE-" + oid,
		Asset:     host,
		Component: strings.TrimSpace(res.Port),
		Severity:  res.OriginalThreat,
		Fix:       res.NVT.Solution.Type == "VendorFix",
		Place:     place,
		EndOfLife: strings.Contains(strings.ToLower(res.NVT.Name), "end of life"),
	}
	if f.Severity == "" {
		f.Severity = res.Threat
	}
	if h := strings.TrimSpace(res.Host.Hostname); h != "" {
		f.AssetNames = []string{h}
	}
	for _, ref := range res.NVT.Refs {
		if strings.EqualFold(ref.Type, "cve") && strings.TrimSpace(ref.ID) != "" {
			f.Aliases = append(f.Aliases, strings.TrimSpace(ref.ID))
		}
	}
	f.Aliases = append(f.Aliases, splitCVEs(res.NVT.CVE)...)
	for _, s := range res.NVT.Severities.List {
		var version string
		switch s.Type {
		case "cvss_base_v2":
			version = CVSS2
		case "cvss_base_v3":
		case "cvss_base_v4":
			version = CVSS40
		default:
			continue
		}
		sc := Score{Source: "greenbone", Version: version, Value: -1, Vector: strings.TrimSpace(s.Value)}
		if strings.Contains(strings.ToLower(s.Origin), "nvd") {
			sc.Source = "nvd"
		}
		if strings.TrimSpace(s.Score) != "" {
			v, err := parseScore(s.Score)
			if err != nil {
				return Finding{}, errorf(p.name, line, place, "severity: %v", err)
			}
			sc.Value = v
		}
		if sc.Vector == "" && sc.Value < 0 {
			continue
		}
		if sc.Version == "" {
			sc.Version = CVSS31
			if strings.HasPrefix(sc.Vector, "CVSS:3.0/") {
				sc.Version = CVSS30
			}
		}
		f.Scores = append(f.Scores, sc)
	}
	if len(f.Scores) == 0 {
		for tag := range strings.SplitSeq(res.NVT.Tags, "|") {
			if v, ok := strings.CutPrefix(tag, "cvss_base_vector="); ok && strings.TrimSpace(v) != "" {
				_, version, err := normalizeVector(v, "")
				if err == nil {
					f.Scores = append(f.Scores, Score{Source: "greenbone", Version: version, Value: -1, Vector: strings.TrimSpace(v)})
				}
			}
		}
	}
	sev := res.OriginalSeverity
	if strings.TrimSpace(sev) == "" {
		sev = res.Severity
	}
	threat := strings.ToLower(strings.TrimSpace(res.Threat))
	orig := strings.ToLower(strings.TrimSpace(res.OriginalThreat))
	switch {
	case threat == "false positive" || strings.HasPrefix(strings.TrimSpace(res.Severity), "-1"):
		f.Status = NotAffected
	case (threat == "log" || threat == "debug") && orig != "" && orig != "log" && orig != "debug":
		f.Status = Suppressed // an override lowered it to Log
	case threat == "log" || threat == "debug":
		f.Status = Informational
	}
	if s := strings.TrimSpace(sev); s != "" && !strings.HasPrefix(s, "-") {
		v, err := parseScore(s)
		if err != nil {
			return Finding{}, errorf(p.name, line, place, "severity: %v", err)
		}
		if v == 0 && f.Status == Open {
			f.Status = Informational
		}
		f.Scores = append(f.Scores, Score{Source: "greenbone", Value: v})
	}
	return f, nil
}

// splitCVEs splits Greenbone's comma-separated CVE lists ("NOCVE" for none).
func splitCVEs(s string) []string {
	var out []string
	for c := range strings.SplitSeq(s, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !strings.EqualFold(c, "NOCVE") {
			out = append(out, c)
		}
	}
	return out
}

// greenboneCSV reads Greenbone's CSV results export: one finding per row.
func (p *parser) greenboneCSV(r *Report) error {
	cr := csv.NewReader(bytes.NewReader(trimBOM(p.data)))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return p.csvErr(cr, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, want := range []string{"ip", "port", "port protocol", "cvss", "severity", "nvt oid", "cves"} {
		if _, ok := col[want]; !ok {
			return errorf(p.name, 1, "", "header lacks column %q: not a Greenbone CSV results export", want)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return p.csvErr(cr, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			return errorf(p.name, line, "", "%d fields, want %d as in the header", len(rec), len(header))
		}
		place := fmt.Sprintf("row for %s", get(rec, "nvt oid"))
		host := get(rec, "ip")
		oid := get(rec, "nvt oid")
		if host == "" || oid == "" {
			return errorf(p.name, line, "", "empty IP or NVT OID")
		}
		f := Finding{
			ID:        "GREENBONE-" + oid,
			Aliases:   splitCVEs(get(rec, "cves")),
			Asset:     host,
			Component: get(rec, "port") + "/" + get(rec, "port protocol"),
			Severity:  get(rec, "severity"),
			Fix:       get(rec, "solution type") == "VendorFix",
			Place:     place,
			EndOfLife: strings.Contains(strings.ToLower(get(rec, "nvt name")), "end of life"),
		}
		if f.Component == "/" {
			f.Component = ""
		}
		if h := get(rec, "hostname"); h != "" {
			f.AssetNames = []string{h}
		}
		if s := get(rec, "cvss"); s != "" {
			v, err := parseScore(s)
			if err != nil {
				return errorf(p.name, line, "CVSS", "%v", err)
			}
			f.Scores = append(f.Scores, Score{Source: "greenbone", Value: v})
			if v == 0 {
				f.Status = Informational
			}
		}
		switch strings.ToLower(f.Severity) {
		case "log", "debug":
			f.Status = Informational
		case "false positive":
			f.Status = NotAffected
		}
		if ts := get(rec, "timestamp"); ts != "" {
			t, err := parseReportTime(ts, p.tz)
			if err != nil {
				return errorf(p.name, line, "Timestamp", "%v", err)
			}
			if t.After(r.Time) {
				r.Time, r.TimeFrom = t, "the latest Timestamp"
			}
		}
		if f.EndOfLife {
			r.Notes = append(r.Notes, fmt.Sprintf("end of life: %s runs an operating system or product past its end of life (Greenbone: %s)", host, get(rec, "nvt name")))
		}
		r.Findings = append(r.Findings, f)
	}
	r.Notes = slices.Compact(r.Notes)
	return nil
}

// csvErr names the line of a CSV error.
func (p *parser) csvErr(cr *csv.Reader, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errorf(p.name, pe.Line, "", "malformed CSV: %v", pe.Err)
	}
	if err == io.EOF {
		return errorf(p.name, 0, "", "empty file")
	}
	return errorf(p.name, 0, "", "%v", err)
}
