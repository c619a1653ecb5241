package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/net/tcp"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"positional", []string{"-out", "d", "-id", "1", "x"}, `keygen: unexpected argument "x"`},
		{"no out", []string{"-id", "1"}, "keygen: -out is required"},
		{"neither", []string{"-out", "d"}, "keygen: give either -id (one party) or -n (a local trial)"},
		{"both", []string{"-out", "d", "-id", "1", "-n", "5"}, "keygen: give either -id"},
		{"id zero", []string{"-out", "d", "-id", "0"}, "keygen: -id 0: party ids start at 1"},
		{"bad addr", []string{"-out", "d", "-id", "1", "-addr", "host"}, `keygen: -addr "host" is not host:port`},
		{"host with id", []string{"-out", "d", "-id", "1", "-host", "h"}, "keygen: -host applies only with -n"},
		{"addr with n", []string{"-out", "d", "-n", "5", "-addr", "h:1"}, "keygen: -addr applies only with -id"},
		{"n too small", []string{"-out", "d", "-n", "3"}, "keygen: -n 3: want 5..1000"},
		{"ports overflow", []string{"-out", "d", "-n", "5", "-base-port", "65533"}, "keygen: -base-port 65533: ports 65533..65537 are not all valid"},
		{"timeout", []string{"-out", "d", "-n", "5", "-timeout", "0s"}, "keygen: -timeout and -connect-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(tt.args...)
			assert.Equal(t, cli.ExitUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
	code, _, stderr := runArgs("-h")
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stderr, "Usage:")
}

func TestOneParty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	code, stdout, stderr := runArgs("-out", dir, "-id", "3", "-addr", "risk.example:7000")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stderr, filepath.Join(dir, "party3.key"))

	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &entry))
	certPEM, err := os.ReadFile(filepath.Join(dir, "party3.crt"))
	require.NoError(t, err)
	pin, err := tcp.FingerprintPEM(certPEM)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"id": float64(3), "addr": "risk.example:7000", "fingerprint": pin}, entry)

	st, err := os.Stat(filepath.Join(dir, "party3.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	keyPEM, err := os.ReadFile(filepath.Join(dir, "party3.key"))
	require.NoError(t, err)
	_, err = tcp.LoadIdentity(certPEM, keyPEM)
	require.NoError(t, err)

	// Never overwrite a key.
	code, stdout, stderr = runArgs("-out", dir, "-id", "3")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party3.key already exists")
	after, err := os.ReadFile(filepath.Join(dir, "party3.key"))
	require.NoError(t, err)
	assert.Equal(t, keyPEM, after)

	// Without -addr the entry shows where the address goes.
	code, stdout, _ = runArgs("-out", dir, "-id", "4")
	require.Equal(t, cli.ExitOK, code)
	assert.True(t, strings.HasPrefix(stdout, `{"id":4,"addr":"HOST:PORT","fingerprint":"sha256:`), stdout)
}

func TestLocalTrial(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runArgs("-out", dir, "-n", "6", "-host", "127.0.0.1", "-base-port", "41000", "-session", "trial", "-timeout", "30s")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, filepath.Join(dir, "cohort.json")+"\n", stdout)

	c, err := deploy.Load(filepath.Join(dir, "cohort.json"))
	require.NoError(t, err)
	assert.Equal(t, "trial", c.Session)
	assert.Equal(t, 30*time.Second, c.Assess.Timeout)
	require.Equal(t, 6, c.N())
	for i, p := range c.Parties {
		assert.Equal(t, fmt.Sprintf("127.0.0.1:%d", 41000+i), p.Addr)
		_, err := c.LoadIdentity(p.ID, filepath.Join(dir, fmt.Sprintf("party%d.key", p.ID)), "")
		assert.NoError(t, err)
	}

	code, _, stderr = runArgs("-out", dir, "-n", "6")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, "cohort.json already exists")

	// Free ports chosen by the system, all different.
	dir = t.TempDir()
	code, _, stderr = runArgs("-out", dir, "-n", "5")
	require.Equal(t, cli.ExitOK, code, stderr)
	c, err = deploy.Load(filepath.Join(dir, "cohort.json"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(c.Session, "local-"))
	assert.Equal(t, 2, c.AlertLevel())
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A failure leaves the directory as it was: no key without its
// certificate, no partial set of identities, no temporary files.
func TestFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "party3.crt"), []byte("someone's"), 0o644))
	code, stdout, stderr := runArgs("-out", dir, "-id", "3")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party3.crt already exists")
	assert.Equal(t, []string{"party3.crt"}, dirNames(t, dir), "no orphan key")

	code, _, stderr = runArgs("-out", dir, "-n", "5")
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, "party3.crt already exists")
	assert.Equal(t, []string{"party3.crt"}, dirNames(t, dir), "no partial set")
	data, err := os.ReadFile(filepath.Join(dir, "party3.crt"))
	require.NoError(t, err)
	assert.Equal(t, "someone's", string(data))
}
