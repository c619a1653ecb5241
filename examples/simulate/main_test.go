package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

const csvHeader = "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n"

// fiveOrgs is a valid data set; scores 766, 488, 310, 800, 174.
const fiveOrgs = csvHeader +
	"a,98,12,90,85\n" +
	"b,75,4,30,60\n" +
	"c,50,1,14,40\n" +
	"d,88,9,120,95\n" +
	"e,30,0,7,20\n"

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags(nil, &stderr)
	require.NoError(t, err)
	assert.Equal(t, options{n: 10, scenario: "mixed", seed: 1, field: assess.FieldAuto}, o)

	o, err = parseFlags(strings.Fields("-n 7 -scenario high -seed 9 -threshold 600 -k 3 -min-parties 4 -field m127 -generic -json -write-inputs out -timeout 1m"+
		" -max-bits 4 -step-bits 2 -epsilon 0.5 -percentiles 0.5,0.9"), &stderr)
	require.NoError(t, err)
	assert.Equal(t, options{
		n: 7, nSet: true, scenario: "high", seed: 9, threshold: 600, alertLevel: 3, minParties: 4,
		field: assess.FieldM127, generic: true, json: true, writeDir: "out", timeout: time.Minute,
		maxBits: 4, stepBits: 2, epsilon: 0.5, percentiles: []float64{0.5, 0.9},
	}, o)

	o, err = parseFlags([]string{"-inputs", "x.csv", "-n", "5"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, "x.csv", o.inputsFile)
	assert.True(t, o.nSet)
	assert.Empty(t, stderr.String())
}

func TestConfig(t *testing.T) {
	o := options{threshold: 600, alertLevel: 3, minParties: 4, field: assess.FieldM127, generic: true, timeout: time.Minute,
		maxBits: 4, stepBits: 2, epsilon: 0.5, percentiles: []float64{0.5}}
	cfg := config(o, 10, &bytes.Buffer{})
	assert.Nil(t, cfg.Progress)
	cfg.Progress = nil
	assert.Equal(t, assess.Config{Threshold: 600, AlertLevel: 3, MinParties: 4, Field: assess.FieldM127, ThresholdUnderMPC: true, Timeout: time.Minute,
		MaxBits: 4, StepBits: 2, Epsilon: 0.5, Percentiles: []float64{0.5}}, cfg)
	assert.NotNil(t, config(o, progressFrom, &bytes.Buffer{}).Progress)
}

