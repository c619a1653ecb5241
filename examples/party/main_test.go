package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/assess/derive"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/internal/inputs"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/tcp"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

// cluster is a deployment on 127.0.0.1 written to a temporary directory:
// keys, one configuration file per party (identical unless edited) and
// input files, CSV for odd ids and MP-SPDZ for even ones.
type cluster struct {
	dir     string
	n       int
	inputs  []assess.Input
	configs []string // configs[i] is party i+1's file
}

// newCluster writes a cluster of n parties. edit, if not nil, may change
// party id's configuration file.
func newCluster(t *testing.T, n int, edit func(id int, f *deploy.File)) *cluster {
	t.Helper()
	c := &cluster{dir: t.TempDir(), n: n}
	var err error
	c.inputs, err = inputs.Generate(n, "mixed", 7)
	require.NoError(t, err)
	ports := freePorts(t, n)
	base := deploy.File{Session: "test-" + t.Name(), Timeout: "5s", ConnectTimeout: "5s"}
	for id := 1; id <= n; id++ {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(c.dir, fmt.Sprintf("party%d.key", id)), keyPEM, 0o600))
		writeFile(t, c.dir, fmt.Sprintf("party%d.crt", id), string(certPEM))
		base.Parties = append(base.Parties, deploy.FileParty{ID: id, Addr: fmt.Sprintf("127.0.0.1:%d", ports[id-1]), Cert: fmt.Sprintf("party%d.crt", id)})

		in := c.inputs[id-1]
		if id%2 == 1 {
			writeFile(t, c.dir, fmt.Sprintf("org%d.csv", id), fmt.Sprintf("org,patch_delay,cvss_score,critical_vulnerabilities,asset_exposure\norg%d,%d,%d,%d,%d\n",
				id, in.PatchDelay, in.CVSS, in.Critical, in.Exposure))
		} else {
			writeFile(t, c.dir, inputs.MPSPDZFile(id-1), fmt.Sprintf("%d %d\n%d %d\n", in.CVSS, in.Critical, in.PatchDelay, in.Exposure))
		}
	}
	for id := 1; id <= n; id++ {
		f := base
		f.Parties = append([]deploy.FileParty(nil), base.Parties...)
		if edit != nil {
			edit(id, &f)
		}
		data, err := json.MarshalIndent(f, "", "  ")
		require.NoError(t, err)
		c.configs = append(c.configs, writeFile(t, c.dir, fmt.Sprintf("cohort%d.json", id), string(data)))
	}
	return c
}

// args returns party id's command-line arguments.
func (c *cluster) args(id int, extra ...string) []string {
	input := filepath.Join(c.dir, fmt.Sprintf("org%d.csv", id))
	if id%2 == 0 {
		input = filepath.Join(c.dir, inputs.MPSPDZFile(id-1))
	}
	return append([]string{"-config", c.configs[id-1], "-id", fmt.Sprint(id),
		"-key", filepath.Join(c.dir, fmt.Sprintf("party%d.key", id)), "-input", input}, extra...)
}

func (c *cluster) expected(t *testing.T) assess.Result {
	t.Helper()
	want, err := assess.Expected(c.inputs, assess.Config{})
	require.NoError(t, err)
	return want
}

