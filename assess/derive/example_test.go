package derive_test

import (
	"fmt"
	"log"
	"os"

	"github.com/cohortmpc/cohort/assess/derive"
)

func Example() {
	// A Trivy report, trimmed to one finding.
	report := `{
	  "SchemaVersion": 2,
	  "CreatedAt": "2025-03-14T09:30:00Z",
	  "ArtifactName": "registry.example/shop:1.4",
	  "Results": [{
	    "Target": "app/app.jar",
	    "Vulnerabilities": [{
	      "VulnerabilityID": "CVE-2021-44228",
	      "PkgName": "org.apache.logging.log4j:log4j-core",
	      "InstalledVersion": "2.14.1",
	      "FixedVersion": "2.15.0",
	      "Severity": "CRITICAL",
	      "CVSS": {"nvd": {"V3Score": 10}},
	      "PublishedDate": "2021-12-10T10:15:00Z"
	    }]
	  }]
	}`
	r, err := derive.ParseReport("trivy.json", []byte(report), derive.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	exposure := 80 // no inventory at hand: the organisation gives the value
	res, err := derive.Derive([]*derive.Report{r}, derive.Options{Exposure: &exposure})
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range res.Values {
		fmt.Printf("%s = %d: %s\n", v.Name, v.Value, v.Why)
	}
	if err := res.WriteCSV(os.Stdout, "alpha"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// cvss_score = 100: highest open score 10.0 (NVD CVSS v3.1): CVE-2021-44228 on registry.example/shop:1.4 (org.apache.logging.log4j:log4j-core@2.14.1)
	// critical_vulnerabilities = 1: 1 distinct vulnerability scored 9.0 or more among 1 open finding: CVE-2021-44228
	// patch_delay = 365: mean days since the fix appeared over 1 open high or critical finding with a fix: 1 publication date (an upper bound); 1 capped at 365 days
	// asset_exposure = 80: given by the organisation (1 affected asset)
	// org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure
	// alpha,100,1,365,80
}
