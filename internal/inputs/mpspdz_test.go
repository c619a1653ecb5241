package inputs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func TestParseMPSPDZ(t *testing.T) {
	want := assess.Input{CVSS: 85, Critical: 3, PatchDelay: 30, Exposure: 70}
	for _, data := range []string{
		"85 3 30 70\n",
		"85 3 30 70",
		"  85\t3\r\n30\n\n70  \n",
		"\uFEFF85 3 30 70\r\n",
	} {
		got, err := inputs.ParseMPSPDZ(strings.NewReader(data))
		require.NoError(t, err, "%q", data)
		assert.Equal(t, want, got, "%q", data)
	}
}

func TestParseMPSPDZErrors(t *testing.T) {
	for _, tt := range []struct{ data, msg string }{
		{"", "inputs: found 0 values, want 4: cvss_score, critical_vulnerabilities, patch_delay, asset_exposure"},
		{"85 3 30\n", "inputs: found 3 values, want 4"},
		{"85 3 30 70 1\n", `inputs: line 1: unexpected "1" after the four values`},
		{"85 3\n30 x\n", `inputs: line 2, column asset_exposure: "x" is not an integer`},
		{"85 -3 30 70\n", "inputs: line 1, column critical_vulnerabilities: -3 is negative"},
		{"85,3,30,70\n", `inputs: line 1, column cvss_score: "85,3,30,70" is not an integer`},
		{strings.Repeat(" ", 1<<17), "inputs: more than 65536 bytes"},
	} {
		_, err := inputs.ParseMPSPDZ(strings.NewReader(tt.data))
		require.Error(t, err)
		msg := err.Error()
		assert.True(t, strings.HasPrefix(msg, tt.msg), "got %q\nwant prefix %q", msg, tt.msg)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"notes.txt": "x", "Input-P00-0": "not ours", "Input-P0-1": "thread 1"}
	for i := range 12 {
		files[inputs.MPSPDZFile(i)] = fmt.Sprintf("%d 1 2 3\n", i)
	}
	writeFiles(t, dir, files)
	got, err := inputs.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, got, 12)
	for i, in := range got {
		assert.Equal(t, assess.Input{CVSS: i, Critical: 1, PatchDelay: 2, Exposure: 3}, in)
	}
}

func TestReadDirErrors(t *testing.T) {
	t.Run("missing dir", func(t *testing.T) {
		_, err := inputs.ReadDir(filepath.Join(t.TempDir(), "nope"))
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("empty dir", func(t *testing.T) {
		dir := t.TempDir()
		_, err := inputs.ReadDir(dir)
		assert.EqualError(t, err, "inputs: "+dir+": no Input-P0-0 (want Input-P0-0, Input-P1-0, … one per organisation, numbered from 0)")
	})
	t.Run("no P0", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"Input-P1-0": "1 2 3 4"})
		_, err := inputs.ReadDir(dir)
		assert.ErrorContains(t, err, "no Input-P0-0")
	})
	t.Run("gap", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"Input-P0-0": "1 2 3 4", "Input-P2-0": "1 2 3 4", "Input-P3-0": "1 2 3 4"})
		_, err := inputs.ReadDir(dir)
		assert.EqualError(t, err, "inputs: "+dir+": Input-P2-0 is present but Input-P1-0 is missing (parties are numbered from 0 without gaps)")
	})
	t.Run("bad file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"Input-P0-0": "1 2 3 4", "Input-P1-0": "1 2 three 4"})
		_, err := inputs.ReadDir(dir)
		assert.EqualError(t, err, "inputs: "+filepath.Join(dir, "Input-P1-0")+`: line 1, column patch_delay: "three" is not an integer`)
	})
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	data, err := inputs.Generate(7, "mixed", 3)
	require.NoError(t, err)
	require.NoError(t, inputs.WriteDir(dir, data, false))

	got, err := inputs.ReadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	rows, err := inputs.ReadCSVFile(filepath.Join(dir, inputs.CSVFile))
	require.NoError(t, err)
	require.Len(t, rows, 7)
	for i, r := range rows {
		assert.Equal(t, data[i], r.Input)
		assert.Equal(t, i+2, r.Line)
	}
	p0, err := os.ReadFile(filepath.Join(dir, "Input-P0-0"))
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d %d %d %d\n", data[0].CVSS, data[0].Critical, data[0].PatchDelay, data[0].Exposure), string(p0))

	// Not over a set without replace; over a smaller one with it; never
	// leaving a larger set's files to be read with a smaller one.
	assert.ErrorIs(t, inputs.WriteDir(dir, data, false), inputs.ErrNotEmpty)
	other, err := inputs.Generate(7, "high", 4)
	require.NoError(t, err)
	require.NoError(t, inputs.WriteDir(dir, other, true))
	got, err = inputs.ReadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, other, got)
	assert.ErrorContains(t, inputs.WriteDir(dir, data[:4], true), "holds Input-P4-0, which is not part of these 4 organisations' data")
	got, err = inputs.ReadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, other, got, "nothing deleted or half written")

	assert.Error(t, inputs.WriteDir(t.TempDir(), nil, false))
	assert.Error(t, inputs.WriteDir(t.TempDir(), []assess.Input{{CVSS: -1}}, false))
}

func FuzzParseMPSPDZ(f *testing.F) {
	f.Add("85 3 30 70\n")
	f.Add("1 2\n3\n4 5")
	f.Add("-1 x")
	f.Fuzz(func(t *testing.T, data string) {
		in, err := inputs.ParseMPSPDZ(strings.NewReader(data))
		if err != nil {
			return
		}
		if in.CVSS < 0 || in.Critical < 0 || in.PatchDelay < 0 || in.Exposure < 0 {
			t.Fatalf("negative value accepted: %+v", in)
		}
	})
}