func TestRunUsageErrors(t *testing.T) {
	csvPath := writeFile(t, "orgs.csv", fiveOrgs)
	badValue := writeFile(t, "bad.csv", fiveOrgs+"f,1,2,abc,4\n")
	outOfRange := writeFile(t, "range.csv", strings.Replace(fiveOrgs, "b,75,", "b,120,", 1))
	noRows := writeFile(t, "empty.csv", csvHeader)
	missingCol := writeFile(t, "missing.csv", "cvss_score,critical_vulnerabilities,asset_exposure\n1,2,3\n")
	gapDir := t.TempDir()
	for _, name := range []string{"Input-P0-0", "Input-P2-0"} {
		require.NoError(t, os.WriteFile(filepath.Join(gapDir, name), []byte("1 2 3 4\n"), 0o644))
	}
	badDir := t.TempDir()
	for i := range 5 {
		data := "10 1 2 3\n"
		if i == 3 {
			data = "10 1\n2 x\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(badDir, inputs.MPSPDZFile(i)), []byte(data), 0o644))
	}
	rangeDir := t.TempDir()
	for i := range 5 {
		require.NoError(t, os.WriteFile(filepath.Join(rangeDir, inputs.MPSPDZFile(i)), []byte("10 1 2 300\n"), 0o644))
	}

	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"bad int", []string{"-n", "ten"}, `invalid value "ten" for flag -n`},
		{"positional argument", []string{"50"}, `simulate: unexpected argument "50"`},
		{"n zero", []string{"-n", "0"}, "simulate: -n 0: want 1..10000"},
		{"n huge", []string{"-n", "1000000000"}, "simulate: -n 1000000000: want 1..10000"},
		{"two parties", []string{"-n", "2"}, "simulate: assess: 2 parties: at least 3 are needed"},
		{"below min parties", []string{"-n", "4"}, "simulate: assess: 4 parties: groups smaller than 5 (MinParties) are refused"},
		{"min parties too low", []string{"-min-parties", "2"}, "simulate: -min-parties 2: want a group size of at least 3"},
		{"threshold 0", []string{"-threshold", "0"}, "simulate: -threshold 0: want a score threshold of at least 1 (leave the flag out for the default)"},
		{"k 0", []string{"-k", "0"}, "simulate: -k 0: want an alert level of at least 1"},
		{"min parties 0", []string{"-min-parties", "0"}, "simulate: -min-parties 0: want a group size of at least 3"},
		{"timeout 0", []string{"-timeout", "0"}, "simulate: -timeout 0s: want a positive duration"},
		{"negative timeout", []string{"-timeout", "-1s"}, "simulate: -timeout -1s: want a positive duration"},
		{"step bits 0", []string{"-step-bits", "0"}, "simulate: -step-bits 0: want 1 to 4 bits per step"},
		{"step bits 5", []string{"-step-bits", "5"}, "simulate: assess: StepBits 5"},
		{"negative epsilon", []string{"-epsilon", "-1"}, "simulate: -epsilon -1: want a positive ε"},
		{"percentile not a number", []string{"-percentiles", "0.5,x"}, `simulate: -percentiles "0.5,x": "x" is not a number`},
		{"percentiles in a small group", []string{"-n", "9", "-percentiles", "0.5"}, "percentiles need at least 10 organisations"},
		{"percentile 90", []string{"-n", "10", "-percentiles", "90"}, "simulate: assess: percentile 90: want a quantile strictly between 0 and 1"},
		{"noise in malicious mode", []string{"-epsilon", "1", "-malicious"}, "not available in malicious mode"},
		{"coarse tournament", []string{"-max-bits", "3", "-tournament"}, "needs the bitwise maximum"},
		{"tournament and generic", []string{"-tournament", "-generic"}, "simulate: -tournament and -generic"},
		{"threshold", []string{"-threshold", "10000"}, "simulate: assess: threshold 10000 is outside 1..9900"},
		{"alert level", []string{"-n", "5", "-k", "6"}, "simulate: assess: alert level 6 is outside 1..5"},
		{"field", []string{"-field", "m31"}, `simulate: -field "m31": want auto, m61 or m127`},
		{"scenario", []string{"-scenario", "medium"}, `simulate: -scenario "medium": want one of low, mixed, high`},
		{"inputs and inputs-dir", []string{"-inputs", csvPath, "-inputs-dir", gapDir}, "simulate: -inputs and -inputs-dir are mutually exclusive"},
		{"scenario with inputs", []string{"-inputs", csvPath, "-scenario", "low"}, "simulate: -scenario applies only to generated data"},
		{"seed with inputs-dir", []string{"-inputs-dir", gapDir, "-seed", "3"}, "simulate: -seed applies only to generated data"},
		{"n does not match", []string{"-inputs", csvPath, "-n", "6"}, "simulate: -n 6 does not match the 5 data rows in " + csvPath},
		{"missing file", []string{"-inputs", filepath.Join(gapDir, "nope.csv")}, "simulate: inputs: open "},
		{"bad value", []string{"-inputs", badValue}, `simulate: inputs: ` + badValue + `: line 7, column patch_delay: "abc" is not an integer`},
		{"no rows", []string{"-inputs", noRows}, "simulate: inputs: " + noRows + ": line 1: no data rows after the header"},
		{"missing column", []string{"-inputs", missingCol}, "simulate: inputs: " + missingCol + ": line 1: header lacks column patch_delay"},
		{"out of range in CSV", []string{"-inputs", outOfRange}, "simulate: " + outOfRange + ": line 3 (org b): cvss_score 120 is outside 0..100"},
		{"gap in inputs-dir", []string{"-inputs-dir", gapDir}, "simulate: inputs: " + gapDir + ": Input-P2-0 is present but Input-P1-0 is missing"},
		{"bad Input-P file", []string{"-inputs-dir", badDir}, "simulate: inputs: " + filepath.Join(badDir, "Input-P3-0") + `: line 2, column asset_exposure: "x" is not an integer`},
		{"out of range in Input-P", []string{"-inputs-dir", rangeDir}, "simulate: " + filepath.Join(rangeDir, "Input-P0-0") + ": asset_exposure 300 is outside 0..100"},
		{"n does not match dir", []string{"-inputs-dir", rangeDir, "-n", "4"}, "simulate: -n 4 does not match the 5 input files in " + rangeDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(tt.args...)
			assert.Equal(t, cli.ExitUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}

func TestRunHelp(t *testing.T) {
	code, stdout, stderr := runArgs("-h")
	assert.Equal(t, cli.ExitOK, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "Usage: simulate")
	assert.Contains(t, stderr, "-inputs-dir")
	// The input columns, with units and ranges.
	assert.Contains(t, stderr, "  cvss_score                 CVSS base score × 10, an integer (CVSS 7.8 → 78); default bounds 0..100\n")
	assert.Contains(t, stderr, "  patch_delay                patch delay in days; default bounds 0..3650\n")
	assert.Contains(t, stderr, "Risk score = 4·cvss_score + 2·critical_vulnerabilities + 2·patch_delay + 2·asset_exposure: 0..9900")
}

func TestRunDecimalCVSS(t *testing.T) {
	path := writeFile(t, "orgs.csv", strings.Replace(fiveOrgs, "b,75,", "b,7.8,", 1))
	code, _, stderr := runArgs("-inputs", path)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, `"7.8" is not an integer: cvss_score is the CVSS base score × 10, an integer (CVSS 7.8 → 78); write 78 for CVSS 7.8`)
}

func TestRunRefusesWhatDoesNotFitInMemory(t *testing.T) {
	saved := availableMemory
	availableMemory = func() float64 { return 1e9 }
	t.Cleanup(func() { availableMemory = saved })
	code, stdout, stderr := runArgs("-n", "2000")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "simulate: 2000 organisations would need about 10.5 GB of memory to simulate in one process (about 2.6 KB per pair of parties), more than the 1.0 GB available")
	code, _, stderr = runArgs("-n", "300", "-malicious")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "300 organisations would need about 1.9 GB")
	// Well within it, the estimate does not stop anything.
	assert.NoError(t, checkMemory(100, assess.Config{}))
	assert.Greater(t, memoryNeeded(1000, assess.Config{Tournament: true}), memoryNeeded(1000, assess.Config{}))
}

