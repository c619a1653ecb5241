package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func TestSetup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	var out, errb bytes.Buffer
	code := run([]string{"-setup", dir, "-orgs", "7", "-quorum", "7", "-security", "malicious"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Equal(t, filepath.Join(dir, "campaign.json")+"\n", out.String())
	c, err := committee.Load(filepath.Join(dir, "campaign.json"))
	require.NoError(t, err)
	require.Equal(t, 3, c.M())
	require.Len(t, c.Organisations, 7)
	require.Equal(t, 7, c.Quorum)
	keys, err := readKeys(filepath.Join(dir, "orgs.pem"))
	require.NoError(t, err)
	require.Len(t, keys, 7)
	for _, o := range c.Organisations {
		_, err := committee.NewClient(c, o.ID, keys[o.ID])
		require.NoError(t, err, o.ID)
	}
	rows, err := inputs.ReadCSVFile(filepath.Join(dir, "inputs.csv"))
	require.NoError(t, err)
	require.Len(t, rows, 7)
	for _, name := range []string{"orgs.pem", "inputs.csv", "server1.key"} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), name)
	}

	// A directory that is not empty is refused.
	code = run([]string{"-setup", dir, "-orgs", "7"}, &out, &errb)
	require.Equal(t, 1, code)
	require.Contains(t, errb.String(), "is not an empty directory")
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "give -setup DIR, or -config and -keys"},
		{[]string{"-setup", "x", "-servers", "2"}, "-servers ≥ 3"},
		{[]string{"-config", "c", "-keys", "k"}, "-inputs is required to submit"},
		{[]string{"-config", "c", "-keys", "k", "-status", "-results"}, "not both"},
	} {
		var out, errb bytes.Buffer
		require.Equal(t, 2, run(c.args, &out, &errb), strings.Join(c.args, " "))
		require.Contains(t, errb.String(), c.msg)
	}
}