func TestRunUsageErrors(t *testing.T) {
	c := newCluster(t, 5, nil)
	dir := c.dir
	good := c.args(1)
	with := func(flag, value string) []string {
		args := append([]string(nil), good...)
		for i := range args {
			if args[i] == flag {
				args[i+1] = value
				return args
			}
		}
		return append(args, flag, value)
	}
	twoRows := writeFile(t, dir, "two.csv", "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n1,2,3,4\n5,6,7,8\n")
	outOfRange := writeFile(t, dir, "range.csv", "cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n101,2,3,4\n")
	badValue := writeFile(t, dir, "bad.txt", "10 1 x 3\n")
	badConfig := writeFile(t, dir, "bad.json", `{"session": "s", "parties": [], "colour": "red"}`)

	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"bad int", []string{"-id", "one"}, `invalid value "one" for flag -id`},
		{"positional", append(good, "extra"), `party: unexpected argument "extra"`},
		{"no id", []string{"-key", "k", "-input", "i"}, "party: -id is required"},
		{"negative id", with("-id", "-2"), "party: -id -2: party ids start at 1"},
		{"no key", []string{"-id", "1", "-input", "i"}, "party: -key is required"},
		{"no input", []string{"-id", "1", "-key", "k"}, "party: -input is required"},
		{"empty config", with("-config", ""), "party: -config is empty"},
		{"missing config", with("-config", filepath.Join(dir, "nope.json")), "party: deploy: open " + filepath.Join(dir, "nope.json")},
		{"bad config", with("-config", badConfig), "party: deploy: " + badConfig + `: line 1: unknown entry "colour"`},
		{"id not listed", with("-id", "6"), "party: -id 6: " + c.configs[0] + " lists parties 1..5"},
		{"missing input", with("-input", filepath.Join(dir, "none.csv")), "party: input: open "},
		{"two rows", with("-input", twoRows), "party: input: " + twoRows + " has 2 data rows"},
		{"bad value", with("-input", badValue), "party: inputs: " + badValue + `: line 1, column patch_delay: "x" is not an integer`},
		{"out of range", with("-input", outOfRange), "party: " + outOfRange + ": cvss_score 101 is outside 0..100, the bounds in " + c.configs[0]},
		{"wrong key", with("-key", filepath.Join(dir, "party2.key")), "party: deploy: " + filepath.Join(dir, "party2.key") + " and " + filepath.Join(dir, "party1.crt")},
		{"missing key", with("-key", filepath.Join(dir, "party9.key")), "party: deploy: reading key: "},
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
	assert.Contains(t, stderr, "Usage: party")
	assert.Contains(t, stderr, "-input")
	assert.Contains(t, stderr, "  cvss_score                 CVSS base score × 10, an integer (CVSS 7.8 → 78); default bounds 0..100\n")
	assert.Contains(t, stderr, "  asset_exposure             percentage of assets exposed; default bounds 0..100\n")
	assert.Contains(t, stderr, "come from cohort.json")
}

func TestReadInput(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, dir, "mine.csv", "\uFEFFcvss_score,critical_vulnerabilities,patch_delay,asset_exposure\r\n 50, 1, 14 ,40\r\n\r\n")
	got, err := readInput(csv, 3)
	require.NoError(t, err)
	assert.Equal(t, partyInput{input: assess.Input{CVSS: 50, Critical: 1, PatchDelay: 14, Exposure: 40}, source: csv + " (CSV)"}, got)

	named := writeFile(t, dir, "org.csv", "org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\nacme,1,2,3,4\n")
	got, err = readInput(named, 3)
	require.NoError(t, err)
	assert.Equal(t, named+" (CSV, org acme)", got.source)

	// MP-SPDZ by name, and by content under any name.
	p2 := writeFile(t, dir, "Input-P2-0", "10 1 2 3\n")
	got, err = readInput(p2, 3)
	require.NoError(t, err)
	assert.Equal(t, partyInput{input: assess.Input{CVSS: 10, Critical: 1, PatchDelay: 2, Exposure: 3}, source: p2 + " (MP-SPDZ input file)"}, got)
	got, err = readInput(p2, 1)
	require.NoError(t, err)
	assert.Contains(t, got.warning, "is MP-SPDZ party 2's, which is party id 3 here, not 1")
	txt := writeFile(t, dir, "mine.txt", "\n 10\n1 2\t3\n")
	got, err = readInput(txt, 1)
	require.NoError(t, err)
	assert.Equal(t, assess.Input{CVSS: 10, Critical: 1, PatchDelay: 2, Exposure: 3}, got.input)
	assert.Empty(t, got.warning)

	short := writeFile(t, dir, "Input-P0-0", "10 1 2\n")
	_, err = readInput(short, 1)
	assert.EqualError(t, err, "inputs: "+short+": found 3 values, want 4: cvss_score, critical_vulnerabilities, patch_delay, asset_exposure")
	big := writeFile(t, dir, "big.csv", strings.Repeat("1", maxInputSize+1))
	_, err = readInput(big, 1)
	assert.ErrorContains(t, err, "larger than 65536 bytes")
}

