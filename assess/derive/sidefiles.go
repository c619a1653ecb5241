package derive

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// cvePattern matches a CVE id.
var cvePattern = regexp.MustCompile(`^(?i)CVE-[0-9]{4}-[0-9]{4,}$`)

// isCVE reports whether id is a CVE id.
func isCVE(id string) bool { return cvePattern.MatchString(strings.TrimSpace(id)) }

// A File describes a side file for the explanation.
type File struct {
	Name   string // the path as given
	SHA256 string // hex SHA-256 of the bytes read
	Size   int64
}

// KEV is CISA's catalog of Known Exploited Vulnerabilities.
type KEV struct {
	File
	CatalogVersion string
	Released       time.Time // dateReleased
	cves           map[string]bool
}

// Has reports whether the catalog lists the CVE.
func (k *KEV) Has(cve string) bool {
	return k != nil && k.cves[strings.ToUpper(strings.TrimSpace(cve))]
}

// Len returns the number of CVEs listed.
func (k *KEV) Len() int { return len(k.cves) }

// ReadKEV reads the KEV catalog JSON at path (gzip too); maxSize bounds the
// file (0: DefaultMaxSize).
func ReadKEV(path string, maxSize int64) (*KEV, error) {
	in, err := readFile(path, orDefault(maxSize))
	if err != nil {
		return nil, err
	}
	return parseKEV(in)
}

// ParseKEV parses the KEV catalog JSON; name is used in messages.
func ParseKEV(name string, data []byte) (*KEV, error) {
	in, err := newInput(name, data, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	return parseKEV(in)
}

func parseKEV(in *input) (*KEV, error) {
	p := &parser{name: in.name, data: in.data}
	var doc struct {
		CatalogVersion  string `json:"catalogVersion"`
		DateReleased    string `json:"dateReleased"`
		Vulnerabilities *[]struct {
			CveID string `json:"cveID"`
		} `json:"vulnerabilities"`
	}
	if err := p.decodeJSON(&doc); err != nil {
		return nil, err
	}
	if doc.Vulnerabilities == nil || doc.CatalogVersion == "" {
		return nil, errorf(in.name, 0, "", "no catalogVersion or vulnerabilities: not a CISA KEV catalog")
	}
	k := &KEV{File: File{Name: in.name, SHA256: in.sha256, Size: in.raw}, CatalogVersion: doc.CatalogVersion, cves: map[string]bool{}}
	if doc.DateReleased != "" {
		t, err := parseReportTime(doc.DateReleased, time.UTC)
		if err != nil {
			return nil, p.at([]any{"dateReleased"}, "%v", err)
		}
		k.Released = t
	}
	for i, v := range *doc.Vulnerabilities {
		if !isCVE(v.CveID) {
			return nil, p.at([]any{"vulnerabilities", i, "cveID"}, "%q is not a CVE id", v.CveID)
		}
		k.cves[strings.ToUpper(strings.TrimSpace(v.CveID))] = true
	}
	return k, nil
}

// EPSS holds FIRST's Exploit Prediction Scoring System scores.
type EPSS struct {
	File
	ModelVersion string
	ScoreDate    time.Time
	scores       map[string]float64
}

// Score returns a CVE's EPSS probability, and whether the file lists it.
func (e *EPSS) Score(cve string) (float64, bool) {
	if e == nil {
		return 0, false
	}
	v, ok := e.scores[strings.ToUpper(strings.TrimSpace(cve))]
	return v, ok
}

// Len returns the number of CVEs scored.
func (e *EPSS) Len() int { return len(e.scores) }

// ReadEPSS reads FIRST's EPSS CSV at path, plain or gzip.
func ReadEPSS(path string, maxSize int64) (*EPSS, error) {
	in, err := readFile(path, orDefault(maxSize))
	if err != nil {
		return nil, err
	}
	return parseEPSS(in)
}

// ParseEPSS parses FIRST's EPSS CSV, plain or gzip; name is used in
// messages.
func ParseEPSS(name string, data []byte) (*EPSS, error) {
	in, err := newInput(name, data, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	return parseEPSS(in)
}

func parseEPSS(in *input) (*EPSS, error) {
	e := &EPSS{File: File{Name: in.name, SHA256: in.sha256, Size: in.raw}, scores: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(trimBOM(in.data)))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	header := false
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "#") {
			for kv := range strings.SplitSeq(strings.TrimPrefix(s, "#"), ",") {
				k, v, _ := strings.Cut(kv, ":")
				switch strings.TrimSpace(k) {
				case "model_version":
					e.ModelVersion = strings.TrimSpace(v)
				case "score_date":
					t, err := parseReportTime(strings.TrimSpace(v), time.UTC)
					if err != nil {
						return nil, errorf(in.name, line, "score_date", "%v", err)
					}
					e.ScoreDate = t
				}
			}
			continue
		}
		fields := strings.Split(s, ",")
		if !header {
			if len(fields) < 2 || strings.ToLower(strings.TrimSpace(fields[0])) != "cve" || strings.ToLower(strings.TrimSpace(fields[1])) != "epss" {
				return nil, errorf(in.name, line, "", "header %q: want cve,epss,percentile (not an EPSS score file)", s)
			}
			header = true
			continue
		}
		if len(fields) < 2 {
			return nil, errorf(in.name, line, "", "%d fields, want cve,epss,percentile", len(fields))
		}
		cve := strings.ToUpper(strings.TrimSpace(fields[0]))
		if !isCVE(cve) {
			return nil, errorf(in.name, line, "", "%q is not a CVE id", fields[0])
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(fields[1]), 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return nil, errorf(in.name, line, "", "EPSS %q is not a probability in 0..1", fields[1])
		}
		e.scores[cve] = v
	}
	if err := sc.Err(); err != nil {
		return nil, errorf(in.name, line+1, "", "%v", err)
	}
	if !header {
		return nil, errorf(in.name, 0, "", "no header cve,epss,percentile: not an EPSS score file")
	}
	return e, nil
}

