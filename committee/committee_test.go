package committee_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/internal/leaktest"
)

// checkResult checks r against the plaintext outputs of inputs.
func checkResult(t testing.TB, r *committee.Result, inputs []assess.Input, cfg assess.Config) {
	t.Helper()
	want, err := assess.Expected(inputs, cfg)
	require.NoError(t, err)
	require.Equal(t, len(inputs), r.Organisations)
	require.Equal(t, want.Sum, r.Sum)
	require.Equal(t, want.AtOrAbove, r.AtOrAbove)
	require.Equal(t, want.Alert, r.Alert)
	require.Equal(t, want.Max, r.Max)
	require.Equal(t, want.AlertLevel, r.AlertLevel)
}

func TestEndToEnd(t *testing.T) {
	for _, sec := range []string{"semi-honest", "malicious"} {
		t.Run(sec, func(t *testing.T) {
			defer leaktest.Check(t)()
			const n = 9
			h := newHarness(t, 3, n, func(f map[string]any) { f["security"] = sec })
			h.startAll()
			defer h.stopAll()
			in := inputs(n)
			h.submitAll(in)

			// A submission before the deadline replaces the earlier one.
			in[4] = assess.Input{CVSS: 100, Critical: 1000, PatchDelay: 3650, Exposure: 100}
			rec, err := h.client("org5").Submit(context.Background(), in[4])
			require.NoError(t, err)
			for _, s := range rec.Servers {
				require.True(t, s.Replaced)
				require.Equal(t, rec.SubmissionID.String(), s.SubmissionID)
			}
			st, errs := h.client("org5").Status(context.Background())
			for j := range st {
				require.NoError(t, errs[j])
				require.Equal(t, committee.StateOpen, st[j].State)
				require.Equal(t, n, st[j].Submissions)
				require.Equal(t, rec.SubmissionID.String(), st[j].Yours.SubmissionID)
			}

			// Before the deadline there are no results.
			_, err = h.client("org1").Results(context.Background())
			var re *committee.ResultsError
			require.ErrorAs(t, err, &re)
			require.Contains(t, err.Error(), "server 1 has no results (state open)")

			h.finish()
			res, err := h.client("org2").Results(context.Background())
			require.NoError(t, err)
			checkResult(t, res, in, h.c.Assess)
			require.Equal(t, 3, res.Servers)
			require.Equal(t, sec, res.Security)

			// After the deadline a submission is refused, and changes
			// nothing.
			_, err = h.client("org5").Submit(context.Background(), in[0])
			var se *committee.SubmitError
			require.ErrorAs(t, err, &se)
			require.Empty(t, se.Accepted)
			var ae *committee.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, committee.CodeClosed, ae.Code)
			require.Contains(t, err.Error(), "submissions closed at the deadline, 2026-03-31T18:00:00Z")
			st, _ = h.client("org5").Status(context.Background())
			require.Equal(t, rec.SubmissionID.String(), st[0].Yours.SubmissionID)
			require.Equal(t, committee.StateDone, st[0].State)
		})
	}
}

func TestQuorumClosesEarly(t *testing.T) {
	const n = 6
	h := newHarness(t, 3, n, func(f map[string]any) { f["quorum"] = n })
	h.startAll()
	in := inputs(n)
	h.submitAll(in)
	h.wait() // no clock change: the quorum closed the submissions
	res, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)
	checkResult(t, res, in, h.c.Assess)
	st, _ := h.client("org1").Status(context.Background())
	require.Equal(t, "quorum", st[0].ClosedBy)
}

func TestIntersection(t *testing.T) {
	// org7 reaches only servers 1 and 2; org8's second submission reaches
	// only servers 1 and 2, so that server 3 holds its first: neither
	// counts, and the results cover the other six.
	const n = 8
	h := newHarness(t, 3, n, nil)
	h.startAll()
	in := inputs(n)
	h.submitAll(in[:6])
	_, err := h.client("org8").Submit(context.Background(), in[7])
	require.NoError(t, err)

	h.stopAPI(3)
	for _, org := range []string{"org7", "org8"} {
		_, err := h.client(org).Submit(context.Background(), in[0])
		var se *committee.SubmitError
		require.ErrorAs(t, err, &se, org)
		require.Equal(t, []int{1, 2}, se.Accepted)
		require.Contains(t, err.Error(), "reached only servers 1 and 2; server 3 (")
		require.Contains(t, err.Error(), "an organisation counts only when every server holds its submission")
	}
	h.startAPI(3)

	h.finish()
	res, err := h.client("org7").Results(context.Background())
	require.NoError(t, err)
	checkResult(t, res, in[:6], h.c.Assess)
}

