package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	cnet "github.com/cohortmpc/cohort/net"
)

// helperEnv makes the test binary act as a party program that sends the
// signal "KILL" or "STOP" to itself after sending a number of messages:
// "KILL:20" crashes after 20 messages, "STOP:20" hangs without closing its
// connections, like a machine that froze.
const helperEnv = "COHORT_PARTY_TEST_SIGNAL_AFTER"

func TestMain(m *testing.M) {
	if s := os.Getenv(helperEnv); s != "" {
		name, count, _ := strings.Cut(s, ":")
		after, err := strconv.Atoi(count)
		if err != nil {
			panic(err)
		}
		sig := map[string]syscall.Signal{"KILL": syscall.SIGKILL, "STOP": syscall.SIGSTOP}[name]
		if sig == 0 {
			panic("unknown signal " + name)
		}
		runAssess = func(ctx context.Context, parties []assess.Party, cfg assess.Config) (assess.Result, error) {
			for i := range parties {
				parties[i].Transport = &failingTransport{Transport: parties[i].Transport, after: int64(after), sig: sig}
			}
			return assess.Run(ctx, parties, cfg)
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// failingTransport signals its own process when it is about to send
// message after+1: a party that fails in the middle of the computation.
type failingTransport struct {
	cnet.Transport
	after int64
	sig   syscall.Signal
	sent  atomic.Int64
}

func (d *failingTransport) Send(ctx context.Context, to int, msg []byte) error {
	if d.sent.Add(1) > d.after {
		syscall.Kill(os.Getpid(), d.sig)
		select {}
	}
	return d.Transport.Send(ctx, to, msg)
}

// freePorts returns n ports that were free on 127.0.0.1 a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var lns []net.Listener
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// partyBinary builds the party program once for all tests.
func partyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, err = os.MkdirTemp("", "cohort-party-test"); err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(buildDir, "party")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if errors.Is(buildErr, exec.ErrNotFound) {
		t.Skip("no go command to build the party program")
	}
	require.NoError(t, buildErr)
	return binPath
}

// process is one party process and its outcome.
type process struct {
	id             int
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	code           int
	elapsed        time.Duration
	signaled       bool
}

// start runs party id with the given program and arguments.
func start(t *testing.T, ctx context.Context, id int, bin string, args []string, env ...string) *process {
	t.Helper()
	p := &process{id: id, cmd: exec.CommandContext(ctx, bin, args...)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.Env = append(os.Environ(), env...)
	require.NoError(t, p.cmd.Start())
	return p
}

// waitAll waits for the processes and records their outcomes.
func waitAll(procs []*process, started time.Time) {
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() {
			err := p.cmd.Wait()
			p.elapsed = time.Since(started)
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				p.code = exit.ExitCode()
				if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					p.signaled = true
				}
			}
		})
	}
	wg.Wait()
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDeployment runs five party processes and compares what each prints
// with the plaintext computation on the same inputs.
func TestDeployment(t *testing.T) {
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, nil)
	want := c.expected(t)
	ctx := testContext(t)
	began := time.Now()
	var procs []*process
	for id := 1; id <= c.n; id++ {
		extra := []string{"-json"}
		if id == 4 {
			extra = nil
		}
		procs = append(procs, start(t, ctx, id, bin, c.args(id, extra...)))
	}
	waitAll(procs, began)
	for _, p := range procs {
		require.Equal(t, cli.ExitOK, p.code, "party %d: %s", p.id, p.stderr.String())
		if p.id == 4 {
			checkReport(t, p.stdout.String(), want, 4)
		} else {
			checkJSON(t, p.stdout.String(), want)
		}
		assert.Contains(t, p.stderr.String(), "msg=done")
	}
}

// TestPeerKilledMidRun kills party 5 in the middle of the computation: the
// others must fail well within the timeout (5 s), naming a party.
func TestPeerKilledMidRun(t *testing.T) {
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, nil)
	ctx := testContext(t)
	began := time.Now()
	procs := startParties(t, ctx, bin, c, 4)
	// Party 5 is this test binary, which dies after its setup messages and
	// a few rounds of preprocessing.
	dying := start(t, ctx, 5, os.Args[0], c.args(5), helperEnv+"=KILL:20")
	waitAll(append(procs, dying), began)

	require.True(t, dying.signaled, "party 5 should have been killed; it exited with %d: %s", dying.code, dying.stderr.String())
	requireBlamed(t, procs, 5, 5*time.Second)
}

// startParties starts parties 1..count of cluster c.
func startParties(t *testing.T, ctx context.Context, bin string, c *cluster, count int) []*process {
	t.Helper()
	var procs []*process
	for id := 1; id <= count; id++ {
		procs = append(procs, start(t, ctx, id, bin, c.args(id)))
	}
	return procs
}

// requireBlamed checks that every process failed within limit naming a
// peer, and that at least one named party bad as the cause. A party may
// instead name another honest party that saw the failure first and gave
// up, telling the others.
func requireBlamed(t *testing.T, procs []*process, bad int, limit time.Duration) {
	t.Helper()
	names := func(stderr string) bool {
		return strings.Contains(stderr, fmt.Sprintf("party: the failure concerns party %d (", bad)) ||
			strings.Contains(stderr, fmt.Sprintf("; this party was waiting for party %d (", bad))
	}
	byID := map[int]*process{}
	for _, p := range procs {
		byID[p.id] = p
	}
	relayed := regexp.MustCompile(`party: stopped on the report of party (\d+) `)
	for _, p := range procs {
		stderr := p.stderr.String()
		t.Logf("party %d after %v:\n%s", p.id, p.elapsed.Round(time.Millisecond), stderr)
		assert.Equal(t, cli.ExitFailure, p.code, "party %d", p.id)
		assert.Empty(t, p.stdout.String())
		assert.Less(t, p.elapsed, limit, "party %d", p.id)
		if names(stderr) {
			continue
		}
		// Otherwise it must say that it relays a party that names the culprit.
		m := relayed.FindStringSubmatch(stderr)
		if !assert.NotNil(t, m, "party %d neither names party %d nor relays a report", p.id, bad) {
			continue
		}
		origin, _ := strconv.Atoi(m[1])
		o, ok := byID[origin]
		assert.True(t, ok && names(o.stderr.String()), "party %d relays party %d, which does not name party %d", p.id, origin, bad)
	}
}

