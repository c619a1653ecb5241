package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
)

const td = "../../assess/derive/testdata/"

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDeriveToFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "row.csv")
	explain := filepath.Join(dir, "explain.json")
	code, stdout, stderr := runArgs("derive", "-org", "alpha", "-kev", td+"kev.json", "-epss", td+"epss.csv",
		"-out", out, "-explain-json", explain, td+"trivy.json", td+"grype.json")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Empty(t, stderr)
	row, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\nalpha,100,2,309,100\n", string(row))
	rows, err := inputs.ReadCSVFile(out) // as simulate and party read it
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Contains(t, stdout, "cohort-inputs/v1 derivation as of 2025-03-14")
	assert.Contains(t, stdout, "  patch_delay               309  mean days since the fix appeared over 6 open high or critical findings with a fix: 5 real fix dates")
	assert.Contains(t, stdout, "wrote the row to "+out)

	var doc struct {
		Profile string         `json:"profile"`
		AsOf    string         `json:"as_of"`
		Values  map[string]int `json:"values"`
		Inputs  []struct {
			File, SHA256 string
		} `json:"inputs"`
		KEV  struct{ Version, SHA256 string } `json:"kev"`
		EPSS struct{ Version, SHA256 string } `json:"epss"`
	}
	data, err := os.ReadFile(explain)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, "cohort-inputs/v1", doc.Profile)
	assert.Equal(t, "2025-03-14", doc.AsOf)
	assert.Equal(t, map[string]int{"cvss_score": 100, "critical_vulnerabilities": 2, "patch_delay": 309, "asset_exposure": 100}, doc.Values)
	require.Len(t, doc.Inputs, 2)
	assert.Len(t, doc.Inputs[0].SHA256, 64)
	assert.Equal(t, "2025.03.13", doc.KEV.Version)
	assert.Len(t, doc.KEV.SHA256, 64)
	assert.Equal(t, "v2025.03.14", doc.EPSS.Version)
}

// TestReproducible: the same inputs, in any order, give the same bytes.
func TestReproducible(t *testing.T) {
	dir := t.TempDir()
	outputs := func(name string, reports ...string) (string, string) {
		row, ex := filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".json")
		args := append([]string{"derive", "-inventory", td + "inventory.csv", "-as-of", "2025-03-14", "-out", row, "-explain-json", ex}, reports...)
		code, _, stderr := runArgs(args...)
		require.Equal(t, cli.ExitOK, code, stderr)
		a, err := os.ReadFile(row)
		require.NoError(t, err)
		b, err := os.ReadFile(ex)
		require.NoError(t, err)
		return string(a), string(b)
	}
	row1, ex1 := outputs("one", td+"osv.json", td+"cyclonedx.json", td+"sarif.json")
	row2, ex2 := outputs("two", td+"sarif.json", td+"osv.json", td+"cyclonedx.json")
	assert.Equal(t, row1, row2)
	assert.Equal(t, ex1, ex2)
	assert.Equal(t, "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n98,3,362,71\n", row1)
}

func TestDeriveToStdout(t *testing.T) {
	// Flags after the reports are read too.
	code, stdout, stderr := runArgs("derive", td+"scan.nessus", "-tz", "Europe/Berlin", "-inventory", td+"inventory.csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n100,3,292,44\n", stdout)
	assert.Contains(t, stderr, "critical_vulnerabilities    3  3 distinct vulnerabilities scored 9.0 or more among 6 open findings: CVE-2019-0708, NESSUS-201198, NESSUS-58987")
	assert.Contains(t, stderr, "end of life: 10.0.8.21 runs software its vendor no longer supports")
}

func TestFirstSeen(t *testing.T) {
	dir := t.TempDir()
	fs := filepath.Join(dir, "first-seen.json")
	args := []string{"derive", "-first-seen", fs, "-inventory", td + "inventory.csv", td + "greenbone.csv"}
	code, stdout, stderr := runArgs(args...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n88,0,0,50\n", stdout)
	assert.Contains(t, stderr, "2 first seen in this run (0 days, lower bounds)")
	first, err := os.ReadFile(fs)
	require.NoError(t, err)
	assert.Contains(t, string(first), `"first_seen": "2025-03-14"`)
	// The same day again: the same row, the same record.
	code, stdout2, stderr := runArgs(args...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, stdout, stdout2)
	second, err := os.ReadFile(fs)
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second))
	// Without a record, nothing dates the fixes.
	code, _, stderr = runArgs("derive", "-inventory", td+"inventory.csv", td+"greenbone.csv")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "(keep a record with -first-seen FILE, or give the value with -patch-delay N)")
	code, stdout, stderr = runArgs("derive", "-inventory", td+"inventory.csv", "-patch-delay", "30", td+"greenbone.csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n88,0,30,50\n", stdout)
}

