package derive

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

type nessusItem struct {
	Port        string   `xml:"port,attr"`
	Protocol    string   `xml:"protocol,attr"`
	Severity    string   `xml:"severity,attr"`
	PluginID    string   `xml:"pluginID,attr"`
	PluginName  string   `xml:"pluginName,attr"`
	CVE         []string `xml:"cve"`
	CVSS3Score  string   `xml:"cvss3_base_score"`
	CVSS3Vector string   `xml:"cvss3_vector"`
	CVSS4Score  string   `xml:"cvss4_base_score"`
	CVSS4Vector string   `xml:"cvss4_vector"`
	CVSS2Score  string   `xml:"cvss_base_score"`
	CVSS2Vector string   `xml:"cvss_vector"`
	RiskFactor  string   `xml:"risk_factor"`
	PatchDate   string   `xml:"patch_publication_date"`
	VulnDate    string   `xml:"vuln_publication_date"`
	Unsupported string   `xml:"unsupported_by_vendor"`
	Compliance  string   `xml:"compliance"`
}

type nessusTag struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

// xmlErr turns an XML decoding error into an *Error with the line.
func xmlErr(name string, dec *xml.Decoder, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		if strings.Contains(syn.Msg, "unexpected EOF") {
			return errorf(name, syn.Line, "", "truncated: the XML document ends early")
		}
		return errorf(name, syn.Line, "", "malformed XML: %s", syn.Msg)
	}
	line, _ := dec.InputPos()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errorf(name, line, "", "truncated: the XML document ends early")
	}
	return errorf(name, line, "", "malformed XML: %v", err)
}

// nessus reads a Nessus v2 report (.nessus): one finding per ReportItem of
// every ReportHost, the host named by its IP address when known.
func (p *parser) nessus(r *Report) error {
	dec := xml.NewDecoder(bytes.NewReader(p.data))
	var host *nessusHost
	sawRoot := false
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
			switch t.Name.Local {
			case "NessusClientData_v2":
				sawRoot = true
			case "ReportHost":
				host = &nessusHost{name: strings.TrimSpace(attr(t, "name")), line: line}
			case "HostProperties":
				if host == nil {
					return errorf(p.name, line, "HostProperties", "outside a ReportHost")
				}
				var props struct {
					Tags []nessusTag `xml:"tag"`
				}
				if err := dec.DecodeElement(&props, &t); err != nil {
					return xmlErr(p.name, dec, err)
				}
				if err := p.nessusProps(host, props.Tags, line, r); err != nil {
					return err
				}
			case "ReportItem":
				if host == nil {
					return errorf(p.name, line, "ReportItem", "outside a ReportHost")
				}
				var it nessusItem
				if err := dec.DecodeElement(&it, &t); err != nil {
					return xmlErr(p.name, dec, err)
				}
				f, err := p.nessusFinding(it, line)
				if err != nil {
					return err
				}
				host.findings = append(host.findings, f)
			}
		case xml.EndElement:
			if t.Name.Local == "ReportHost" && host != nil {
				p.nessusHostDone(host, r)
				host = nil
			}
		}
	}
	if !sawRoot {
		return errorf(p.name, 0, "", "no NessusClientData_v2 element: not a Nessus v2 report")
	}
	if host != nil {
		return errorf(p.name, host.line, "", "truncated: ReportHost %q is not closed", host.name)
	}
	return nil
}

type nessusHost struct {
	name, ip string
	names    []string
	line     int
	findings []Finding
	eol      bool
}

func (p *parser) nessusProps(h *nessusHost, tags []nessusTag, line int, r *Report) error {
	var end, endStamp string
	for _, t := range tags {
		v := strings.TrimSpace(t.Value)
		switch t.Name {
		case "host-ip":
			h.ip = v
		case "host-fqdn", "hostname", "netbios-name", "host-rdns":
			if v != "" {
				h.names = append(h.names, v)
			}
		case "HOST_END":
			end = v
		case "HOST_END_TIMESTAMP":
			endStamp = v
		}
	}
	place := fmt.Sprintf("ReportHost %q", h.name)
	var t time.Time
	switch {
	case endStamp != "":
		sec, err := strconv.ParseInt(endStamp, 10, 64)
		if err != nil || sec < 0 || sec > 1<<40 {
			return errorf(p.name, line, place, "HOST_END_TIMESTAMP %q is not a Unix time", endStamp)
		}
		t = time.Unix(sec, 0).UTC()
	case end != "":
		var err error
		if t, err = parseReportTime(end, p.tz); err != nil {
			return errorf(p.name, line, place, "HOST_END: %v", err)
		}
	}
	if !t.IsZero() && t.After(r.Time) {
		r.Time, r.TimeFrom = t, "the latest HOST_END"
	}
	return nil
}