func TestTooFewOrganisations(t *testing.T) {
	const n = 6
	h := newHarness(t, 3, n, func(f map[string]any) { f["min_organisations"] = 5 })
	h.startAll()
	h.submitAll(inputs(4))
	h.finish()
	_, err := h.client("org1").Results(context.Background())
	require.ErrorContains(t, err, "only 4 organisations reached every server (this server holds 4 submissions); the campaign's minimum group is 5: no computation")
	st, _ := h.client("org1").Status(context.Background())
	for _, s := range st {
		require.Equal(t, committee.StateFailed, s.State)
	}
}

func TestRestartKeepsSubmissions(t *testing.T) {
	const n = 7
	h := newHarness(t, 3, n, nil)
	h.startAll()
	in := inputs(n)
	h.submitAll(in[:4])

	// Server 2 goes down and comes back: it has every submission it
	// acknowledged, and takes more.
	h.stop(2)
	h.start(2)
	st, errs := h.client("org1").Status(context.Background())
	require.NoError(t, errs[1])
	require.Equal(t, 4, st[1].Submissions)
	require.Equal(t, committee.StateOpen, st[1].State)
	for i := range 4 {
		s, _ := h.client(h.orgs[i]).Status(context.Background())
		require.Equal(t, s[0].Yours.SubmissionID, s[1].Yours.SubmissionID)
	}
	for i := 4; i < n; i++ {
		_, err := h.client(h.orgs[i]).Submit(context.Background(), in[i])
		require.NoError(t, err)
	}

	// After the deadline, server 3 restarts before the computation: it
	// closes its submissions from its store and computes with the others.
	h.clock.Set(deadline.Add(time.Second))
	h.stop(3)
	h.start(3)
	h.wait()
	res, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)
	checkResult(t, res, in, h.c.Assess)
}

func TestKillDuringComputation(t *testing.T) {
	defer leaktest.Check(t)()
	const n = 12
	h := newHarness(t, 3, n, func(f map[string]any) { f["security"] = "malicious" })
	h.startAll()
	defer h.stopAll()
	in := inputs(n)
	h.submitAll(in)

	// Server 3 dies in the middle of the maximum.
	killed, down := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	h.nodes[2].progress = func(phase string, done, total int) {
		if phase == "maximum" && done >= 3 && once.CompareAndSwap(false, true) {
			close(killed)
			<-down
		}
	}
	h.clock.Set(deadline.Add(time.Second))
	<-killed
	h.stopAPI(3)
	close(down)
	h.nodes[2].stopRun()
	<-h.nodes[2].runDone
	require.NoError(t, h.nodes[2].store.Close())
	h.nodes[2].srv = nil

	// The others stop with an error naming it, and no results.
	var lastErr string
	require.Eventually(t, func() bool {
		st, _ := h.client("org1").Status(context.Background())
		lastErr = st[0].LastError
		return st[0].LastError != "" && st[1].LastError != ""
	}, 30*time.Second, 5*time.Millisecond)
	require.Contains(t, lastErr, "the computation failed; server 3 ("+h.c.Servers[2].API+") does not answer")
	require.Nil(t, h.nodes[0].srv.Outcome())

	// Run again from the stores: it succeeds.
	h.start(3)
	h.wait()
	res, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)
	checkResult(t, res, in, h.c.Assess)
}

