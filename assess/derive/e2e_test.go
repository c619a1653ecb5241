package derive_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/inputs"
)

// TestEndToEnd derives five organisations' rows from the fixtures, writes
// them as the CSV the simulate program reads, reads it back and runs the
// assessment on them.
func TestEndToEnd(t *testing.T) {
	orgs := []struct {
		org string
		fx  fixture
	}{
		{"alpha", fixtures[2]}, // Trivy and Grype of one image
		{"beta", fixtures[6]},  // Nessus
		{"gamma", fixtures[7]}, // Greenbone XML
		{"delta", fixture{reports: []string{"osv.json", "cyclonedx.json"}, asOf: true, inventory: true}},
		{"epsilon", fixtures[5]}, // SARIF
	}
	var csv bytes.Buffer
	var want []assess.Input
	for i, o := range orgs {
		res := o.fx.derive(t)
		var row bytes.Buffer
		require.NoError(t, res.WriteCSV(&row, o.org))
		rows, err := inputs.ParseCSV(bytes.NewReader(row.Bytes()))
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.Equal(t, res.Input, rows[0].Input)
		require.NoError(t, mustResolve(t).CheckInput(i+1, res.Input), "%s's row is outside the assessment's bounds", o.org)
		if i == 0 {
			csv.Write(row.Bytes())
		} else {
			csv.Write(row.Bytes()[bytes.IndexByte(row.Bytes(), '\n')+1:])
		}
		want = append(want, res.Input)
	}
	rows, err := inputs.ParseCSV(bytes.NewReader(csv.Bytes()))
	require.NoError(t, err)
	require.Len(t, rows, 5)
	var got []assess.Input
	for i, r := range rows {
		assert.Equal(t, orgs[i].org, r.Org)
		got = append(got, r.Input)
	}
	require.Equal(t, want, got)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := assess.Simulate(ctx, got, assess.Config{})
	require.NoError(t, err)
	exp, err := assess.Expected(got, assess.Config{})
	require.NoError(t, err)
	assert.Equal(t, exp.Sum, res.Sum)
	assert.Equal(t, exp.Max, res.Max)
	assert.Equal(t, exp.AtOrAbove, res.AtOrAbove)
	assert.Equal(t, exp.Alert, res.Alert)
	// The rows themselves, as derived: a change of the profile shows here.
	assert.Equal(t, "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n"+
		"alpha,100,2,309,100\nbeta,100,3,292,44\ngamma,100,2,2,57\ndelta,98,3,362,64\nepsilon,81,0,0,100\n", csv.String())
}

// mustResolve is the default configuration, whose bounds the rows must
// respect.
func mustResolve(t interface{ Fatal(...any) }) assess.Resolved {
	r, err := assess.Config{}.Resolve(5)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
