package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/net/tcp"
)

// campaign writes a campaign of 3 servers and 5 organisations with its
// server keys into dir.
func campaign(t *testing.T, dir string) *committee.Campaign {
	t.Helper()
	var servers, orgs []string
	for j := 1; j <= 3; j++ {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("server%d.key", j)), keyPEM, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("server%d.crt", j)), certPEM, 0o644))
		pin, _ := tcp.FingerprintPEM(certPEM)
		servers = append(servers, fmt.Sprintf(`{"id": %d, "api": "127.0.0.1:1%d00", "mesh": "127.0.0.1:2%d00", "fingerprint": %q}`, j, j, j, pin))
	}
	for i := 1; i <= 5; i++ {
		certPEM, _, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		pin, _ := tcp.FingerprintPEM(certPEM)
		orgs = append(orgs, fmt.Sprintf(`{"id": "org%d", "fingerprint": %q}`, i, pin))
	}
	data := fmt.Sprintf(`{"campaign": "t", "deadline": "2030-01-01T00:00:00Z", "servers": [%s], "organisations": [%s]}`,
		strings.Join(servers, ", "), strings.Join(orgs, ", "))
	path := filepath.Join(dir, "campaign.json")
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	c, err := committee.Load(path)
	require.NoError(t, err)
	return c
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	c := campaign(t, dir)
	var out, errb bytes.Buffer
	code := run([]string{"-check", "-config", filepath.Join(dir, "campaign.json"), "-id", "2", "-key", filepath.Join(dir, "server2.key")}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Contains(t, out.String(), "campaign t: hash "+c.HashHex())
	require.Contains(t, out.String(), "server 3: api 127.0.0.1:1300, mesh 127.0.0.1:2300, sha256:")
	require.Contains(t, out.String(), "is server 2's")
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	campaign(t, dir)
	cfg := filepath.Join(dir, "campaign.json")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "loose.key"), []byte("x"), 0o644))
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-config", cfg}, "-id is required"},
		{[]string{"-config", cfg, "-id", "1"}, "-key is required"},
		{[]string{"-config", cfg, "-id", "1", "-key", "k"}, "-store is required"},
		{[]string{"-check", "-config", cfg, "-id", "1"}, "give both -id and -key"},
		{[]string{"-config", cfg, "-id", "1", "-key", filepath.Join(dir, "server2.key"), "-store", filepath.Join(dir, "s.db")}, "the campaign lists"},
		{[]string{"-config", cfg, "-id", "1", "-key", filepath.Join(dir, "loose.key"), "-store", filepath.Join(dir, "s.db")}, "group or others may read it"},
		{[]string{"-config", filepath.Join(dir, "missing.json"), "-id", "1", "-key", "k", "-store", "s"}, "no such file"},
	} {
		var out, errb bytes.Buffer
		require.Equal(t, 2, run(c.args, &out, &errb), strings.Join(c.args, " "))
		require.Contains(t, errb.String(), c.msg)
	}
}