func TestCrashAfterOthersFinished(t *testing.T) {
	// Servers 1 and 2 have their results; server 3 crashed before it
	// stored its own. When it comes back it asks the others to compute
	// again, on the same set, and gets the same results.
	const n = 6
	h := newHarness(t, 3, n, nil)
	h.startAll()
	in := inputs(n)
	h.submitAll(in)
	h.finish()
	res1, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)

	h.stop(3)
	require.NoError(t, committee.ForgetOutcome(h.storePath(3), h.c))
	h.start(3)
	_, err = h.client("org1").Results(context.Background())
	require.ErrorContains(t, err, "server 3 has no results (state closed)")
	h.wait()
	res2, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)
	require.Equal(t, res1, res2)
}

func TestResultsThatDiffer(t *testing.T) {
	const n = 5
	h := newHarness(t, 3, n, nil)
	h.startAll()
	h.submitAll(inputs(n))
	h.finish()
	h.stop(2)
	require.NoError(t, committee.TamperOutcome(h.storePath(2), h.c, func(r *committee.Result) { r.Sum++ }))
	h.start(2)
	_, err := h.client("org1").Results(context.Background())
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, "servers 1 and 3 report 5 organisations")
	require.Contains(t, msg, "server 2 reports 5 organisations")
	require.Contains(t, msg, "the servers disagree: do not use these results")
}

func TestMaliciousOrganisationExcluded(t *testing.T) {
	// In malicious mode a submission whose "bits" are not bits fails its
	// verification; the servers drop that organisation and compute on the
	// others.
	const n = 7
	h := newHarness(t, 3, n, func(f map[string]any) { f["security"] = "malicious" })
	h.startAll()
	in := inputs(n)
	h.submitAll(in[:6])
	_, err := committee.SubmitNonBits(context.Background(), h.client("org7"))
	require.NoError(t, err)
	h.finish()
	res, err := h.client("org1").Results(context.Background())
	require.NoError(t, err)
	checkResult(t, res, in[:6], h.c.Assess)
	for _, nd := range h.nodes {
		st, err := nd.store.State()
		require.NoError(t, err)
		require.Contains(t, st.Excluded, "org7")
		require.Contains(t, st.Excluded["org7"], "organisation org7")
	}
}

