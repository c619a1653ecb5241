package main

import (
	"bytes"
	"context"
	"fmt"
	stdnet "net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/net/tcp"
)

// serve writes a campaign of 3 servers and 5 organisations (org1…org5,
// keys in dir) that closes when all 5 have submitted, and runs its servers
// until the test ends.
func serve(t *testing.T, dir string) string {
	t.Helper()
	addr := func() string {
		ln, err := stdnet.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		return ln.Addr().String()
	}
	var servers, orgs []string
	var certs []string
	for j := 1; j <= 3; j++ {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		base := filepath.Join(dir, fmt.Sprintf("server%d", j))
		require.NoError(t, os.WriteFile(base+".key", keyPEM, 0o600))
		require.NoError(t, os.WriteFile(base+".crt", certPEM, 0o644))
		pin, _ := tcp.FingerprintPEM(certPEM)
		servers = append(servers, fmt.Sprintf(`{"id": %d, "api": %q, "mesh": %q, "fingerprint": %q}`, j, addr(), addr(), pin))
		certs = append(certs, base)
	}
	for i := 1; i <= 5; i++ {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		base := filepath.Join(dir, fmt.Sprintf("org%d", i))
		require.NoError(t, os.WriteFile(base+".key", keyPEM, 0o600))
		require.NoError(t, os.WriteFile(base+".crt", certPEM, 0o644))
		pin, _ := tcp.FingerprintPEM(certPEM)
		orgs = append(orgs, fmt.Sprintf(`{"id": "org%d", "fingerprint": %q}`, i, pin))
	}
	data := fmt.Sprintf(`{"campaign": "t", "deadline": "2030-01-01T00:00:00Z", "quorum": 5, "servers": [%s], "organisations": [%s]}`,
		strings.Join(servers, ", "), strings.Join(orgs, ", "))
	path := filepath.Join(dir, "campaign.json")
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	c, err := committee.Load(path)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 6)
	t.Cleanup(func() {
		cancel()
		for range 6 {
			<-done
		}
	})
	for j := 1; j <= 3; j++ {
		cert, err := committee.LoadIdentity(certs[j-1]+".key", "")
		require.NoError(t, err)
		st, err := committee.OpenStore(filepath.Join(dir, fmt.Sprintf("s%d.db", j)), c)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		srv, err := committee.NewServer(c, j, cert, st, committee.Options{Poll: 10 * time.Millisecond, Retry: 50 * time.Millisecond})
		require.NoError(t, err)
		ln, err := stdnet.Listen("tcp", c.Servers[j-1].API)
		require.NoError(t, err)
		go func() { srv.ServeAPI(ctx, ln); done <- struct{}{} }()
		go func() { srv.Run(ctx); done <- struct{}{} }()
	}
	return path
}

func TestSubmitStatusResults(t *testing.T) {
	dir := t.TempDir()
	cfg := serve(t, dir)
	csv := filepath.Join(dir, "all.csv")
	require.NoError(t, os.WriteFile(csv, []byte("org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n"+
		"org1,70,3,30,50\norg2,20,0,10,10\norg3,90,12,120,80\norg4,55,1,45,60\norg5,10,0,5,5\n"), 0o600))
	submit := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"-config", cfg}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	key := func(i int) string { return filepath.Join(dir, fmt.Sprintf("org%d.key", i)) }

	// An input outside the bounds is refused before anything is sent.
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n101,0,0,0\n"), 0o600))
	code, _, errs := submit("-org", "org1", "-key", key(1), "-input", bad)
	require.Equal(t, 2, code)
	require.Contains(t, errs, "cvss_score 101 is outside the campaign's bounds 0..100")
	code, _, errs = submit("-org", "org2", "-key", key(1), "-input", csv)
	require.Equal(t, 2, code)
	require.Contains(t, errs, "wrong key file")

	for i := 1; i <= 5; i++ {
		code, out, errs := submit("-org", fmt.Sprintf("org%d", i), "-key", key(i), "-input", csv)
		require.Equal(t, 0, code, errs)
		require.Contains(t, out, "stored by all 3 servers")
	}
	code, out, errs := submit("-org", "org1", "-key", key(1), "-status")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "server 2: ")
	require.Contains(t, out, "5 submissions, yours: ")

	require.Eventually(t, func() bool {
		code, _, _ := submit("-org", "org3", "-key", key(3), "-results")
		return code == 0
	}, 20*time.Second, 20*time.Millisecond)
	code, out, errs = submit("-org", "org3", "-key", key(3), "-results")
	require.Equal(t, 0, code, errs)
	// Scores 4·cvss + 2·(critical + patch delay + exposure).
	require.Contains(t, out, "all 3 servers report the same results for 5 organisations (semi-honest)")
	require.Contains(t, out, "maximum score     784")

	// After the quorum closed the submissions, a new one is refused.
	code, _, errs = submit("-org", "org1", "-key", key(1), "-input", csv)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "when the quorum was reached")
}