// TestRunInProcess runs five parties in this process over real TCP
// connections, through run.
func TestRunInProcess(t *testing.T) {
	c := newCluster(t, 5, nil)
	want := c.expected(t)
	outs := make([]string, c.n)
	errs := make([]string, c.n)
	codes := make([]int, c.n)
	var wg sync.WaitGroup
	for i := range c.n {
		wg.Go(func() {
			extra := []string{"-json"}
			if i == 2 {
				extra = []string{"-v"}
			}
			codes[i], outs[i], errs[i] = runArgs(c.args(i+1, extra...)...)
		})
	}
	wg.Wait()
	for i := range c.n {
		require.Equal(t, cli.ExitOK, codes[i], "party %d: %s", i+1, errs[i])
		if i == 2 {
			checkReport(t, outs[i], want, 3)
			assert.Contains(t, errs[i], "level=DEBUG")
			continue
		}
		checkJSON(t, outs[i], want)
		assert.NotContains(t, errs[i], "level=DEBUG")
		assert.NotContains(t, errs[i], "level=WARN")
	}
}

// TestRunFailures checks the messages when connecting or the computation
// fails, without a network.
func TestRunFailures(t *testing.T) {
	c := newCluster(t, 5, nil)
	fakeNetwork(t, func() (cnet.Transport, error) {
		return nil, &cnet.PeerError{Party: 4, Op: "connect", Err: tcp.ErrSessionMismatch}
	}, nil)
	code, stdout, stderr := runArgs(c.args(2)...)
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party: tcp: party 4: connect: different session configuration\n")
	assert.Contains(t, stderr, "party: party 4 (127.0.0.1:")
	assert.Contains(t, stderr, "uses a different configuration: all parties must use the same cohort.json")

	mesh, err := cnet.NewMesh(5)
	require.NoError(t, err)
	fakeNetwork(t, func() (cnet.Transport, error) { return mesh[1], nil },
		func(context.Context, []assess.Party, assess.Config) (assess.Result, error) {
			return assess.Result{}, fmt.Errorf("assess: party 2: maximum: %w", &cnet.PeerError{Party: 5, Op: "recv", Err: cnet.ErrPeerClosed})
		})
	code, stdout, stderr = runArgs(c.args(2)...)
	assert.Equal(t, cli.ExitFailure, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party: assess: party 2: maximum: net: party 5: recv: peer closed the connection\n")
	assert.Contains(t, stderr, "party: the failure concerns party 5 (127.0.0.1:")
	assert.Contains(t, stderr, "it closed its connection")

	// The run's deadline: reported as such, with the party waited for.
	fakeNetwork(t, func() (cnet.Transport, error) { return mesh[1], nil },
		func(context.Context, []assess.Party, assess.Config) (assess.Result, error) {
			return assess.Result{}, fmt.Errorf("assess: party 2: maximum: %w", &cnet.PeerError{Party: 3, Op: "recv", Err: context.DeadlineExceeded})
		})
	code, _, stderr = runArgs(c.args(2)...)
	assert.Equal(t, cli.ExitFailure, code)
	assert.Contains(t, stderr, "party: the computation did not finish within its timeout (5s); this party was waiting for party 3 (127.0.0.1:")
	assert.NotContains(t, stderr, "the failure concerns")
}

func checkJSON(t *testing.T, out string, want assess.Result) {
	t.Helper()
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	assert.Equal(t, 1, strings.Count(out, "\n"), "one line")
	for k, v := range map[string]any{
		"n": float64(want.Organisations), "corruptible": float64(want.Corruptible), "sum": float64(want.Sum), "at_or_above": float64(want.AtOrAbove),
		"threshold": float64(want.Threshold), "alert_level": float64(want.AlertLevel), "protocol": "bitwise",
		"alert": want.Alert, "max": float64(want.Max),
	} {
		assert.Equal(t, v, got[k], k)
	}
	assert.InDelta(t, want.Average, got["average"], 1e-9)
	assert.NotContains(t, got, "expected")
	assert.NotContains(t, got, "verified")
	for _, k := range []string{"seconds", "bytes_total", "bytes_per_party_max", "messages", "rounds"} {
		assert.Greater(t, got[k], float64(0), k)
	}
	assert.Equal(t, got["bytes_total"], got["bytes_per_party_max"])
	for _, k := range []string{"weights", "bounds", "options", "session", "own_score"} {
		assert.Contains(t, got, k)
	}
}

func checkReport(t *testing.T, out string, want assess.Result, id int) {
	t.Helper()
	for _, s := range []string{
		fmt.Sprintf("(party %d of %d, over TCP with mutual TLS)", id, want.Organisations),
		fmt.Sprintf("organisations       %d; up to %d of them may collude", want.Organisations, want.Corruptible),
		fmt.Sprintf("average score       %.2f (sum %d)", want.Average, want.Sum),
		fmt.Sprintf("at or above T       %d of %d", want.AtOrAbove, want.Organisations),
		fmt.Sprintf("maximum score       %d", want.Max),
		"session             test-",
		"your score          ",
		"by this party",
	} {
		assert.Contains(t, out, s)
	}
	assert.NotContains(t, out, "Plaintext check")
}

// fakeNetwork replaces connect and runAssess for one test: connect closes
// the listener it is given and returns conn's result; run is runAssess.
func fakeNetwork(t *testing.T, conn func() (cnet.Transport, error), run func(context.Context, []assess.Party, assess.Config) (assess.Result, error)) {
	savedConnect, savedRun := connect, runAssess
	t.Cleanup(func() { connect, runAssess = savedConnect, savedRun })
	connect = func(_ context.Context, cfg tcp.Config) (cnet.Transport, error) {
		if cfg.Listener != nil {
			cfg.Listener.Close()
		}
		return conn()
	}
	if run != nil {
		runAssess = run
	}
}

// A private key that others can read is refused unless the operator says
// otherwise.
func TestRunKeyPermissions(t *testing.T) {
	c := newCluster(t, 5, nil)
	key := filepath.Join(c.dir, "party1.key")
	require.NoError(t, os.Chmod(key, 0o640))
	fakeNetwork(t, func() (cnet.Transport, error) {
		return nil, &cnet.PeerError{Party: 2, Op: "connect", Err: tcp.ErrSessionMismatch}
	}, nil)
	code, stdout, stderr := runArgs(c.args(1)...)
	assert.Equal(t, cli.ExitUsage, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party: the private key "+key+" is accessible by group or others (mode 0640): chmod 600 it, or pass -allow-readable-key")
	assert.NotContains(t, stderr, "connecting")

	code, _, stderr = runArgs(c.args(1, "-allow-readable-key")...)
	assert.Equal(t, cli.ExitFailure, code, stderr)
	assert.Contains(t, stderr, "level=WARN")
	assert.Contains(t, stderr, "accessible by group or others")
	assert.Contains(t, stderr, "connect: different session configuration")
}

// -check prints what the organisations compare before a run.
func TestRunCheck(t *testing.T) {
	c := newCluster(t, 5, func(id int, f *deploy.File) {
		if id == 3 {
			f.Threshold = new(600)
		}
	})
	var hashes []string
	for id := 1; id <= 3; id++ {
		code, stdout, stderr := runArgs("-check", "-config", c.configs[id-1])
		require.Equal(t, cli.ExitOK, code, stderr)
		cfg, err := deploy.Load(c.configs[id-1])
		require.NoError(t, err)
		h := cfg.SessionHash()
		assert.Contains(t, stdout, "configuration hash sha256:"+hex.EncodeToString(h[:])+"\n")
		assert.Contains(t, stdout, "session            test-TestRunCheck\n")
		assert.Contains(t, stdout, "assessment         T = ")
		assert.Contains(t, stdout, ", K = 2, score 4·cvss_score + 2·critical_vulnerabilities + 2·patch_delay + 2·asset_exposure (0..9900), semi-honest, maximum bitwise\n")
		assert.Contains(t, stdout, "options            none\n")
		for _, p := range cfg.Parties {
			assert.Contains(t, stdout, fmt.Sprintf("party %d  %s  %s\n", p.ID, p.Addr, p.Fingerprint))
		}
		hashes = append(hashes, hex.EncodeToString(h[:]))
	}
	assert.Equal(t, hashes[0], hashes[1])
	assert.NotEqual(t, hashes[0], hashes[2], "party 3's file differs")

	// With -id and -key, the key is checked against the file too.
	code, stdout, stderr := runArgs("-check", "-config", c.configs[0], "-id", "2", "-key", filepath.Join(c.dir, "party2.key"))
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "key                "+filepath.Join(c.dir, "party2.key")+" is party 2's\n")
	code, _, stderr = runArgs("-check", "-config", c.configs[0], "-id", "2", "-key", filepath.Join(c.dir, "party1.key"))
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "party: deploy: ")
}