func TestServersOfAnotherConfiguration(t *testing.T) {
	// A store written under another configuration is refused, and a
	// server whose campaign file differs in anything public is refused by
	// the others when they connect.
	h := newHarness(t, 3, 5, nil)
	h.startAll()
	h.submitAll(inputs(5))
	h.stop(3)
	h.file["threshold"] = 600
	c2 := h.parse()
	require.NotEqual(t, h.c.Hash(), c2.Hash())
	_, err := committee.OpenStore(h.storePath(3), c2)
	require.ErrorIs(t, err, committee.ErrOtherCampaign)
	require.ErrorContains(t, err, "was written for campaign \"test-campaign\" with configuration hash")

	st, err := committee.OpenStore(filepath.Join(h.dir, "other.db"), c2)
	require.NoError(t, err)
	defer st.Close()
	srv, err := committee.NewServer(c2, 3, h.certs[2], st, committee.Options{Now: h.clock.Now, Logger: logger(), Poll: 5 * time.Millisecond, Retry: 50 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	h.clock.Set(deadline.Add(time.Second))
	require.Eventually(t, func() bool {
		st, _ := h.client("org1").Status(context.Background())
		return strings.Contains(st[0].LastError, "different session configuration")
	}, 30*time.Second, 5*time.Millisecond)
	require.Nil(t, h.nodes[0].srv.Outcome())
}

func TestSubmissionErrors(t *testing.T) {
	const n = 5
	h := newHarness(t, 3, n, nil)
	h.startAll()
	in := inputs(n)
	h.submitAll(in)
	before := storeContents(t, h)

	// An unknown key.
	stranger, _ := identity(t)
	for _, c := range []struct {
		name   string
		req    func() (int, []byte)
		status int
		code   string
		msg    string
	}{
		{"unknown key", func() (int, []byte) {
			return rawRequest(t, h, 1, stranger, "POST", committee.PathSubmission, []byte(`{}`))
		}, 403, committee.CodeUnknownKey, "is not listed in campaign \"test-campaign\""},
		{"server key", func() (int, []byte) {
			return rawRequest(t, h, 1, h.certs[1], "POST", committee.PathSubmission, []byte(`{}`))
		}, 403, committee.CodeForbidden, "server 2's key cannot submit"},
		{"not JSON", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "POST", committee.PathSubmission, []byte(`shares please`))
		}, 400, committee.CodeMalformed, "the request is not a submission"},
		{"unknown field", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "POST", committee.PathSubmission, []byte(`{"campaign":"test-campaign","extra":1}`))
		}, 400, committee.CodeMalformed, "unknown field \"extra\""},
		{"oversized", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "POST", committee.PathSubmission, []byte(`{"shares":"`+strings.Repeat("A", 1<<20)+`"}`))
		}, 413, committee.CodeTooLarge, "more than a submission of this campaign can be"},
		{"wrong campaign", func() (int, []byte) {
			return submitRaw(t, h, 1, "org1", func(r *committee.SubmitRequest) { r.ConfigHash = strings.Repeat("ab", 32) })
		}, 409, committee.CodeWrongCampaign, "the shares were made for campaign \"test-campaign\" with configuration hash abab"},
		{"wrong server", func() (int, []byte) {
			return submitRaw(t, h, 1, "org1", func(r *committee.SubmitRequest) { r.Server = 2 })
		}, 400, committee.CodeWrongServer, "the shares are for server 2, but this is server 1"},
		{"short shares", func() (int, []byte) {
			return submitRaw(t, h, 1, "org1", func(r *committee.SubmitRequest) { r.Shares = r.Shares[:len(r.Shares)-8] })
		}, 400, committee.CodeMalformed, fmt.Sprintf("the shares are %d bytes; a submission of this campaign has %d", h.c.SubmissionBytes()-8, h.c.SubmissionBytes())},
		{"not field elements", func() (int, []byte) {
			return submitRaw(t, h, 1, "org1", func(r *committee.SubmitRequest) {
				for i := range r.Shares {
					r.Shares[i] = 0xff
				}
			})
		}, 400, committee.CodeMalformed, "the shares are not elements of m61"},
		{"bad submission id", func() (int, []byte) {
			return submitRaw(t, h, 1, "org1", func(r *committee.SubmitRequest) { r.SubmissionID = "xyz" })
		}, 400, committee.CodeMalformed, "submission_id \"xyz\" is not 32 hex digits"},
		{"wrong method", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "GET", committee.PathSubmission, nil)
		}, 405, committee.CodeMethod, "/v1/submission wants POST, not GET"},
		{"no such path", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "GET", "/v1/secrets", nil)
		}, 404, committee.CodeNotFound, "no such path \"/v1/secrets\""},
		{"join by an organisation", func() (int, []byte) {
			return rawRequest(t, h, 1, h.orgKeys["org1"], "POST", committee.PathJoin, nil)
		}, 403, committee.CodeForbidden, "only the campaign's servers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := c.req()
			require.Equal(t, c.status, status, "%s", body)
			e := decodeError(t, body)
			require.Equal(t, c.code, e.Code)
			require.Contains(t, e.Error, c.msg)
		})
	}
	require.Equal(t, before, storeContents(t, h), "a refused request changed a store")

	// A client with a key other than the organisation's is refused before
	// anything is sent, and so is a server key that is not the pinned one.
	_, err := committee.NewClient(h.c, "org1", stranger)
	require.ErrorContains(t, err, "wrong key file")
	_, err = committee.NewClient(h.c, "nobody", h.orgKeys["org1"])
	require.ErrorContains(t, err, "organisation \"nobody\" is not listed")
	wrong := *h.c
	wrong.Servers = append([]committee.Peer(nil), h.c.Servers...)
	wrong.Servers[0].Fingerprint = h.c.Servers[1].Fingerprint
	cl, err := committee.NewClient(&wrong, "org1", h.orgKeys["org1"])
	require.NoError(t, err)
	defer cl.Close()
	_, err = cl.Submit(context.Background(), in[0])
	require.ErrorContains(t, err, "but the campaign lists "+h.c.Servers[1].Fingerprint+" for server 1")
	var se *committee.SubmitError
	require.True(t, errors.As(err, &se))
	require.Equal(t, []int{2, 3}, se.Accepted)
}
