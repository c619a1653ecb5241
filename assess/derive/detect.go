package derive

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
)

// knownFormats is the list of formats for messages.
const knownFormats = "Trivy, Grype, OSV-Scanner, CycloneDX or SARIF JSON; Nessus v2 or Greenbone XML; Greenbone CSV"

// detect names the format of a report from its content.
func detect(name string, data []byte) (Format, error) {
	d := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	if len(d) == 0 {
		return "", errorf(name, 0, "", "empty file: want a report (%s)", knownFormats)
	}
	switch d[0] {
	case '{':
		return detectJSON(name, data)
	case '[':
		return "", errorf(name, 1, "", "a JSON array is not a report in a known format (%s)", knownFormats)
	case '<':
		return detectXML(name, data)
	}
	return detectCSV(name, data)
}

// detectJSON looks at the top-level keys of a JSON object.
func detectJSON(name string, data []byte) (Format, error) {
	p := &parser{name: name, data: data}
	doc := trimBOM(data)
	if err := json.Unmarshal(doc, &struct{}{}); err != nil { // validates without building anything
		var syn *json.SyntaxError
		if errors.As(err, &syn) && strings.Contains(syn.Error(), "after top-level value") {
			return "", errorf(name, lineOf(data, syn.Offset), "", "unexpected data after the JSON document: one report per file")
		}
		return "", p.jsonErr(err, -1)
	}
	keys := topLevel(doc)

	has := func(k string) bool { _, ok := keys[k]; return ok }
	str := func(k string) string {
		var s string
		json.Unmarshal(keys[k], &s)
		return s
	}

	switch {
	case has("catalogVersion") || (has("vulnerabilities") && has("dateReleased")):
		return "", errorf(name, 0, "", "is a CISA KEV catalog, not a report: pass it as the KEV catalog (-kev)")
	case has("profile") && has("findings"):
		return "", errorf(name, 0, "", "is a first-seen record, not a report: pass it as the first-seen record (-first-seen)")
	case has("profile") && has("values"):
		return "", errorf(name, 0, "", "is a derivation's explanation, not a report")
	}
	var found []Format
	if has("SchemaVersion") && (has("Results") || has("ArtifactName")) {
		found = append(found, Trivy)
	}
	if has("matches") && (has("descriptor") || has("source") || has("distro")) {
		found = append(found, Grype)
	}
	if has("results") && (has("experimental_config") || !has("runs")) {
		found = append(found, OSV)
	}
	if str("bomFormat") == "CycloneDX" {
		found = append(found, CycloneDX)
	}
	if has("runs") && (has("version") || has("$schema")) {
		found = append(found, SARIF)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if has("ClusterName") || has("Resources") {
			return "", errorf(name, 0, "", "is a Trivy Kubernetes report: scan the images and write one Trivy JSON report for each")
		}
		if has("SchemaVersion") {
			return found[0], nil
		}
		return "", errorf(name, 0, "", "JSON document of no known format (want %s); name the format to force it", knownFormats)
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = string(f)
	}
	slices.Sort(names)
	return "", errorf(name, 0, "", "mixed formats: the document has the top-level entries of %s; name the format to force one", strings.Join(names, " and "))
}

// detectXML looks at the root element.
func detectXML(name string, data []byte) (Format, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", errorf(name, 0, "", "XML document without a root element")
			}
			return "", xmlErr(name, dec, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "NessusClientData_v2":
			return Nessus, nil
		case "NessusClientData":
			return "", errorf(name, 0, "", "is a Nessus v1 report: export the scan as .nessus (v2)")
		case "get_reports_response", "report":
			return GreenboneXML, nil
		}
		return "", errorf(name, 0, "", "XML document with root element <%s> of no known format (want %s)", se.Name.Local, knownFormats)
	}
}

// detectCSV looks at the header.
func detectCSV(name string, data []byte) (Format, error) {
	head := strings.ToLower(firstLine(data))
	cols := map[string]bool{}
	for c := range strings.SplitSeq(head, ",") {
		cols[strings.Trim(strings.TrimSpace(c), `"`)] = true
	}
	switch {
	case cols["nvt oid"] && cols["ip"]:
		return GreenboneCSV, nil
	case strings.HasPrefix(head, "#model_version") || (cols["cve"] && cols["epss"]):
		return "", errorf(name, 0, "", "is an EPSS score file, not a report: pass it as the EPSS scores (-epss)")
	case cols["asset"] && cols["internet_facing"]:
		return "", errorf(name, 0, "", "is an asset inventory, not a report: pass it as the inventory (-inventory)")
	case cols["cvss_score"]:
		return "", errorf(name, 0, "", "is already a row of inputs, not a scanner report")
	}
	return "", errorf(name, 1, "", "not a report in a known format (want %s)", knownFormats)
}

func trimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\uFEFF")) }

// topLevel returns the entries of a valid JSON object: each key with its
// value's bytes (not copied). The first of duplicate keys counts.
func topLevel(doc []byte) map[string][]byte {
	keys := map[string][]byte{}
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return keys
	}
	i++
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) || doc[i] != '"' {
			return keys
		}
		end := skipString(doc, i)
		var key string
		json.Unmarshal(doc[i:end], &key)
		i = skipSpace(doc, end)
		if i >= len(doc) || doc[i] != ':' {
			return keys
		}
		i = skipSpace(doc, i+1)
		vend := skipValue(doc, i)
		if _, dup := keys[key]; !dup {
			keys[key] = doc[i:vend]
		}
		i = skipSpace(doc, vend)
		if i >= len(doc) || doc[i] != ',' {
			return keys
		}
		i++
	}
}

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the end of the string starting at doc[i] == '"'.
func skipString(doc []byte, i int) int {
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

// skipValue returns the end of the value starting at doc[i].
func skipValue(doc []byte, i int) int {
	depth := 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}