// TestPeerHangsMidRun freezes party 5 in the middle of the computation, its
// connections still open: the others hear nothing more from it and must
// give up within the timeout (5 s), naming a party.
func TestPeerHangsMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 5 s timeout")
	}
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, nil)
	ctx := testContext(t)
	began := time.Now()
	procs := startParties(t, ctx, bin, c, 4)
	frozen := start(t, ctx, 5, os.Args[0], c.args(5), helperEnv+"=STOP:20")
	waitAll(procs, began)
	frozen.cmd.Process.Kill()
	frozen.cmd.Wait()

	// 5 s after connecting, plus the time to start and connect.
	requireBlamed(t, procs, 5, 7*time.Second)
}

// TestPeerNeverStarted leaves party 5 out: the others give up after the
// connect timeout, naming it.
func TestPeerNeverStarted(t *testing.T) {
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, func(_ int, f *deploy.File) { f.ConnectTimeout = "2s" })
	ctx := testContext(t)
	began := time.Now()
	procs := startParties(t, ctx, bin, c, 4)
	waitAll(procs, began)
	for _, p := range procs {
		assert.Equal(t, cli.ExitFailure, p.code, "party %d", p.id)
		assert.Less(t, p.elapsed, 5*time.Second, "party %d", p.id)
		assert.Contains(t, p.stderr.String(), fmt.Sprintf("party: tcp: party %d: not connected to party 5 (timed out after 2s)", p.id))
		// Party 5's port is free while the test runs: when another
		// program happens to listen on it meanwhile, the dialers meet an
		// unknown key, and the explanation says that, naming party 5 too.
		out := p.stderr.String()
		assert.True(t, strings.Contains(out, "party: the failure concerns party 5 (127.0.0.1:") ||
			strings.Contains(out, "party: party 5 (127.0.0.1:"), "party %d does not name party 5: %s", p.id, out)
		// The operator saw what was going on without -v.
		assert.Contains(t, p.stderr.String(), `msg="tcp: still waiting for party 5"`)
	}
}

// TestConfigMismatch gives party 3 a different threshold: every party must
// refuse at once, long before the connect timeout.
func TestConfigMismatch(t *testing.T) {
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, func(id int, f *deploy.File) {
		f.ConnectTimeout = "30s"
		if id == 3 {
			f.Threshold = new(600)
		}
	})
	ctx := testContext(t)
	began := time.Now()
	var procs []*process
	for id := 1; id <= c.n; id++ {
		procs = append(procs, start(t, ctx, id, bin, c.args(id)))
	}
	waitAll(procs, began)
	for _, p := range procs {
		assert.Equal(t, cli.ExitFailure, p.code, "party %d", p.id)
		assert.Less(t, p.elapsed, 10*time.Second, "party %d", p.id)
		stderr := p.stderr.String()
		assert.Contains(t, stderr, "connect: different session configuration")
		assert.Contains(t, stderr, "uses a different configuration: all parties must use the same cohort.json")
		if p.id != 3 {
			assert.Contains(t, stderr, "party: party 3 (127.0.0.1:")
		}
	}
}

// TestInterruptedWhileConnecting sends Ctrl-C's signal to a party waiting
// for the others: it reports the interruption, blames nobody and exits
// with 130.
func TestInterruptedWhileConnecting(t *testing.T) {
	t.Parallel()
	bin := partyBinary(t)
	c := newCluster(t, 5, func(_ int, f *deploy.File) { f.ConnectTimeout = "30s" })
	ctx := testContext(t)
	began := time.Now()
	p := start(t, ctx, 1, bin, c.args(1))
	time.Sleep(700 * time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	waitAll([]*process{p}, began)
	stderr := p.stderr.String()
	assert.Equal(t, cli.ExitInterrupted, p.code, stderr)
	assert.Less(t, p.elapsed, 10*time.Second)
	assert.Contains(t, stderr, "party: interrupted (interrupt signal received) while connecting: stopped by this organisation, not by a failure of another party")
	assert.NotContains(t, stderr, "the failure concerns")
}

// TestTestsLeaveNoFiles runs a test of this package that builds the party
// program in a separate test process with its own temporary directory,
// which must be empty afterwards.
func TestTestsLeaveNoFiles(t *testing.T) {
	if os.Getenv("COHORT_PARTY_TEST_INNER") != "" {
		t.Skip("inner run")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the party program")
	}
	// Not in parallel: the build in the other process would slow down the
	// timed tests.
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBinaryHelp$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "COHORT_PARTY_TEST_INNER=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "PASS")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.Empty(t, left, "left in the temporary directory")
}

// TestBinaryHelp builds the party program and runs it with -h.
func TestBinaryHelp(t *testing.T) {
	bin := partyBinary(t)
	out, err := exec.Command(bin, "-h").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "Usage: party")
}