// Ctrl-C during the computation is reported as an interruption, not as a
// failure of the peer whose message was awaited.
func TestRunInterrupted(t *testing.T) {
	c := newCluster(t, 5, nil)
	mesh, err := cnet.NewMesh(5)
	require.NoError(t, err)
	fakeNetwork(t, func() (cnet.Transport, error) { return mesh[1], nil },
		func(ctx context.Context, _ []assess.Party, _ assess.Config) (assess.Result, error) {
			// The handler is registered: the signal cancels ctx.
			require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
			<-ctx.Done()
			return assess.Result{}, fmt.Errorf("assess: party 2: maximum: %w", &cnet.PeerError{Party: 4, Op: "recv", Err: ctx.Err()})
		})
	code, stdout, stderr := runArgs(c.args(2)...)
	assert.Equal(t, cli.ExitInterrupted, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "party: interrupted (interrupt signal received) while computing: stopped by this organisation, not by a failure of another party")
	assert.NotContains(t, stderr, "the failure concerns")
}

// A party whose own address cannot be listened on is told why, and what
// to check.
func TestRunListenHint(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	c := newCluster(t, 5, func(_ int, f *deploy.File) {
		f.Parties[1].Addr = busy.Addr().String()
		f.Parties[2].Addr = "192.0.2.1:7000" // TEST-NET-1: never this machine's
	})
	code, _, stderr := runArgs(c.args(2)...)
	assert.Equal(t, cli.ExitFailure, code, stderr)
	assert.Contains(t, stderr, "party: cannot listen on "+busy.Addr().String()+", party 2's address in "+c.configs[1])
	assert.Contains(t, stderr, "another program, or another party process, listens there")

	code, _, stderr = runArgs(c.args(3)...)
	assert.Equal(t, cli.ExitFailure, code, stderr)
	assert.Contains(t, stderr, "party: cannot listen on 192.0.2.1:7000, party 3's address in "+c.configs[2])
	assert.Contains(t, stderr, "this machine does not have that address")
	assert.Contains(t, stderr, "-listen")

	// -listen binds elsewhere while the others still dial the configured
	// address.
	fakeNetwork(t, func() (cnet.Transport, error) {
		return nil, &cnet.PeerError{Party: 4, Op: "connect", Err: tcp.ErrSessionMismatch}
	}, nil)
	code, _, stderr = runArgs(c.args(3, "-listen", "127.0.0.1:0")...)
	assert.Equal(t, cli.ExitFailure, code, stderr)
	assert.Contains(t, stderr, "connect: different session configuration")
}

