package committee

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	stdnet "net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/net/tcp"
)

// maxResponse bounds what a client reads of an answer.
const maxResponse = 1 << 20

// newHTTPClient returns an HTTPS client for server p: TLS 1.3, the
// server's key checked against its pin, cert as the client's identity.
func newHTTPClient(c *Campaign, p Peer, cert tls.Certificate, timeout time.Duration) *http.Client {
	tc := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		// The server's key is checked against its pin instead of a
		// certificate authority.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("committee: server %d (%s) presented no certificate", p.ID, p.API)
			}
			if pin := tcp.Fingerprint(cs.PeerCertificates[0]); pin != p.Fingerprint {
				return fmt.Errorf("committee: %s presented the key %s, but the campaign lists %s for server %d", p.API, pin, p.Fingerprint, p.ID)
			}
			return nil
		},
	}
	dialer := &stdnet.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSClientConfig:       tc,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       30 * time.Second,
		},
	}
}

// APIError is an error answer of a server.
type APIError struct {
	Server int    // the server's id
	Status int    // the HTTP status
	Code   string // see [ErrorResponse]
	Msg    string // the server's message
}

func (e *APIError) Error() string {
	return fmt.Sprintf("committee: server %d: %s", e.Server, strings.TrimPrefix(e.Msg, "committee: "))
}

// do sends one request to server p and decodes the answer into out.
// Errors of the connection are retried a few times; answers are not.
func do(ctx context.Context, cl *http.Client, p Peer, method, path string, body, out any) error {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return err
		}
	}
	var err error
	for try := range 3 {
		if try > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("committee: server %d (%s): %w (after: %v)", p.ID, p.API, ctx.Err(), err)
			case <-time.After(time.Duration(try) * 250 * time.Millisecond):
			}
		}
		var retry bool
		retry, err = doOnce(ctx, cl, p, method, path, data, out)
		if !retry {
			return err
		}
	}
	return err
}

func doOnce(ctx context.Context, cl *http.Client, p Peer, method, path string, data []byte, out any) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, method, "https://"+p.API+path, bytes.NewReader(data))
	if err != nil {
		return false, err
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("committee: server %d (%s): %w", p.ID, p.API, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("committee: server %d (%s): reading the answer: %w", p.ID, p.API, err)
	}
	if resp.StatusCode >= 400 {
		var e ErrorResponse
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("%s: %.200q", resp.Status, b)
		}
		return false, &APIError{Server: p.ID, Status: resp.StatusCode, Code: e.Code, Msg: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return false, fmt.Errorf("committee: server %d (%s): the answer is not JSON of the expected form: %w", p.ID, p.API, err)
		}
	}
	return false, nil
}

// Client is one organisation's access to a campaign's servers.
type Client struct {
	c    *Campaign
	org  Organisation
	http []*http.Client // index server id − 1

	// Rand is the randomness of the shares; nil means crypto/rand.
	Rand io.Reader
}

// NewClient returns organisation org's client; cert is its identity (from
// keygen), whose key must be the one the campaign lists for it.
func NewClient(c *Campaign, org string, cert tls.Certificate) (*Client, error) {
	o, ok := c.Organisation(org)
	if !ok {
		return nil, fmt.Errorf("committee: organisation %q is not listed in campaign %q", org, c.ID)
	}
	if cert.Leaf == nil || tcp.Fingerprint(cert.Leaf) != o.Fingerprint {
		got := "none"
		if cert.Leaf != nil {
			got = tcp.Fingerprint(cert.Leaf)
		}
		return nil, fmt.Errorf("committee: the key given has fingerprint %s, but the campaign lists %s for %s: wrong key file", got, o.Fingerprint, org)
	}
	cl := &Client{c: c, org: o}
	for _, p := range c.Servers {
		cl.http = append(cl.http, newHTTPClient(c, p, cert, 30*time.Second))
	}
	return cl, nil
}

// Close releases the client's idle connections.
func (cl *Client) Close() {
	for _, h := range cl.http {
		h.CloseIdleConnections()
	}
}

// Receipt is what the servers answered to a submission that every one of
// them accepted.
type Receipt struct {
	SubmissionID SubmissionID
	Servers      []SubmitResponse // index server id − 1
}

// SubmitError reports a submission that not every server accepted. The
// organisation counts only when every server holds the same submission:
// until it submits again, successfully, it is left out.
type SubmitError struct {
	SubmissionID SubmissionID
	Accepted     []int         // the servers that stored it
	Errors       map[int]error // the others, by id
}

func (e *SubmitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "committee: submission %s reached ", e.SubmissionID)
	if len(e.Accepted) == 0 {
		b.WriteString("no server")
	} else {
		fmt.Fprintf(&b, "only %s", servers(e.Accepted))
	}
	ids := make([]int, 0, len(e.Errors))
	for id := range e.Errors {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "; %s", strings.TrimPrefix(e.Errors[id].Error(), "committee: "))
	}
	b.WriteString(": an organisation counts only when every server holds its submission")
	if len(e.Accepted) > 0 {
		b.WriteString(" (submit again before the deadline; the new submission replaces this one everywhere)")
	}
	return b.String()
}

