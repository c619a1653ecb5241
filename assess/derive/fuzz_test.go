package derive_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cohortmpc/cohort/assess/derive"
)

// fuzzReport parses data as format and checks what a parser promises:
// an *Error naming the input on failure; on success, findings with an id,
// scores in 0..10 (or a vector to score), and a derivation within the
// assessment's bounds.
func fuzzReport(t *testing.T, format derive.Format, data []byte) {
	r, err := derive.ParseReport("f", data, derive.ReadOptions{Format: format, TZ: cet, MaxSize: 1 << 20})
	if err != nil {
		var de *derive.Error
		if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), "derive: f: ") {
			t.Fatalf("error %q is not a derive.Error naming the file", err)
		}
		return
	}
	for _, f := range r.Findings {
		if strings.TrimSpace(f.ID) == "" {
			t.Fatalf("finding without an id: %+v", f)
		}
		for _, s := range f.Scores {
			if !(s.Value >= 0 && s.Value <= 10) && !(s.Value == -1 && s.Vector != "") {
				t.Fatalf("score %+v out of range", s)
			}
		}
	}
	res, err := derive.Derive([]*derive.Report{r}, derive.Options{AsOf: asOf.AddDate(50, 0, 0), Exposure: intp(3), PatchDelay: intp(4)})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "derive: ") {
			t.Fatalf("error %q does not start with the package name", err)
		}
		return
	}
	if err := mustResolve(t).CheckInput(1, res.Input); err != nil {
		t.Fatalf("derived %+v: %v", res.Input, err)
	}
	_ = res.Text()
	_ = res.JSON()
}

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(testdata(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
}

func FuzzTrivy(f *testing.F) {
	seed(f, "trivy.json")
	f.Add([]byte(`{"SchemaVersion":2,"ArtifactName":"a","Results":[{"Vulnerabilities":[{"VulnerabilityID":"X","CVSS":{"n":{"V3Vector":"AV:N"}}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.Trivy, data) })
}

func FuzzGrype(f *testing.F) {
	seed(f, "grype.json")
	f.Add([]byte(`{"matches":[{"vulnerability":{"id":"X","cvss":[{"version":"4.0","vector":"CVSS:4.0/AV:N"}]}}],"source":{"target":"d"}}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.Grype, data) })
}

func FuzzOSV(f *testing.F) {
	seed(f, "osv.json")
	f.Add([]byte(`{"results":[{"source":{"path":"p"},"packages":[{"vulnerabilities":[{"id":"A"},{"id":"A"}],"groups":[{"ids":["A","A"],"max_severity":"11"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.OSV, data) })
}

func FuzzCycloneDX(f *testing.F) {
	seed(f, "cyclonedx.json")
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.7","metadata":{"component":{"name":"x"}},"vulnerabilities":[{"id":"V","ratings":[{"method":"CVSSv4","vector":"AV:N"}],"affects":[{"ref":"urn:cdx:#"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.CycloneDX, data) })
}

func FuzzSARIF(f *testing.F) {
	seed(f, "sarif.json")
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"rules":[{"id":"r","properties":{"security-severity":1e309}}]}},"results":[{"rule":{"index":0}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.SARIF, data) })
}

func FuzzNessus(f *testing.F) {
	seed(f, "scan.nessus")
	f.Add([]byte(`<NessusClientData_v2><ReportHost><HostProperties><tag name="HOST_END_TIMESTAMP">-1</tag></HostProperties><ReportItem pluginID="1" severity="9"/></ReportHost></NessusClientData_v2>`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.Nessus, data) })
}

func FuzzGreenboneXML(f *testing.F) {
	seed(f, "greenbone.xml")
	f.Add([]byte(`<report><results><result><host>h</host><nvt oid="1"><tags>cvss_base_vector=CVSS:9</tags></nvt><severity>-1</severity></result></results></report>`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.GreenboneXML, data) })
}

func FuzzGreenboneCSV(f *testing.F) {
	seed(f, "greenbone.csv")
	f.Add([]byte("IP,Port,Port Protocol,CVSS,Severity,NVT OID,CVEs,Timestamp\nh,,,NaN,Log,1,NOCVE,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.GreenboneCSV, data) })
}

// FuzzDetect feeds anything to the format detection.
func FuzzDetect(f *testing.F) {
	seed(f, "trivy.json", "grype.json", "osv.json", "cyclonedx.json", "sarif.json", "scan.nessus", "greenbone.xml", "greenbone.csv", "kev.json", "epss.csv")
	f.Add([]byte("\x1f\x8b"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReport(t, derive.FormatAuto, data) })
}

func FuzzKEV(f *testing.F) {
	seed(f, "kev.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := derive.ParseKEV("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "derive: f: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if k.CatalogVersion == "" {
			t.Fatal("a catalog without a version")
		}
	})
}

func FuzzEPSS(f *testing.F) {
	seed(f, "epss.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := derive.ParseEPSS("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "derive: f: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		_ = e.Len()
	})
}

func FuzzInventory(f *testing.F) {
	seed(f, "inventory.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := derive.ParseInventory("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "derive: f: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if a, ok := inv.Lookup("web", "web:1"); ok && (a.Criticality < 1 || a.Criticality > 5) {
			t.Fatalf("criticality %d", a.Criticality)
		}
	})
}

func FuzzFirstSeen(f *testing.F) {
	seed(f, "first-seen.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := derive.ParseFirstSeen("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "derive: f: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		again, err := derive.ParseFirstSeen("f", s.Marshal())
		if err != nil || string(again.Marshal()) != string(s.Marshal()) {
			t.Fatalf("the record does not read back: %v", err)
		}
	})
}
