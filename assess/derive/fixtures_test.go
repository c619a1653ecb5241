package derive_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess/derive"
)

var update = flag.Bool("update", false, "rewrite the golden explanations in testdata/golden")

// asOf is the day of the fixtures.
var asOf = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)

// cet is the zone the Nessus fixture's HOST_END was written in.
var cet = time.FixedZone("CET", 3600)

// fixture is a derivation from the testdata reports, as the golden files
// record it.
type fixture struct {
	name      string
	reports   []string
	asOf      bool // give the as-of day
	kev, epss bool
	inventory bool
	firstSeen string // "" none, "new" an empty record, else a file in testdata
}

var fixtures = []fixture{
	{name: "trivy", reports: []string{"trivy.json"}, kev: true, epss: true},
	{name: "grype", reports: []string{"grype.json"}, kev: true, epss: true},
	{name: "trivy-grype", reports: []string{"trivy.json", "grype.json"}, inventory: true},
	{name: "osv", reports: []string{"osv.json"}, asOf: true, inventory: true},
	{name: "cyclonedx", reports: []string{"cyclonedx.json"}, kev: true},
	{name: "sarif", reports: []string{"sarif.json"}, epss: true, firstSeen: "new"},
	{name: "nessus", reports: []string{"scan.nessus"}, inventory: true},
	{name: "greenbone-xml", reports: []string{"greenbone.xml"}, inventory: true, firstSeen: "first-seen.json"},
	{name: "greenbone-csv", reports: []string{"greenbone.csv"}, inventory: true, firstSeen: "new"},
}

// readSide reads a side file of testdata.
func testdata(name string) string { return filepath.Join("testdata", name) }

func (fx fixture) reportsRead(t testing.TB) []*derive.Report {
	t.Helper()
	var rs []*derive.Report
	for _, name := range fx.reports {
		r, err := derive.ReadReport(testdata(name), derive.ReadOptions{TZ: cet})
		require.NoError(t, err)
		rs = append(rs, r)
	}
	return rs
}

func (fx fixture) options(t testing.TB) derive.Options {
	t.Helper()
	var opt derive.Options
	var err error
	if fx.asOf {
		opt.AsOf = asOf
	}
	if fx.kev {
		opt.KEV, err = derive.ReadKEV(testdata("kev.json"), 0)
		require.NoError(t, err)
	}
	if fx.epss {
		opt.EPSS, err = derive.ReadEPSS(testdata("epss.csv"), 0)
		require.NoError(t, err)
	}
	if fx.inventory {
		opt.Inventory, err = derive.ReadInventory(testdata("inventory.csv"), 0)
		require.NoError(t, err)
	}
	switch fx.firstSeen {
	case "":
	case "new":
		opt.FirstSeen, err = derive.ReadFirstSeen(filepath.Join(t.TempDir(), "first-seen.json"), 0)
		require.NoError(t, err)
		opt.FirstSeen.Name = "first-seen.json"
	default:
		opt.FirstSeen, err = derive.ReadFirstSeen(testdata(fx.firstSeen), 0)
		require.NoError(t, err)
	}
	return opt
}

func (fx fixture) derive(t testing.TB) *derive.Result {
	t.Helper()
	res, err := derive.Derive(fx.reportsRead(t), fx.options(t))
	require.NoError(t, err)
	return res
}

// TestGolden compares each fixture's explanation with testdata/golden.
func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			res := fx.derive(t)
			got := res.Text()
			path := testdata(filepath.Join("golden", fx.name+".txt"))
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -run TestGolden -update to write the golden files")
			require.Equal(t, string(want), got)
		})
	}
}