// Inventory lists an organisation's assets: whether each faces the
// internet, and how critical it is (1 lowest to 5 highest).
type Inventory struct {
	File
	assets map[string]Asset
}

// An Asset is one row of the inventory.
type Asset struct {
	Name           string
	InternetFacing bool
	Criticality    int // 1..5
	Line           int
}

// Len returns the number of assets listed.
func (inv *Inventory) Len() int { return len(inv.assets) }

// Lookup finds the first of names in the inventory, matching without
// regard to case; an image name also matches its repository without the
// tag or digest.
func (inv *Inventory) Lookup(names ...string) (Asset, bool) {
	if inv == nil {
		return Asset{}, false
	}
	for _, n := range names {
		if a, ok := inv.assets[strings.ToLower(strings.TrimSpace(n))]; ok {
			return a, true
		}
	}
	for _, n := range names {
		if repo := imageRepo(n); repo != "" {
			if a, ok := inv.assets[strings.ToLower(repo)]; ok {
				return a, true
			}
		}
	}
	return Asset{}, false
}

// imageRepo returns an image reference without its tag or digest, or "".
func imageRepo(n string) string {
	n = strings.TrimSpace(n)
	if i := strings.IndexByte(n, '@'); i > 0 {
		return n[:i]
	}
	slash := strings.LastIndexByte(n, '/')
	if i := strings.LastIndexByte(n, ':'); i > slash && i > 0 {
		return n[:i]
	}
	return ""
}

// ReadInventory reads an asset inventory CSV with the columns asset,
// internet_facing and criticality.
func ReadInventory(path string, maxSize int64) (*Inventory, error) {
	in, err := readFile(path, orDefault(maxSize))
	if err != nil {
		return nil, err
	}
	return parseInventory(in)
}

// ParseInventory parses an asset inventory CSV; name is used in messages.
func ParseInventory(name string, data []byte) (*Inventory, error) {
	in, err := newInput(name, data, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	return parseInventory(in)
}

func parseInventory(in *input) (*Inventory, error) {
	inv := &Inventory{File: File{Name: in.name, SHA256: in.sha256, Size: in.raw}, assets: map[string]Asset{}}
	cr := csv.NewReader(bytes.NewReader(trimBOM(in.data)))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	p := &parser{name: in.name, data: in.data}
	var cols map[string]int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, p.csvErr(cr, err)
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			if rec[i] != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		if cols == nil {
			cols = map[string]int{}
			for i, h := range rec {
				cols[strings.ToLower(h)] = i
			}
			for _, want := range []string{"asset", "internet_facing", "criticality"} {
				if _, ok := cols[want]; !ok {
					return nil, errorf(in.name, line, "", "header lacks column %s (want asset,internet_facing,criticality)", want)
				}
			}
			continue
		}
		if len(rec) != len(cols) {
			return nil, errorf(in.name, line, "", "%d fields, want %d as in the header", len(rec), len(cols))
		}
		a := Asset{Name: rec[cols["asset"]], Line: line}
		if a.Name == "" {
			return nil, errorf(in.name, line, "asset", "empty asset name")
		}
		switch strings.ToLower(rec[cols["internet_facing"]]) {
		case "true", "yes", "y", "1":
			a.InternetFacing = true
		case "false", "no", "n", "0":
		default:
			return nil, errorf(in.name, line, "internet_facing", "%q: want yes or no (true/false, 1/0)", rec[cols["internet_facing"]])
		}
		c, err := strconv.Atoi(rec[cols["criticality"]])
		if err != nil || c < 1 || c > 5 {
			return nil, errorf(in.name, line, "criticality", "%q: want a whole number 1..5", rec[cols["criticality"]])
		}
		a.Criticality = c
		key := strings.ToLower(a.Name)
		if prev, dup := inv.assets[key]; dup {
			return nil, errorf(in.name, line, "asset", "%q is already listed on line %d", a.Name, prev.Line)
		}
		inv.assets[key] = a
	}
	if cols == nil {
		return nil, errorf(in.name, 0, "", "empty file: want a header asset,internet_facing,criticality")
	}
	return inv, nil
}

func orDefault(max int64) int64 {
	if max > 0 {
		return max
	}
	return DefaultMaxSize
}