func (p *parser) nessusHostDone(h *nessusHost, r *Report) {
	asset := h.ip
	names := h.names
	if asset == "" {
		asset = h.name
	} else if h.name != "" && h.name != asset {
		names = append([]string{h.name}, names...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for _, f := range h.findings {
		if f.EndOfLife {
			h.eol = true
		}
	}
	if h.eol {
		r.Notes = append(r.Notes, fmt.Sprintf("end of life: %s runs software its vendor no longer supports (Nessus: unsupported_by_vendor)", asset))
	}
	for _, f := range h.findings {
		f.Asset, f.AssetNames, f.EndOfLife = asset, names, h.eol
		r.Findings = append(r.Findings, f)
	}
}

func (p *parser) nessusFinding(it nessusItem, line int) (Finding, error) {
	place := fmt.Sprintf("ReportItem pluginID %s", it.PluginID)
	if strings.TrimSpace(it.PluginID) == "" {
		return Finding{}, errorf(p.name, line, "ReportItem", "no pluginID")
	}
	f := Finding{
		ID:        "NESSUS-" + strings.TrimSpace(it.PluginID),
		Component: strings.TrimSpace(it.Port) + "/" + strings.TrimSpace(it.Protocol),
		Severity:  it.RiskFactor,
		Place:     place,
		EndOfLife: strings.TrimSpace(it.Unsupported) == "true",
	}
	for _, c := range it.CVE {
		if c = strings.TrimSpace(c); c != "" {
			f.Aliases = append(f.Aliases, c)
		}
	}
	for _, s := range []struct{ score, vector, hint, field string }{
		{it.CVSS3Score, it.CVSS3Vector, "", "cvss3_base_score"},
		{it.CVSS4Score, it.CVSS4Vector, CVSS40, "cvss4_base_score"},
		{it.CVSS2Score, it.CVSS2Vector, CVSS2, "cvss_base_score"},
	} {
		if strings.TrimSpace(s.score) == "" && strings.TrimSpace(s.vector) == "" {
			continue
		}
		sc := Score{Source: "tenable", Version: s.hint, Value: -1, Vector: strings.TrimSpace(s.vector)}
		if strings.TrimSpace(s.score) != "" {
			v, err := parseScore(s.score)
			if err != nil {
				return Finding{}, errorf(p.name, line, place, "%s: %v", s.field, err)
			}
			sc.Value = v
		}
		if sc.Version == "" {
			sc.Version = CVSS30
			if strings.HasPrefix(sc.Vector, "CVSS:3.1/") {
				sc.Version = CVSS31
			}
		}
		f.Scores = append(f.Scores, sc)
	}
	switch strings.TrimSpace(it.Severity) {
	case "0":
		f.Status = Informational
	case "1", "2", "3", "4", "":
	default:
		return Finding{}, errorf(p.name, line, place, "severity %q is not 0..4", it.Severity)
	}
	if f.Severity == "" {
		f.Severity = map[string]string{"1": "low", "2": "medium", "3": "high", "4": "critical"}[strings.TrimSpace(it.Severity)]
	}
	if strings.TrimSpace(it.Compliance) == "true" {
		f.Status = Informational
	}
	if d := strings.TrimSpace(it.PatchDate); d != "" {
		day, err := parseDay(d)
		if err != nil {
			return Finding{}, errorf(p.name, line, place, "patch_publication_date: %v", err)
		}
		f.Fix, f.FixDate = true, day
	}
	if d := strings.TrimSpace(it.VulnDate); d != "" {
		day, err := parseDay(d)
		if err != nil {
			return Finding{}, errorf(p.name, line, place, "vuln_publication_date: %v", err)
		}
		f.Published = day
	}
	return f, nil
}

// attr returns the value of a start element's attribute.
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
