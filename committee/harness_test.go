package committee_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	stdnet "net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/net/tcp"
)

// clock is a settable clock shared by the servers of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// keyedOrgs is how many organisations of a harness get a key.
const keyedOrgs = 256

var deadline = time.Date(2026, 3, 31, 18, 0, 0, 0, time.UTC)

// identity makes a key and certificate as keygen does.
func identity(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	certPEM, keyPEM, err := tcp.GenerateIdentity()
	require.NoError(t, err)
	cert, err := tcp.LoadIdentity(certPEM, keyPEM)
	require.NoError(t, err)
	return cert, tcp.Fingerprint(cert.Leaf)
}

// freePorts returns c distinct loopback addresses whose ports were free a
// moment ago (held together while they are chosen, so that no two are the
// same).
func freePorts(t testing.TB, c int) []string {
	t.Helper()
	addrs := make([]string, c)
	for i := range addrs {
		ln, err := stdnet.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		addrs[i] = ln.Addr().String()
	}
	return addrs
}

// node is one server of a test and what runs it.
type node struct {
	id       int
	srv      *committee.Server
	store    *committee.Store
	stopAPI  context.CancelFunc
	apiDone  chan error
	stopRun  context.CancelFunc
	runDone  chan error
	progress func(phase string, done, total int)
}

// harness runs the m servers of a campaign in this process, on loopback
// TCP with TLS, and holds the organisations' keys.
type harness struct {
	t       testing.TB
	c       *committee.Campaign
	file    map[string]any
	dir     string
	clock   *clock
	certs   []tls.Certificate // servers'
	orgs    []string
	orgKeys map[string]tls.Certificate
	nodes   []*node
}

// newHarness writes a campaign of m servers and n organisations (org1…),
// with edit applied to its JSON, and opens the servers' stores; start
// starts them.
func newHarness(t testing.TB, m, n int, edit func(map[string]any)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), clock: &clock{t: deadline.Add(-time.Hour)}, orgKeys: map[string]tls.Certificate{}}
	var servers, orgs []map[string]any
	ports := freePorts(t, 2*m)
	for j := 1; j <= m; j++ {
		cert, pin := identity(t)
		h.certs = append(h.certs, cert)
		servers = append(servers, map[string]any{"id": j, "api": ports[2*j-2], "mesh": ports[2*j-1], "fingerprint": pin})
	}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("org%d", i)
		h.orgs = append(h.orgs, id)
		if i > keyedOrgs {
			// Benchmarks fill the stores directly: these organisations
			// never connect, and a random pin stands for their key.
			var pin [32]byte
			rand.Read(pin[:])
			orgs = append(orgs, map[string]any{"id": id, "fingerprint": "sha256:" + hex.EncodeToString(pin[:])})
			continue
		}
		cert, pin := identity(t)
		h.orgKeys[id] = cert
		orgs = append(orgs, map[string]any{"id": id, "fingerprint": pin})
	}
	h.file = map[string]any{
		"campaign":          "test-campaign",
		"deadline":          deadline.Format(time.RFC3339),
		"servers":           servers,
		"organisations":     orgs,
		"threshold":         500,
		"min_organisations": 3,
		"timeout":           "30s",
		"connect_timeout":   "5s",
	}
	if edit != nil {
		edit(h.file)
	}
	h.c = h.parse()
	for j := 1; j <= m; j++ {
		h.nodes = append(h.nodes, &node{id: j})
	}
	return h
}

func (h *harness) parse() *committee.Campaign {
	h.t.Helper()
	data, err := json.Marshal(h.file)
	require.NoError(h.t, err)
	c, err := committee.Parse(data)
	require.NoError(h.t, err)
	return c
}

func (h *harness) storePath(j int) string {
	return filepath.Join(h.dir, fmt.Sprintf("server%d.db", j))
}

func logger() *slog.Logger {
	if os.Getenv("COMMITTEE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// start opens server j's store and starts its HTTPS interface and its
// computation loop.
func (h *harness) start(j int) {
	h.t.Helper()
	nd := h.nodes[j-1]
	st, err := committee.OpenStore(h.storePath(j), h.c)
	require.NoError(h.t, err)
	srv, err := committee.NewServer(h.c, j, h.certs[j-1], st, committee.Options{
		Now: h.clock.Now, Logger: logger(), Poll: 5 * time.Millisecond, Retry: 50 * time.Millisecond,
		Progress: func(phase string, done, total int) {
			if nd.progress != nil {
				nd.progress(phase, done, total)
			}
		},
	})
	require.NoError(h.t, err)
	nd.srv, nd.store = srv, st
	h.startAPI(j)
	ctx, cancel := context.WithCancel(context.Background())
	nd.stopRun, nd.runDone = cancel, make(chan error, 1)
	go func() { nd.runDone <- srv.Run(ctx) }()
}

// startAPI starts server j's HTTPS interface on its address.
func (h *harness) startAPI(j int) {
	h.t.Helper()
	nd := h.nodes[j-1]
	var ln stdnet.Listener
	var err error
	for range 50 { // the port may still be held for a moment after a stop
		if ln, err = stdnet.Listen("tcp", h.c.Servers[j-1].API); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(h.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	nd.stopAPI, nd.apiDone = cancel, make(chan error, 1)
	go func() { nd.apiDone <- nd.srv.ServeAPI(ctx, ln) }()
}

func (h *harness) stopAPI(j int) {
	nd := h.nodes[j-1]
	nd.stopAPI()
	require.NoError(h.t, <-nd.apiDone)
}

// stop stops server j as a crash would, as far as the others can tell:
// its connections close, and its store is closed.
func (h *harness) stop(j int) {
	nd := h.nodes[j-1]
	if nd.srv == nil {
		return
	}
	h.stopAPI(j)
	nd.stopRun()
	<-nd.runDone
	require.NoError(h.t, nd.store.Close())
	nd.srv = nil
}

func (h *harness) startAll() {
	for j := range h.nodes {
		h.start(j + 1)
	}
	h.t.Cleanup(h.stopAll)
}

func (h *harness) stopAll() {
	for j := range h.nodes {
		h.stop(j + 1)
	}
}

func (h *harness) client(org string) *committee.Client {
	h.t.Helper()
	cl, err := committee.NewClient(h.c, org, h.orgKeys[org])
	require.NoError(h.t, err)
	h.t.Cleanup(cl.Close)
	return cl
}

// submitAll submits inputs[i] for organisation i+1.
func (h *harness) submitAll(inputs []assess.Input) {
	h.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		wg.Go(func() {
			_, errs[i] = h.client(h.orgs[i]).Submit(context.Background(), in)
		})
	}
	wg.Wait()
	require.NoError(h.t, errors.Join(errs...))
}

// finish moves the clock past the deadline and waits for every running
// server's outcome.
func (h *harness) finish() {
	h.t.Helper()
	h.clock.Set(deadline.Add(time.Second))
	h.wait()
}

func (h *harness) wait() {
	h.t.Helper()
	for _, nd := range h.nodes {
		select {
		case <-nd.srv.Done():
		case <-time.After(60 * time.Second):
			h.t.Fatalf("server %d has no outcome after 60 s", nd.id)
		}
	}
}

// inputs returns n inputs within the default bounds, spread out.
func inputs(n int) []assess.Input {
	out := make([]assess.Input, n)
	for i := range out {
		out[i] = assess.Input{CVSS: (37 * i) % 101, Critical: (13 * i) % 40, PatchDelay: (71 * i) % 300, Exposure: (29 * i) % 101}
	}
	return out
}