// TestBadInputChangesNothing: an error leaves the outputs as they were.
func TestBadInputChangesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "row.csv")
	fs := filepath.Join(dir, "first-seen.json")
	require.NoError(t, os.WriteFile(out, []byte("old row\n"), 0o644))
	trivy, err := os.ReadFile(td + "trivy.json")
	require.NoError(t, err)
	truncated := filepath.Join(dir, "truncated.json")
	require.NoError(t, os.WriteFile(truncated, trivy[:len(trivy)/2], 0o644))
	code, stdout, stderr := runArgs("derive", "-out", out, "-first-seen", fs, "-exposure", "10", td+"grype.json", truncated)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "inputs: derive: "+truncated+": line 110: truncated: the JSON document ends early\n", stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "old row\n", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no first-seen record, no temporary file")
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no mode", nil, cli.ExitUsage, "Modes:"},
		{"unknown mode", []string{"convert"}, cli.ExitUsage, `inputs: unknown mode "convert" (want derive; see -h)`},
		{"no reports", []string{"derive", "-exposure", "3"}, cli.ExitUsage, "inputs: no reports: name at least one scanner report"},
		{"bad flag", []string{"derive", "-bogus"}, cli.ExitUsage, "flag provided but not defined: -bogus"},
		{"bad as-of", []string{"derive", "-as-of", "14.03.2025", "r.json"}, cli.ExitUsage, `inputs: -as-of "14.03.2025": want a day as YYYY-MM-DD`},
		{"bad zone", []string{"derive", "-tz", "Mars/Olympus", "r.json"}, cli.ExitUsage, `inputs: -tz "Mars/Olympus": unknown time zone`},
		{"bad format", []string{"derive", "-format", "qualys", "r.json"}, cli.ExitUsage, `inputs: -format: unknown format "qualys"`},
		{"bad exposure", []string{"derive", "-exposure", "101", "r.json"}, cli.ExitUsage, `inputs: -exposure "101": want a whole number 0..100`},
		{"bad size", []string{"derive", "-max-size", "lots", "r.json"}, cli.ExitUsage, `inputs: -max-size "lots": want a positive size`},
		{"out over an input", []string{"derive", "-out", td + "trivy.json", td + "trivy.json"}, cli.ExitUsage, "-out " + td + "trivy.json would overwrite an input"},
		{"two outputs in one file", []string{"derive", "-out", "x.csv", "-explain-json", "./x.csv", "r.json"}, cli.ExitUsage, "-out and -explain-json name the same file"},
		{"missing report", []string{"derive", "-exposure", "1", filepath.Join(dir, "nope.json")}, cli.ExitUsage, "nope.json: no such file or directory"},
		{"Nessus without a zone", []string{"derive", "-exposure", "1", td + "scan.nessus"}, cli.ExitUsage, `HOST_END: time "Fri Mar 14 09:12:54 2025" has no time zone: name the zone the scanner wrote it in (for example UTC or Europe/Berlin) (give -tz)`},
		{"no exposure source", []string{"derive", td + "trivy.json"}, cli.ExitUsage, "asset_exposure needs an asset inventory, or the KEV catalog or EPSS scores, or the value itself (give -inventory, -kev or -epss, or the value with -exposure N)"},
		{"undated report", []string{"derive", "-exposure", "1", td + "osv.json"}, cli.ExitUsage, "no report says when it was made: give the as-of day (give -as-of YYYY-MM-DD)"},
		{"future report", []string{"derive", "-exposure", "1", "-as-of", "2025-03-13", td + "trivy.json"}, cli.ExitUsage, "the report is dated 2025-03-14, after the as-of day 2025-03-13: a date in the future"},
		{"small limit", []string{"derive", "-exposure", "1", "-max-size", "1KiB", td + "trivy.json"}, cli.ExitUsage, "is larger than the limit of 1.0 KiB: refusing to read it (raise the limit if this is really one report) (-max-size)"},
		{"KEV as a report", []string{"derive", "-exposure", "1", td + "kev.json"}, cli.ExitUsage, "is a CISA KEV catalog, not a report: pass it as the KEV catalog (-kev)"},
		{"unwritable output", []string{"derive", "-exposure", "1", "-out", filepath.Join(dir, "no", "row.csv"), td + "trivy.json"}, cli.ExitFailure, "inputs: derive: writing " + filepath.Join(dir, "no", "row.csv")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, tt.err)
			if tt.code != cli.ExitOK {
				assert.Empty(t, stdout)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := runArgs("derive", "-h")
	assert.Equal(t, cli.ExitOK, code)
	for _, want := range []string{"trivy", "grype", "osv", "cyclonedx", "sarif", "nessus", "greenbone-xml", "greenbone-csv",
		"cvss_score               round(10 x the highest open score)", "-first-seen", "-explain-json", "-p95", "cohort-inputs/v1"} {
		assert.Contains(t, stderr, want)
	}
	code, _, stderr = runArgs("-h")
	assert.Equal(t, cli.ExitOK, code)
	assert.True(t, strings.HasPrefix(stderr, "Usage: inputs derive [flags] report..."), stderr)
}