// withSimulate replaces the computation for one test.
func withSimulate(t *testing.T, f func(context.Context, []assess.Input, assess.Config) (assess.Result, error)) {
	saved := simulate
	simulate = f
	t.Cleanup(func() { simulate = saved })
}

func TestRunMismatch(t *testing.T) {
	withSimulate(t, func(_ context.Context, in []assess.Input, cfg assess.Config) (assess.Result, error) {
		r, err := assess.Expected(in, cfg)
		r.Max++
		r.Alert = !r.Alert
		return r, err
	})
	code, stdout, stderr := runArgs("-n", "5")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stdout, "MISMATCH")
	assert.NotContains(t, stdout, "verified")
	assert.Contains(t, stderr, "simulate: MISMATCH")
	assert.Contains(t, stderr, "max ")
	assert.Contains(t, stderr, "alert ")

	code, stdout, _ = runArgs("-n", "5", "-json")
	assert.Equal(t, cli.ExitFailure, code)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, false, got["verified"])
	assert.NotEqual(t, got["max"], got["expected"].(map[string]any)["max"])
}

func TestRunFailure(t *testing.T) {
	withSimulate(t, func(context.Context, []assess.Input, assess.Config) (assess.Result, error) {
		return assess.Result{}, errors.New("assess: party 3: round 2: connection lost")
	})
	code, stdout, stderr := runArgs("-n", "5")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "simulate: assess: party 3: round 2: connection lost\n", stderr)
}

