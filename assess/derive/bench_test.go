package derive_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cohortmpc/cohort/assess/derive"
)

// bigTrivy writes a Trivy report of n findings over 500 packages and 5000
// CVEs, each with a description as long as real ones.
func bigTrivy(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"SchemaVersion":2,"CreatedAt":"2025-03-14T09:30:00Z","ArtifactName":"registry.example/big:1","Results":[{"Target":"t","Class":"os-pkgs","Vulnerabilities":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"VulnerabilityID":"CVE-2024-%05d","PkgName":"pkg%d","InstalledVersion":"1.%d","FixedVersion":"2.0","Status":"fixed","Severity":"HIGH",`+
			`"CVSS":{"nvd":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","V3Score":%.1f},"ghsa":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}},`+
			`"PublishedDate":"2024-%02d-%02dT10:00:00Z","Description":"%s"}`,
			i%5000, i%500, i%7, 5+float64(i%50)/10, 1+i%12, 1+i%28, bytes.Repeat([]byte("x"), 300))
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

// bigNessus writes a Nessus report of n items over 100 hosts.
func bigNessus(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<NessusClientData_v2><Report name=\"big\">\n")
	for h := range 100 {
		fmt.Fprintf(&b, "<ReportHost name=\"10.1.0.%d\"><HostProperties><tag name=\"HOST_END_TIMESTAMP\">1741943999</tag></HostProperties>\n", h)
		for i := range n / 100 {
			id := h*(n/100) + i
			fmt.Fprintf(&b, "<ReportItem port=\"443\" protocol=\"tcp\" severity=\"3\" pluginID=\"%d\"><cve>CVE-2024-%05d</cve><cvss3_base_score>%.1f</cvss3_base_score>"+
				"<risk_factor>High</risk_factor><patch_publication_date>2024/07/01</patch_publication_date><description>%s</description></ReportItem>\n",
				100000+id%3000, id%5000, 5+float64(id%50)/10, bytes.Repeat([]byte("x"), 300))
		}
		b.WriteString("</ReportHost>\n")
	}
	b.WriteString("</Report></NessusClientData_v2>\n")
	return b.Bytes()
}

func benchmarkDerive(b *testing.B, data []byte) {
	exposure := 50
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := derive.ParseReport("big", data, derive.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := derive.Derive([]*derive.Report{r}, derive.Options{Exposure: &exposure}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveTrivy10k(b *testing.B)  { benchmarkDerive(b, bigTrivy(10000)) }
func BenchmarkDeriveNessus10k(b *testing.B) { benchmarkDerive(b, bigNessus(10000)) }