func TestCheckExplanation(t *testing.T) {
	dir := t.TempDir()
	rep, err := derive.ReadReport(filepath.Join("..", "..", "assess", "derive", "testdata", "grype.json"), derive.ReadOptions{})
	require.NoError(t, err)
	exposure := 40
	res, err := derive.Derive([]*derive.Report{rep}, derive.Options{Exposure: &exposure})
	require.NoError(t, err)
	explain := writeFile(t, dir, "explain.json", string(res.JSON()))
	other := writeFile(t, dir, "p95.json", strings.Replace(string(res.JSON()), `"`+derive.Profile+`"`, `"`+derive.Profile+`+p95"`, 1))

	withProfile := &deploy.Config{Path: "cohort.json"}
	withProfile.Assess.InputsProfile = derive.Profile
	without := &deploy.Config{Path: "cohort.json"}
	mine := options{config: "cohort.json", input: "row.csv", explain: explain}

	require.NoError(t, checkExplanation(mine, withProfile, res.Input))
	require.NoError(t, checkExplanation(options{config: "cohort.json"}, without, res.Input))
	for name, c := range map[string]struct {
		o   options
		cfg *deploy.Config
		in  assess.Input
		msg string
	}{
		"no explanation":     {options{config: "cohort.json"}, withProfile, res.Input, "requires rows derived by " + derive.Profile},
		"nothing to check":   {mine, without, res.Input, "names no inputs_profile"},
		"other profile":      {options{config: "cohort.json", explain: other}, withProfile, res.Input, "was derived by " + derive.Profile + "+p95; cohort.json requires " + derive.Profile},
		"row edited by hand": {mine, withProfile, assess.Input{CVSS: 1}, "explains the values"},
	} {
		t.Run(name, func(t *testing.T) {
			err := checkExplanation(c.o, c.cfg, c.in)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.msg)
		})
	}
}
