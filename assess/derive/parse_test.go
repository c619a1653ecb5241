package derive_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess/derive"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(testdata(name))
	require.NoError(t, err)
	return data
}

func parse(t *testing.T, name string) *derive.Report {
	t.Helper()
	r, err := derive.ReadReport(testdata(name), derive.ReadOptions{TZ: cet})
	require.NoError(t, err)
	return r
}

// byID finds a report's entries for an id.
func byID(r *derive.Report, id string) []derive.Finding {
	var out []derive.Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestParseFixtures(t *testing.T) {
	t.Run("trivy", func(t *testing.T) {
		r := parse(t, "trivy.json")
		assert.Equal(t, derive.Trivy, r.Format)
		assert.True(t, time.Date(2025, 3, 14, 8, 30, 12, 345678000, time.UTC).Equal(r.Time))
		assert.Equal(t, "CreatedAt", r.TimeFrom)
		assert.Len(t, r.Findings, 9)
		two := byID(r, "CVE-2023-0286") // one CVE on two packages
		require.Len(t, two, 2)
		assert.Equal(t, "libcrypto3@3.0.7-r0", two[0].Component)
		assert.Equal(t, "libssl3@3.0.7-r0", two[1].Component)
		f := byID(r, "CVE-2022-37434")[0]
		assert.Equal(t, "registry.example/shop:1.4", f.Asset)
		assert.Equal(t, "HIGH", f.Severity)
		assert.Equal(t, []derive.Score{{Source: "nvd", Version: derive.CVSS31, Value: 9.8, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
			{Source: "redhat", Version: derive.CVSS31, Value: 7, Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H"}}, f.Scores)
		assert.True(t, f.Fix)
		assert.True(t, f.EndOfLife)
		assert.Equal(t, "2022-08-05", f.Published.Format("2006-01-02"))
		assert.Equal(t, "Results[0].Vulnerabilities[2]", f.Place)
		assert.Equal(t, -1.0, byID(r, "CVE-2023-6378")[0].Scores[0].Value) // vector only
		assert.Equal(t, derive.Suppressed, byID(r, "CVE-2023-2650")[0].Status)
		assert.Equal(t, derive.NotAffected, byID(r, "CVE-2024-5535")[0].Status)
		assert.Equal(t, []string{"end of life: registry.example/shop:1.4 runs alpine 3.16.9, which its vendor no longer supports (Trivy: EOSL)"}, r.Notes)
	})
	t.Run("grype", func(t *testing.T) {
		r := parse(t, "grype.json")
		assert.Equal(t, derive.Grype, r.Format)
		assert.True(t, time.Date(2025, 3, 14, 9, 2, 41, 115829000, time.UTC).Equal(r.Time))
		f := byID(r, "GHSA-jfh8-c2jp-5v3q")[0]
		assert.Equal(t, []string{"CVE-2021-44228"}, f.Aliases)
		assert.Equal(t, "org.apache.logging.log4j:log4j-core@2.14.1", f.Component)
		assert.Equal(t, "2021-12-10", f.FixDate.Format("2006-01-02"))
		require.Len(t, f.Scores, 3)
		assert.Equal(t, "security-advisories@github.com", f.Scores[0].Source)
		assert.Equal(t, derive.Score{Source: "nvd", Version: derive.CVSS31, Value: 10, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}, f.Scores[1])
		assert.Equal(t, derive.CVSS2, f.Scores[2].Version)
		assert.Equal(t, derive.Suppressed, byID(r, "CVE-2023-2650")[0].Status)
		assert.Equal(t, derive.NotAffected, byID(r, "CVE-2024-5535")[0].Status)
		assert.Equal(t, []string{"registry.example/shop:1.4"}, f.AssetNames)
	})
	t.Run("osv", func(t *testing.T) {
		r := parse(t, "osv.json")
		assert.Equal(t, derive.OSV, r.Format)
		assert.True(t, r.Time.IsZero())
		require.Len(t, r.Findings, 4)
		f := r.Findings[0] // GHSA-4v7x-pqxf-cx7m and GO-2024-2687, one group
		assert.Equal(t, "GHSA-4v7x-pqxf-cx7m", f.ID)
		assert.Contains(t, f.Aliases, "CVE-2023-45288")
		assert.Contains(t, f.Aliases, "GO-2024-2687")
		assert.Equal(t, "MODERATE", f.Severity)
		assert.True(t, f.Fix)
		assert.Equal(t, "2024-04-03", f.Published.Format("2006-01-02"))
		assert.Equal(t, []derive.Score{{Source: "osv", Version: derive.CVSS31, Value: -1, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}, {Source: "osv-scanner", Value: 7.5}}, f.Scores)
		assert.Equal(t, "services/payments/go.mod", f.Asset)
		assert.Equal(t, "golang.org/x/net@0.17.0", f.Component)
		assert.Equal(t, derive.Withdrawn, byID(r, "GO-2024-3011")[0].Status)
		assert.Equal(t, "web/package-lock.json", byID(r, "GHSA-35jh-r3h4-6jhm")[0].Asset)
	})
	t.Run("cyclonedx", func(t *testing.T) {
		r := parse(t, "cyclonedx.json")
		assert.Equal(t, derive.CycloneDX, r.Format)
		require.Len(t, r.Findings, 6)
		f := byID(r, "CVE-2022-1471")[0]
		assert.Equal(t, "registry.example/billing:2.3", f.Asset)
		assert.Equal(t, "snakeyaml@1.33", f.Component)
		assert.Equal(t, derive.Score{Source: "nvd", Version: derive.CVSS31, Value: -1, Vector: "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}, f.Scores[0]) // prefix-less
		assert.Equal(t, []string{"GHSA-mjmj-j48q-9wg2"}, f.Aliases)
		assert.True(t, f.Fix)
		spring := byID(r, "CVE-2022-22965")
		require.Len(t, spring, 2)
		assert.Equal(t, "spring-beans@5.3.17", spring[0].Component) // a BOM-Link to a nested component
		assert.Equal(t, "spring-webmvc@5.3.17", spring[1].Component)
		assert.Equal(t, derive.NotAffected, byID(r, "CVE-2022-42003")[0].Status)
		assert.Equal(t, derive.Open, byID(r, "CVE-2016-1000027")[0].Status) // in triage
		assert.False(t, byID(r, "CVE-2016-1000027")[0].Fix)
		assert.Equal(t, derive.Withdrawn, byID(r, "CVE-2023-35116")[0].Status)
	})
	t.Run("sarif", func(t *testing.T) {
		r := parse(t, "sarif.json")
		assert.Equal(t, derive.SARIF, r.Format)
		assert.True(t, time.Date(2025, 3, 14, 6, 12, 40, 0, time.UTC).Equal(r.Time))
		require.Len(t, r.Findings, 5)
		f := r.Findings[0]
		assert.Equal(t, "CVE-2024-6387", f.ID)
		assert.Equal(t, "registry.example/edge-proxy:0.9", f.Asset)
		assert.Equal(t, "openssh-server@1:9.2p1-2", f.Component)
		assert.Equal(t, []derive.Score{{Source: "trivy", Value: 8.1}}, f.Scores)
		assert.True(t, f.Fix)
		assert.Equal(t, derive.Suppressed, r.Findings[1].Status)
		assert.Equal(t, []derive.Score{{Source: "trivy", Value: 7.5}}, r.Findings[2].Scores) // a number, not a string
		assert.Empty(t, r.Findings[3].Scores)
		assert.Equal(t, "LOW", r.Findings[3].Severity) // from the rule's tags
		assert.Equal(t, derive.Informational, r.Findings[4].Status)
	})
	t.Run("nessus", func(t *testing.T) {
		r := parse(t, "scan.nessus")
		assert.Equal(t, derive.Nessus, r.Format)
		assert.True(t, time.Date(2025, 3, 14, 9, 19, 59, 0, time.UTC).Equal(r.Time)) // the later host
		require.Len(t, r.Findings, 7)
		assert.Equal(t, derive.Informational, byID(r, "NESSUS-19506")[0].Status)
		f := byID(r, "NESSUS-201194")[0]
		assert.Equal(t, "10.0.8.21", f.Asset)
		assert.Equal(t, []string{"web01.example.org"}, f.AssetNames)
		assert.Equal(t, "22/tcp", f.Component)
		assert.Equal(t, []string{"CVE-2024-6387"}, f.Aliases)
		assert.Equal(t, "2024-07-01", f.FixDate.Format("2006-01-02"))
		assert.Equal(t, derive.Score{Source: "tenable", Version: derive.CVSS30, Value: 8.1, Vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"}, f.Scores[0])
		assert.True(t, f.EndOfLife) // the host runs an unsupported PHP
		assert.Equal(t, []string{"CVE-2024-38474", "CVE-2024-38476", "CVE-2024-38477"}, byID(r, "NESSUS-201198")[0].Aliases)
		db := byID(r, "NESSUS-125313")[0]
		assert.Equal(t, "10.0.8.40", db.Asset)
		assert.False(t, db.EndOfLife)
	})
	t.Run("greenbone xml", func(t *testing.T) {
		r := parse(t, "greenbone.xml")
		assert.Equal(t, derive.GreenboneXML, r.Format)
		assert.Equal(t, "scan_end", r.TimeFrom)
		assert.True(t, time.Date(2025, 3, 14, 3, 47, 29, 0, time.UTC).Equal(r.Time))
		require.Len(t, r.Findings, 6)
		f := r.Findings[0]
		assert.Equal(t, "GREENBONE-1.3.6.1.4.1.25623.1.0.810676", f.ID)
		assert.Equal(t, []string{"CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145"}, f.Aliases)
		assert.Equal(t, "10.0.9.12", f.Asset)
		assert.Equal(t, []string{"files01.example.org"}, f.AssetNames)
		assert.Equal(t, "445/tcp", f.Component)
		assert.True(t, f.Fix)
		assert.True(t, r.Findings[1].EndOfLife)
		assert.Equal(t, "nvd", r.Findings[2].Scores[0].Source)
		assert.Equal(t, derive.NotAffected, r.Findings[4].Status)
		assert.Equal(t, derive.Informational, r.Findings[5].Status)
	})
	t.Run("greenbone csv", func(t *testing.T) {
		r := parse(t, "greenbone.csv")
		assert.Equal(t, derive.GreenboneCSV, r.Format)
		assert.True(t, time.Date(2025, 3, 14, 3, 21, 30, 0, time.UTC).Equal(r.Time))
		require.Len(t, r.Findings, 4)
		assert.Equal(t, []string{"CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145"}, r.Findings[0].Aliases)
		assert.Equal(t, "445/tcp", r.Findings[0].Component)
		assert.Empty(t, r.Findings[2].Aliases) // NOCVE
		assert.Equal(t, derive.Informational, r.Findings[3].Status)
	})
}

func TestGzipAndDigest(t *testing.T) {
	data := read(t, "trivy.json")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	plain, err := derive.ParseReport("trivy.json", data, derive.ReadOptions{})
	require.NoError(t, err)
	gz, err := derive.ParseReport("trivy.json.gz", z.Bytes(), derive.ReadOptions{})
	require.NoError(t, err)
	assert.True(t, gz.Gzip)
	assert.Equal(t, plain.Findings, gz.Findings)
	assert.NotEqual(t, plain.SHA256, gz.SHA256) // the digest is of the file as read
	assert.Len(t, plain.SHA256, 64)

	epss := read(t, "epss.csv")
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write(epss)
	zw.Close()
	e, err := derive.ParseEPSS("epss.csv.gz", z.Bytes())
	require.NoError(t, err)
	assert.Equal(t, "v2025.03.14", e.ModelVersion)
	assert.Equal(t, 15, e.Len())
	p, ok := e.Score("cve-2021-44228")
	assert.True(t, ok)
	assert.Equal(t, 0.94358, p)
}

func TestForcedFormat(t *testing.T) {
	data := read(t, "trivy.json")
	r, err := derive.ParseReport("x", data, derive.ReadOptions{Format: derive.Trivy})
	require.NoError(t, err)
	assert.Len(t, r.Findings, 9)
	_, err = derive.ParseReport("x", data, derive.ReadOptions{Format: derive.Grype})
	require.EqualError(t, err, "derive: x: no matches: not a Grype JSON report")
	_, err = derive.ParseReport("x", data, derive.ReadOptions{Format: derive.Nessus})
	require.EqualError(t, err, "derive: x: no NessusClientData_v2 element: not a Nessus v2 report")
	f, err := derive.ParseFormat("Greenbone-CSV")
	require.NoError(t, err)
	assert.Equal(t, derive.GreenboneCSV, f)
	_, err = derive.ParseFormat("qualys")
	require.EqualError(t, err, "derive: unknown format \"qualys\" (want auto, trivy, grype, osv, cyclonedx, sarif, nessus, greenbone-xml, greenbone-csv)")
}

func TestBadReports(t *testing.T) {
	trivy := string(read(t, "trivy.json"))
	nessus := string(read(t, "scan.nessus"))
	tests := []struct {
		name, data string
		opt        derive.ReadOptions
		err        string
	}{
		{"empty", "  \n", derive.ReadOptions{}, "derive: r: empty file: want a report"},
		{"truncated JSON", trivy[:len(trivy)/2], derive.ReadOptions{}, "truncated: the JSON document ends early"},
		{"malformed JSON", "{\n\"SchemaVersion\": 2,\n\"Results\": [}\n", derive.ReadOptions{}, "derive: r: line 3: malformed JSON: invalid character '}'"},
		{"two documents", `{"SchemaVersion":2,"ArtifactName":"a"}{"x":1}`, derive.ReadOptions{}, "unexpected data after the JSON document: one report per file"},
		{"unknown JSON", `{"hello": "world"}`, derive.ReadOptions{}, "derive: r: JSON document of no known format"},
		{"mixed", `{"SchemaVersion": 2, "Results": [], "matches": [], "descriptor": {}}`, derive.ReadOptions{}, "derive: r: mixed formats: the document has the top-level entries of grype and trivy"},
		{"array", `[1, 2]`, derive.ReadOptions{}, "a JSON array is not a report"},
		{"KEV as a report", `{"catalogVersion": "1", "vulnerabilities": []}`, derive.ReadOptions{}, "is a CISA KEV catalog, not a report"},
		{"EPSS as a report", "cve,epss,percentile\n", derive.ReadOptions{}, "is an EPSS score file, not a report"},
		{"inventory as a report", "asset,internet_facing,criticality\n", derive.ReadOptions{}, "is an asset inventory, not a report"},
		{"a row as a report", "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,3,4\n", derive.ReadOptions{}, "is already a row of inputs"},
		{"unknown CSV", "a,b\n1,2\n", derive.ReadOptions{}, "derive: r: line 1: not a report in a known format"},
		{"Nessus v1", "<NessusClientData></NessusClientData>", derive.ReadOptions{}, "is a Nessus v1 report"},
		{"unknown XML", "<?xml version=\"1.0\"?>\n<html/>", derive.ReadOptions{}, "XML document with root element <html> of no known format"},
		{"truncated XML", nessus[:len(nessus)*2/3], derive.ReadOptions{TZ: cet}, "truncated"},
		{"malformed XML", "<NessusClientData_v2>\n<Report>\n</Policy>\n", derive.ReadOptions{}, "derive: r: line 3: malformed XML"},
		{"Nessus time without zone", nessus, derive.ReadOptions{}, `derive: r: line 6: ReportHost "web01.example.org": HOST_END: time "Fri Mar 14 09:12:54 2025" has no time zone`},
		{"Trivy schema 1", `{"SchemaVersion": 1, "Results": []}`, derive.ReadOptions{}, "derive: r: line 1: SchemaVersion: Trivy SchemaVersion 1: want 2"},
		{"Trivy bad date", strings.Replace(trivy, `"2023-11-29T12:15:00Z"`, `"2023-13-45"`, 1), derive.ReadOptions{},
			`derive: r: line 148: Results[1].Vulnerabilities[1].PublishedDate: "2023-13-45" is not a date`},
		{"Trivy score out of range", strings.Replace(trivy, `"V3Score": 5.5`, `"V3Score": 55`, 1), derive.ReadOptions{},
			"derive: r: line 100: Results[0].Vulnerabilities[3].CVSS.nvd.V3Score: score 55 is outside 0..10"},
		{"Trivy wrong type", strings.Replace(trivy, `"V3Score": 5.5`, `"V3Score": "5.5"`, 1), derive.ReadOptions{},
			"derive: r: line 100: Results.Vulnerabilities.CVSS.V3Score: string is not a valid float64"},
		{"Trivy report time in the wrong form", strings.Replace(trivy, `"2025-03-14T09:30:12.345678+01:00"`, `"14/03/2025"`, 1), derive.ReadOptions{},
			`derive: r: line 3: CreatedAt: "14/03/2025" is not a date and time`},
		{"CycloneDX 1.4", `{"bomFormat": "CycloneDX", "specVersion": "1.4", "vulnerabilities": []}`, derive.ReadOptions{}, `specVersion: CycloneDX "1.4": want 1.5, 1.6 or 1.7`},
		{"CycloneDX without vulnerabilities", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"component": {"name": "x"}}}`, derive.ReadOptions{}, "a BOM without vulnerabilities"},
		{"SARIF 2.0", `{"version": "2.0.0", "runs": []}`, derive.ReadOptions{}, `SARIF version "2.0.0": want 2.1.0`},
		{"SARIF rule index", `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"ruleIndex": 3}]}]}`, derive.ReadOptions{},
			"derive: r: line 1: runs[0].results[0].ruleIndex: rule index 3 is not among the 0 rules"},
		{"Greenbone CSV fields", "IP,Port,Port Protocol,CVSS,Severity,NVT OID,CVEs\n10.0.0.1,22,tcp,5.0,Medium,1.2.3\n", derive.ReadOptions{}, "derive: r: line 2: 6 fields, want 7 as in the header"},
		{"Greenbone CSV score", "IP,Port,Port Protocol,CVSS,Severity,NVT OID,CVEs\n10.0.0.1,22,tcp,50,Medium,1.2.3,NOCVE\n", derive.ReadOptions{}, "derive: r: line 2: CVSS: score 50 is outside 0..10"},
		{"Greenbone without results", "<report id=\"x\"><report><scan_end>yesterday</scan_end></report></report>", derive.ReadOptions{}, `derive: r: line 1: scan_end: "yesterday" is not a date and time`},
		{"gzip truncated", string(gzipped(trivy)[:200]), derive.ReadOptions{}, "gzip: truncated"},
		{"gzip over the limit", string(gzipped(trivy)), derive.ReadOptions{MaxSize: 4096}, "expands to more than the limit of 4.0 KiB"},
		{"over the limit", trivy, derive.ReadOptions{MaxSize: 4096}, "is larger than the limit of 4.0 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := derive.ParseReport("r", []byte(tt.data), tt.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, strings.HasPrefix(err.Error(), "derive: r: "), err.Error())
			var de *derive.Error
			assert.True(t, errors.As(err, &de))
		})
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// TestHugeFile refuses a 2 GB file from its size, before reading it.
func TestHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(2<<30)) // sparse: no disk used
	require.NoError(t, f.Close())
	start := time.Now()
	_, err = derive.ReadReport(path, derive.ReadOptions{})
	require.EqualError(t, err, "derive: "+path+": 2.0 GiB is larger than the limit of 256.0 MiB: refusing to read it (raise the limit if this is really one report)")
	assert.Less(t, time.Since(start), time.Second)
	_, err = derive.ReadKEV(path, 0)
	require.ErrorContains(t, err, "is larger than the limit")
	_, err = derive.ReadReport(t.TempDir(), derive.ReadOptions{})
	require.ErrorContains(t, err, "is a directory")
	_, err = derive.ReadReport(filepath.Join(t.TempDir(), "missing.json"), derive.ReadOptions{})
	require.ErrorContains(t, err, "missing.json: no such file or directory")
}

func TestBadSideFiles(t *testing.T) {
	tests := []struct {
		name string
		fn   func([]byte) error
		data string
		err  string
	}{
		{"KEV not a catalog", kevErr, `{"title": "x"}`, "derive: f: no catalogVersion or vulnerabilities: not a CISA KEV catalog"},
		{"KEV bad id", kevErr, "{\"catalogVersion\": \"1\",\n\"vulnerabilities\": [\n{\"cveID\": \"CVE-1\"}]}", `derive: f: line 3: vulnerabilities[0].cveID: "CVE-1" is not a CVE id`},
		{"KEV truncated", kevErr, `{"catalogVersion": "1", "vulner`, "truncated"},
		{"EPSS header", epssErr, "cve;epss\n", `derive: f: line 1: header "cve;epss": want cve,epss,percentile`},
		{"EPSS probability", epssErr, "cve,epss,percentile\nCVE-2024-0001,1.5,0.9\n", `derive: f: line 2: EPSS "1.5" is not a probability in 0..1`},
		{"EPSS id", epssErr, "cve,epss,percentile\nCVE-24-1,0.5,0.9\n", `derive: f: line 2: "CVE-24-1" is not a CVE id`},
		{"EPSS date", epssErr, "#model_version:v1,score_date:soon\ncve,epss,percentile\n", `derive: f: line 1: score_date: "soon" is not a date and time`},
		{"EPSS empty", epssErr, "", "no header cve,epss,percentile"},
		{"inventory header", invErr, "name,internet_facing,criticality\n", "derive: f: line 1: header lacks column asset"},
		{"inventory facing", invErr, "asset,internet_facing,criticality\nweb,maybe,3\n", `derive: f: line 2: internet_facing: "maybe": want yes or no`},
		{"inventory criticality", invErr, "asset,internet_facing,criticality\nweb,yes,9\n", `derive: f: line 2: criticality: "9": want a whole number 1..5`},
		{"inventory duplicate", invErr, "asset,internet_facing,criticality\nweb,yes,3\n\nWEB,no,1\n", `derive: f: line 4: asset: "WEB" is already listed on line 2`},
		{"inventory empty", invErr, "\n", "empty file"},
		{"first-seen profile", fsErr, `{"profile": "cohort-inputs/v0", "findings": []}`, `derive: f: line 1: profile: record of profile "cohort-inputs/v0"`},
		{"first-seen date", fsErr, `{"profile": "cohort-inputs/v1", "findings": [{"vulnerability": "CVE-1", "first_seen": "today"}]}`, `findings[0].first_seen: "today" is not a date`},
		{"first-seen twice", fsErr, `{"profile": "cohort-inputs/v1", "findings": [{"vulnerability": "A", "first_seen": "2025-01-01"}, {"vulnerability": "A", "first_seen": "2025-01-02"}]}`, "is recorded twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn([]byte(tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func kevErr(b []byte) error  { _, err := derive.ParseKEV("f", b); return err }
func epssErr(b []byte) error { _, err := derive.ParseEPSS("f", b); return err }
func invErr(b []byte) error  { _, err := derive.ParseInventory("f", b); return err }
func fsErr(b []byte) error   { _, err := derive.ParseFirstSeen("f", b); return err }

func TestFirstSeenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "first-seen.json")
	fs, err := derive.ReadFirstSeen(path, 0) // does not exist yet
	require.NoError(t, err)
	assert.Equal(t, 0, fs.Len())
	res, err := derive.Derive([]*derive.Report{parse(t, "grype.json")}, derive.Options{FirstSeen: fs, Exposure: intp(1)})
	require.NoError(t, err)
	require.NoError(t, res.FirstSeen.WriteFile(path))
	again, err := derive.ReadFirstSeen(path, 0)
	require.NoError(t, err)
	assert.Equal(t, 5, again.Len())
	assert.Equal(t, res.FirstSeen.Marshal(), again.Marshal())
	d, ok := again.Lookup("CVE-2021-44228", "registry.example/shop:1.4", "org.apache.logging.log4j:log4j-core@2.14.1")
	assert.True(t, ok)
	assert.Equal(t, "2025-03-14", d.Format("2006-01-02"))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestFilteredReports(t *testing.T) {
	r := parse(t, "greenbone.xml")
	assert.Contains(t, r.Notes, `filtered report: the filter "apply_overrides=1 min_qod=70 levels=chmlg rows=1000 first=1 sort-reverse=severity" of testdata/greenbone.xml kept 6 of 7 results`)
	trimmed := strings.Replace(string(read(t, "greenbone.xml")), "<filtered>6</filtered>", "<filtered>9</filtered>", 1)
	r, err := derive.ParseReport("g.xml", []byte(trimmed), derive.ReadOptions{})
	require.NoError(t, err)
	assert.Contains(t, r.Notes, "filtered report: g.xml holds 6 of the 9 results its filter matched (raise its rows limit)")

	grype := strings.Replace(string(read(t, "grype.json")), `"db": {`, `"configuration": {"only-fixed": true, "output": ["json"]}, "db": {`, 1)
	r, err = derive.ParseReport("grype.json", []byte(grype), derive.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"filtered report: grype.json was written with only-fixed, so findings without a fix are missing"}, r.Notes)
	res, err := derive.Derive([]*derive.Report{r}, derive.Options{Exposure: intp(1)})
	require.NoError(t, err)
	assert.Contains(t, res.Warnings, r.Notes[0])
}

func TestReadExplanation(t *testing.T) {
	res := fixtures[1].derive(t)
	path := filepath.Join(t.TempDir(), "explain.json")
	require.NoError(t, os.WriteFile(path, res.JSON(), 0o644))
	e, err := derive.ReadExplanation(path, 0)
	require.NoError(t, err)
	assert.Equal(t, derive.Profile, e.Profile)
	assert.Equal(t, res.Input, e.Input)
	assert.Equal(t, "cohort-inputs/v1 as of 2025-03-14: 100,2,298,100", e.String())
	assert.True(t, derive.KnownProfile("cohort-inputs/v1+p95"))
	assert.False(t, derive.KnownProfile("cohort-inputs/v2"))
	_, err = derive.ParseExplanation("e.json", []byte(`{"profile": "cohort-inputs/v0", "as_of": "2025-03-14", "values": {}}`))
	require.EqualError(t, err, `derive: e.json: line 1: profile: unknown profile "cohort-inputs/v0" (want cohort-inputs/v1 or cohort-inputs/v1+p95)`)
	_, err = derive.ParseExplanation("e.json", []byte(`{"profile": "cohort-inputs/v1", "as_of": "2025-03-14", "values": {"cvss_score": 1}}`))
	require.EqualError(t, err, "derive: e.json: line 1: values: no critical_vulnerabilities")
}