// Unwrap returns the servers' errors.
func (e *SubmitError) Unwrap() []error {
	var out []error
	for _, err := range e.Errors {
		out = append(out, err)
	}
	return out
}

func servers(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	if len(ids) == 1 {
		return "server " + s[0]
	}
	return "servers " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// Submit makes the organisation's shares of in, with fresh random
// polynomials, and sends each server only its own, all under one new
// submission id. It replaces the organisation's earlier submission at
// every server that accepts it. An error from some server is a
// [*SubmitError].
func (cl *Client) Submit(ctx context.Context, in assess.Input) (*Receipt, error) {
	rnd := cl.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	m := cl.c.M()
	shares, err := cl.c.Assess.Submission(in, m, rnd)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	var id SubmissionID
	if _, err := io.ReadFull(rnd, id[:]); err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	return cl.send(ctx, id, shares)
}

// send sends shares[j] to server j+1 under id.
func (cl *Client) send(ctx context.Context, id SubmissionID, shares [][]byte) (*Receipt, error) {
	m := cl.c.M()
	rec := &Receipt{SubmissionID: id, Servers: make([]SubmitResponse, m)}
	errs := make([]error, m)
	var wg sync.WaitGroup
	for j, p := range cl.c.Servers {
		wg.Go(func() {
			req := SubmitRequest{Campaign: cl.c.ID, ConfigHash: cl.c.HashHex(), Server: p.ID, SubmissionID: id.String(), Shares: shares[j]}
			errs[j] = do(ctx, cl.http[j], p, http.MethodPost, PathSubmission, req, &rec.Servers[j])
		})
	}
	wg.Wait()
	se := &SubmitError{SubmissionID: id, Errors: map[int]error{}}
	for j, err := range errs {
		if err != nil {
			se.Errors[j+1] = err
		} else {
			se.Accepted = append(se.Accepted, j+1)
		}
	}
	if len(se.Errors) > 0 {
		return rec, se
	}
	return rec, nil
}

// Status asks every server for its status; errs[j] is server j+1's error.
func (cl *Client) Status(ctx context.Context) (st []StatusResponse, errs []error) {
	m := cl.c.M()
	st, errs = make([]StatusResponse, m), make([]error, m)
	var wg sync.WaitGroup
	for j, p := range cl.c.Servers {
		wg.Go(func() { errs[j] = do(ctx, cl.http[j], p, http.MethodGet, PathStatus, nil, &st[j]) })
	}
	wg.Wait()
	return st, errs
}

// ResultsError reports results that cannot be accepted: a server that
// could not be asked, has none, or reports results that differ from the
// others'.
type ResultsError struct {
	Answers []ResultsResponse // index server id − 1
	Errors  []error           // index server id − 1; nil where the server answered
}

func (e *ResultsError) Error() string {
	var parts []string
	groups := map[Result][]int{}
	var order []Result
	for j, a := range e.Answers {
		switch {
		case e.Errors[j] != nil:
			parts = append(parts, strings.TrimPrefix(e.Errors[j].Error(), "committee: "))
		case a.Result == nil:
			msg := fmt.Sprintf("server %d has no results (state %s)", j+1, a.State)
			if a.Error != "" {
				msg += ": " + strings.TrimPrefix(a.Error, "committee: ")
			}
			parts = append(parts, msg)
		default:
			if _, seen := groups[*a.Result]; !seen {
				order = append(order, *a.Result)
			}
			groups[*a.Result] = append(groups[*a.Result], j+1)
		}
	}
	if len(order) > 1 {
		for _, r := range order {
			verb := "reports"
			if len(groups[r]) > 1 {
				verb = "report"
			}
			parts = append(parts, fmt.Sprintf("%s %s %d organisations, sum %d, %d at or above %d, max %d (set %.16s…)",
				servers(groups[r]), verb, r.Organisations, r.Sum, r.AtOrAbove, r.Threshold, r.Max, r.SetHash))
		}
		parts = append(parts, "the servers disagree: do not use these results")
	}
	return "committee: " + strings.Join(parts, "; ")
}

// Unwrap returns the errors of the servers that could not be asked.
func (e *ResultsError) Unwrap() []error {
	var out []error
	for _, err := range e.Errors {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Results fetches the results from every server and returns them when all
// servers report the same; otherwise a [*ResultsError] says which server
// has none or which differ. With at most ⌊(m−1)/2⌋ dishonest servers, an
// honest one is among any m that agree, so results that all report are
// the honest servers' results.
func (cl *Client) Results(ctx context.Context) (*Result, error) {
	m := cl.c.M()
	e := &ResultsError{Answers: make([]ResultsResponse, m), Errors: make([]error, m)}
	var wg sync.WaitGroup
	for j, p := range cl.c.Servers {
		wg.Go(func() { e.Errors[j] = do(ctx, cl.http[j], p, http.MethodGet, PathResults, nil, &e.Answers[j]) })
	}
	wg.Wait()
	first := e.Answers[0].Result
	for j, a := range e.Answers {
		if e.Errors[j] != nil || a.Result == nil || first == nil || *a.Result != *first {
			return nil, e
		}
	}
	return first, nil
}
