package inputs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []inputs.Row
	}{
		{
			name: "plain",
			data: "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n85,3,30,70\n10,0,2,5\n",
			want: []inputs.Row{
				{Input: assess.Input{CVSS: 85, Critical: 3, PatchDelay: 30, Exposure: 70}, Line: 2},
				{Input: assess.Input{CVSS: 10, Critical: 0, PatchDelay: 2, Exposure: 5}, Line: 3},
			},
		},
		{
			name: "any order with org, BOM, CRLF, blank lines and spaces",
			data: "\uFEFF\r\n org , Asset_Exposure,patch_delay , cvss_score,critical_vulnerabilities\r\n\r\n" +
				"acme, 70 ,30,85,3\r\n   \r\n\"Beta, Inc\",5,2,10,0\r\n",
			want: []inputs.Row{
				{Org: "acme", Input: assess.Input{CVSS: 85, Critical: 3, PatchDelay: 30, Exposure: 70}, Line: 4},
				{Org: "Beta, Inc", Input: assess.Input{CVSS: 10, Critical: 0, PatchDelay: 2, Exposure: 5}, Line: 6},
			},
		},
		{
			name: "no final newline",
			data: "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,3,4",
			want: []inputs.Row{{Input: assess.Input{CVSS: 1, Critical: 2, PatchDelay: 3, Exposure: 4}, Line: 2}},
		},
		{
			name: "empty org names",
			data: "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n,1,2,3,4\n,5,6,7,8\n",
			want: []inputs.Row{
				{Input: assess.Input{CVSS: 1, Critical: 2, PatchDelay: 3, Exposure: 4}, Line: 2},
				{Input: assess.Input{CVSS: 5, Critical: 6, PatchDelay: 7, Exposure: 8}, Line: 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inputs.ParseCSV(strings.NewReader(tt.data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	const header = "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n"
	tests := []struct {
		name string
		data string
		msg  string
		line int
		col  string
	}{
		{"empty file", "", "inputs: empty file: want a header row naming cvss_score, critical_vulnerabilities, patch_delay, asset_exposure", 0, ""},
		{"only blank lines", "\n  \n\r\n", "inputs: empty file", 0, ""},
		{"only header", header, "inputs: line 1: no data rows after the header", 1, ""},
		{"not an integer", header + "1,2,3,4\n1,2,3,4\n\n1,2,abc,4\n", `inputs: line 5, column patch_delay: "abc" is not an integer`, 5, "patch_delay"},
		{"decimal", header + "8.5,2,3,4\n", `inputs: line 2, column cvss_score: "8.5" is not an integer: cvss_score is the CVSS base score × 10, an integer (CVSS 7.8 → 78); write 85 for CVSS 8.5`, 2, "cvss_score"},
		{"CVSS 7.8", header + "7.8,2,3,4\n", `inputs: line 2, column cvss_score: "7.8" is not an integer: cvss_score is the CVSS base score × 10, an integer (CVSS 7.8 → 78); write 78 for CVSS 7.8`, 2, "cvss_score"},
		{"decimal days", header + "78,2,3.5,4\n", `inputs: line 2, column patch_delay: "3.5" is not an integer: patch_delay is the patch delay in days`, 2, "patch_delay"},
		{"negative", header + "1,-2,3,4\n", "inputs: line 2, column critical_vulnerabilities: -2 is negative", 2, "critical_vulnerabilities"},
		{"empty value", header + "1,2,3,\n", "inputs: line 2, column asset_exposure: empty value", 2, "asset_exposure"},
		{"too large", header + "1,2,3,99999999999999999999999\n", `inputs: line 2, column asset_exposure: "99999999999999999999999" is too large`, 2, "asset_exposure"},
		{"too few fields", header + "1,2,3\n", "inputs: line 2: 3 fields, want 4 as in the header", 2, ""},
		{"too many fields", header + "1,2,3,4,5\n", "inputs: line 2: 5 fields, want 4 as in the header", 2, ""},
		{"missing column", "cvss_score,critical_vulnerabilities,asset_exposure\n1,2,3\n", "inputs: line 1: header lacks column patch_delay", 1, ""},
		{"unknown column", "org,cvss,critical_vulnerabilities,patch_delay,asset_exposure\n", `inputs: line 1: unknown column "cvss" in the header`, 1, ""},
		{"no header", "85,3,30,70\n", `inputs: line 1: unknown column "85" in the header`, 1, ""},
		{"duplicate column", "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure,CVSS_score\n", "inputs: line 1: duplicate column cvss_score in the header", 1, ""},
		{"empty column name", "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure,\n", "inputs: line 1: header column 5 is empty", 1, ""},
		{"duplicate org", "org," + header + "a,1,2,3,4\nb,1,2,3,4\na,5,6,7,8\n", `inputs: line 4, column org: organisation "a" already appears on line 2`, 4, "org"},
		{"bad quote", header + "1,2,\"3,4\n", "inputs: line 2: extraneous or missing \" in quoted-field", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inputs.ParseCSV(strings.NewReader(tt.data))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.msg), "got %q\nwant prefix %q", err, tt.msg)
			var pe *inputs.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.line, pe.Line)
			assert.Equal(t, tt.col, pe.Column)
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseCSVReadError(t *testing.T) {
	_, err := inputs.ParseCSV(failingReader{})
	assert.ErrorContains(t, err, "disk on fire")
}

func TestReadCSVFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.csv")
	require.NoError(t, os.WriteFile(path, []byte("cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,x,4\n"), 0o644))
	_, err := inputs.ReadCSVFile(path)
	assert.EqualError(t, err, "inputs: "+path+`: line 2, column patch_delay: "x" is not an integer`)

	_, err = inputs.ReadCSVFile(filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.True(t, strings.HasPrefix(err.Error(), "inputs: "))
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, inputs.WriteCSV(&buf, []inputs.Row{{Input: assess.Input{CVSS: 1, Critical: 2, PatchDelay: 3, Exposure: 4}}}))
	assert.Equal(t, "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,3,4\n", buf.String())

	buf.Reset()
	require.NoError(t, inputs.WriteCSV(&buf, []inputs.Row{{Org: "a, b"}, {Input: assess.Input{CVSS: 9}}}))
	assert.Equal(t, "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n\"a, b\",0,0,0,0\n,9,0,0,0\n", buf.String())

	for name, rows := range map[string][]inputs.Row{
		"no rows":     nil,
		"negative":    {{Input: assess.Input{PatchDelay: -1}}},
		"spaces":      {{Org: " a"}},
		"line break":  {{Org: "a\nb"}},
		"duplicate":   {{Org: "a"}, {Org: "a"}},
		"late errors": {{Org: "ok"}, {Input: assess.Input{Exposure: -5}}},
	} {
		buf.Reset()
		err := inputs.WriteCSV(&buf, rows)
		assert.Error(t, err, name)
		assert.True(t, strings.HasPrefix(err.Error(), "inputs: "), name)
		assert.Zero(t, buf.Len(), "%s: wrote %q", name, buf.String())
	}
}

func rowsGen() *rapid.Generator[[]inputs.Row] {
	value := rapid.IntRange(0, 1<<40)
	return rapid.Custom(func(t *rapid.T) []inputs.Row {
		n := rapid.IntRange(1, 20).Draw(t, "n")
		withOrg := rapid.Bool().Draw(t, "withOrg")
		orgs := rapid.SliceOfNDistinct(
			rapid.StringMatching(`[A-Za-z0-9"',;éß ]{0,12}`).Filter(func(s string) bool { return s == strings.TrimSpace(s) }),
			n, n, rapid.ID[string]).Draw(t, "orgs")
		rows := make([]inputs.Row, n)
		for i := range rows {
			if withOrg {
				rows[i].Org = orgs[i]
			}
			rows[i].Input = assess.Input{
				CVSS:       value.Draw(t, "cvss"),
				Critical:   value.Draw(t, "critical"),
				PatchDelay: value.Draw(t, "patch"),
				Exposure:   value.Draw(t, "exposure"),
			}
		}
		return rows
	})
}

func TestCSVRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rowsGen().Draw(t, "rows")
		var buf bytes.Buffer
		if err := inputs.WriteCSV(&buf, rows); err != nil {
			t.Fatal(err)
		}
		crlf := rapid.Bool().Draw(t, "crlf")
		data := buf.String()
		if crlf {
			data = strings.ReplaceAll(data, "\n", "\r\n")
		}
		got, err := inputs.ParseCSV(strings.NewReader(data))
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if len(got) != len(rows) {
			t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
		}
		for i := range rows {
			if got[i].Org != rows[i].Org || got[i].Input != rows[i].Input {
				t.Fatalf("row %d: read %+v, wrote %+v", i, got[i], rows[i])
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"",
		"cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n85,3,30,70\n",
		"\uFEFForg,asset_exposure,patch_delay,cvss_score,critical_vulnerabilities\r\nacme,70,30,85,3\r\n",
		"org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n\"a\nb\",1,2,3,4\n",
		"cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,\"3\n",
		"cvss_score\n-1\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := inputs.ParseCSV(strings.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "inputs: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for _, r := range rows {
			if r.Input.CVSS < 0 || r.Input.Critical < 0 || r.Input.PatchDelay < 0 || r.Input.Exposure < 0 {
				t.Fatalf("negative value accepted: %+v", r)
			}
			if r.Line < 1 {
				t.Fatalf("row without line: %+v", r)
			}
		}
		// What parses and can be written reads back the same.
		var buf bytes.Buffer
		if inputs.WriteCSV(&buf, rows) != nil {
			return
		}
		again, err := inputs.ParseCSV(&buf)
		if err != nil {
			t.Fatalf("re-reading written rows: %v", err)
		}
		for i := range rows {
			if again[i].Org != rows[i].Org || again[i].Input != rows[i].Input {
				t.Fatalf("row %d: %+v became %+v", i, rows[i], again[i])
			}
		}
	})
}