func TestRunWriteInputsFailure(t *testing.T) {
	blocker := writeFile(t, "file", "x")
	code, stdout, stderr := runArgs("-n", "5", "-write-inputs", filepath.Join(blocker, "sub"))
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "simulate: -write-inputs: inputs: ")
}

// The tests below run the real computation (assess.Simulate).

func TestRunReport(t *testing.T) {
	path := writeFile(t, "orgs.csv", fiveOrgs)
	code, stdout, stderr := runArgs("-inputs", path)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Empty(t, stderr)
	for _, want := range []string{
		"organisations       5; up to 2 of them may collude",
		"risk score          4·cvss_score + 2·critical_vulnerabilities + 2·patch_delay + 2·asset_exposure, from 0 to 9900",
		"M61 (2^61 − 1)",
		"threshold T = 500   organisations with a risk score of 500 or more are counted",
		"alert level K = 2   the alert is raised when at least 2 organisations score T or more",
		path + " (CSV, 5 rows)",
		"average score       507.60 (sum 2538)",
		"at or above T       2 of 5",
		"alert               yes (2 ≥ K = 2)",
		"maximum score       800",
		"verified",
		"time ",
		"bytes sent ",
		"messages ",
		"rounds ",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.NotContains(t, stdout, "MISMATCH")
}

func TestRunGeneratedGenericPath(t *testing.T) {
	code, stdout, stderr := runArgs("-n", "7", "-scenario", "high", "-seed", "5", "-generic", "-k", "7", "-field", "m127")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "organisations       7; up to 3 of them may collude")
	assert.Contains(t, stdout, "M127")
	assert.Contains(t, stdout, "generic: tournament of secure comparisons")
	assert.Contains(t, stdout, "generated, scenario high, seed 5")
	assert.Contains(t, stdout, "at or above T       7 of 7")
	assert.Contains(t, stdout, "alert               yes (7 ≥ K = 7)")
	assert.Contains(t, stdout, "verified")
}

func TestRunJSON(t *testing.T) {
	code, stdout, stderr := runArgs("-n", "6", "-seed", "2", "-json")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, 1, strings.Count(stdout, "\n"), "one JSON object on one line")

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	keys := func(m map[string]any) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	assert.Equal(t, []string{"alert", "alert_level", "at_or_above", "average", "bounds", "bytes_per_party_max", "bytes_total",
		"compute_parties", "corruptible", "expected", "field", "max", "messages", "mode", "n", "options", "protocol", "rounds",
		"score_max", "score_min", "seconds", "security", "session", "sum", "threshold", "verified", "weights"}, keys(got))
	expected, ok := got["expected"].(map[string]any)
	require.True(t, ok)
	assert.Equal(t, []string{"alert", "at_or_above", "average", "max", "sum"}, keys(expected))

	for _, k := range []string{"n", "corruptible", "sum", "average", "at_or_above", "max", "seconds", "bytes_total", "bytes_per_party_max", "messages", "rounds"} {
		assert.IsType(t, float64(0), got[k], k)
	}
	for _, k := range []string{"sum", "average", "at_or_above", "max"} {
		assert.IsType(t, float64(0), expected[k], k)
	}
	assert.IsType(t, true, got["alert"])
	assert.IsType(t, true, expected["alert"])
	assert.Equal(t, true, got["verified"])

	data, err := inputs.Generate(6, "mixed", 2)
	require.NoError(t, err)
	want, err := assess.Expected(data, assess.Config{})
	require.NoError(t, err)
	assert.Equal(t, float64(6), got["n"])
	assert.Equal(t, float64(2), got["corruptible"])
	assert.Equal(t, float64(500), got["threshold"])
	assert.Equal(t, "bitwise", got["protocol"])
	assert.Equal(t, float64(want.Sum), got["sum"])
	assert.Equal(t, float64(want.Sum), expected["sum"])
	assert.Equal(t, float64(want.Max), got["max"])
	assert.Equal(t, float64(want.AtOrAbove), got["at_or_above"])
	assert.Equal(t, want.Alert, got["alert"])
	assert.InDelta(t, want.Average, got["average"], 1e-9)
	assert.Greater(t, got["bytes_total"], float64(0))
	assert.Greater(t, got["rounds"], float64(0))
}

func TestRunWriteInputsAndReadBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, first, stderr := runArgs("-n", "5", "-seed", "8", "-json", "-write-inputs", dir)
	require.Equal(t, cli.ExitOK, code, stderr)

	var a, b, c map[string]any
	require.NoError(t, json.Unmarshal([]byte(first), &a))

	code, fromDir, stderr := runArgs("-inputs-dir", dir, "-json")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(fromDir), &b))

	code, fromCSV, stderr := runArgs("-inputs", filepath.Join(dir, "inputs.csv"), "-n", "5", "-json")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(fromCSV), &c))

	for _, k := range []string{"n", "sum", "at_or_above", "alert", "max", "expected", "verified"} {
		assert.Equal(t, a[k], b[k], k)
		assert.Equal(t, a[k], c[k], k)
	}
}

// -write-inputs writes only into an empty or new directory unless -force
// is given, never through a symbolic link, and never deletes anything.
func TestRunWriteInputsSafety(t *testing.T) {
	read := func(path string) string {
		t.Helper()
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(data)
	}
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("mine"), 0o644))
	code, stdout, stderr := runArgs("-n", "5", "-write-inputs", dir)
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "simulate: -write-inputs: inputs: "+dir+" is not empty")
	assert.Contains(t, stderr, "-force")
	_, err := os.Stat(filepath.Join(dir, inputs.CSVFile))
	assert.ErrorIs(t, err, os.ErrNotExist)

	code, _, stderr = runArgs("-n", "5", "-write-inputs", dir, "-force")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "mine", read(notes))
	assert.Contains(t, read(filepath.Join(dir, inputs.CSVFile)), "cvss_score")

	// A stale file of a larger set would be read back with this one: it is
	// not deleted, the write is refused.
	stale := filepath.Join(dir, inputs.MPSPDZFile(9))
	require.NoError(t, os.WriteFile(stale, []byte("1 2 3 4\n"), 0o644))
	code, _, stderr = runArgs("-n", "5", "-write-inputs", dir, "-force")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, "Input-P9-0")
	assert.Equal(t, "1 2 3 4\n", read(stale))

	// Symbolic links are not followed: not in the directory, not as it.
	outside := filepath.Join(t.TempDir(), "elsewhere.csv")
	require.NoError(t, os.WriteFile(outside, []byte("theirs"), 0o644))
	linked := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(linked, inputs.CSVFile)))
	code, _, stderr = runArgs("-n", "5", "-write-inputs", linked, "-force")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, "is not a regular file")
	assert.Equal(t, "theirs", read(outside))

	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(t.TempDir(), link))
	code, _, stderr = runArgs("-n", "5", "-write-inputs", link)
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, link+" is a symbolic link")
}

func TestRunOptions(t *testing.T) {
	code, stdout, stderr := runArgs("-n", "12", "-percentiles", "0.5,0.9", "-max-bits", "5", "-epsilon", "1")
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, want := range []string{
		"coarsened maximum   only an interval of scores that holds it is revealed (max bits 5)",
		"noise               discrete Laplace noise on sum and count, ε = 1 each",
		", noisy, ε = 1\n",
		"maximum score       between ",
		"median              ",
		"90th percentile     ",
		"verified            the maximum and percentiles match the plaintext computation, which without noise gives",
	} {
		assert.Contains(t, stdout, want)
	}
	code, stdout, stderr = runArgs("-n", "12", "-tournament", "-json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, "tournament", got["protocol"])
	assert.Equal(t, true, got["verified"])
}
