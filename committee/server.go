package committee

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	stdnet "net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/net/tcp"
)

// Options are a server's local settings. The zero value is usable.
type Options struct {
	// Now is the server's clock; nil means time.Now. Tests inject one.
	Now func() time.Time
	// Logger receives the server's events; nil means none.
	Logger *slog.Logger
	// ListenMesh, when set, is where the server listens for the other
	// servers instead of its mesh address in the campaign (behind NAT).
	ListenMesh string
	// Poll is how often the server looks at its clock while it waits for
	// the deadline (default 1s).
	Poll time.Duration
	// Retry is how long the server waits after a failed attempt to compute
	// before the next (default 5s); a request from another server to join
	// starts the next at once.
	Retry time.Duration
	// Progress, when set, is called with the computation's phases (see
	// [assess.Config.Progress]).
	Progress func(phase string, done, total int)
}

// Server is one server of a committee: it accepts organisations'
// submissions over HTTPS ([Server.Handler], [Server.ServeAPI]) and, once
// submissions close, computes with the other servers ([Server.Run]).
type Server struct {
	c     *Campaign
	id    int
	cert  tls.Certificate
	store *Store
	opt   Options
	log   *slog.Logger

	wake    chan struct{} // a quorum was reached, or a server asked to join
	attempt sync.Mutex    // one computation at a time
	done    chan struct{} // closed once there is an outcome

	mu        sync.Mutex
	attempts  int
	lastError string
	outcome   *Outcome
}

// Outcome is how a campaign's computation ended at one server.
type Outcome struct {
	State  string    `json:"state"` // StateDone or StateFailed
	Result *Result   `json:"result,omitempty"`
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
	// Cost is this server's (state done).
	Cost *Cost `json:"cost,omitempty"`
}

// NewServer returns server id of campaign c, with its certificate (whose
// key must be the one c lists for it) and its open store.
func NewServer(c *Campaign, id int, cert tls.Certificate, st *Store, opt Options) (*Server, error) {
	p, err := c.Server(id)
	if err != nil {
		return nil, err
	}
	if cert.Leaf == nil || tcp.Fingerprint(cert.Leaf) != p.Fingerprint {
		got := "none"
		if cert.Leaf != nil {
			got = tcp.Fingerprint(cert.Leaf)
		}
		return nil, fmt.Errorf("committee: the key given has fingerprint %s, but the campaign lists %s for server %d: wrong key file or wrong id", got, p.Fingerprint, id)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Retry <= 0 {
		opt.Retry = 5 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{c: c, id: id, cert: cert, store: st, opt: opt, log: opt.Logger.With("server", id),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	state, err := st.State()
	if err != nil {
		return nil, err
	}
	if state.Outcome != nil {
		s.setOutcome(state.Outcome)
	}
	return s, nil
}

// Done is closed once the computation has an outcome (see
// [Server.Outcome]).
func (s *Server) Done() <-chan struct{} { return s.done }

// Outcome returns the computation's outcome, or nil before there is one.
func (s *Server) Outcome() *Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outcome
}

func (s *Server) setOutcome(o *Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outcome == nil {
		s.outcome = o
		close(s.done)
	}
}

func (s *Server) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// TLSConfig is the server's TLS configuration for its HTTPS interface:
// TLS 1.3 only, its own certificate, and a client certificate required
// (which key it has is checked by the handlers, so that an unknown key
// gets a clear answer rather than a failed handshake).
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{s.cert},
		ClientAuth:   tls.RequireAnyClientCert,
	}
}

// Timeouts of the HTTPS interface.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10
)

// ServeAPI serves the HTTPS interface on ln until ctx ends, then shuts it
// down (requests in progress get a few seconds to finish).
func (s *Server) ServeAPI(ctx context.Context, ln stdnet.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         s.TLSConfig(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return fmt.Errorf("committee: server %d: %w", s.id, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	<-errc
	return nil
}

// apiError is an answer with a status of 400 or more.
type apiError struct {
	status int
	code   string
	msg    string
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: "committee: " + fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// caller is who sent a request: an organisation (index ≥ 0) or a server
// (id, negative).
type caller struct {
	org    int
	server int
}

// Handler is the HTTPS interface (the package documentation describes it).
// It needs requests that came over TLS with a client certificate.
func (s *Server) Handler() http.Handler {
	type route struct {
		method string
		fn     func(*http.Request, caller) (any, *apiError)
	}
	routes := map[string]route{
		PathSubmission: {http.MethodPost, s.submit},
		PathStatus:     {http.MethodGet, s.status},
		PathResults:    {http.MethodGet, s.results},
		PathJoin:       {http.MethodPost, s.join},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(e *apiError) {
			if e.status >= 500 {
				s.log.Error("request failed", "path", r.URL.Path, "err", e.msg)
			}
			writeJSON(w, e.status, ErrorResponse{Code: e.code, Error: e.msg})
		}
		rt, ok := routes[r.URL.Path]
		if !ok {
			fail(errorf(http.StatusNotFound, CodeNotFound, "no such path %q (the interface has %s, %s, %s and %s)", r.URL.Path, PathSubmission, PathStatus, PathResults, PathJoin))
			return
		}
		if r.Method != rt.method {
			w.Header().Set("Allow", rt.method)
			fail(errorf(http.StatusMethodNotAllowed, CodeMethod, "%s wants %s, not %s", r.URL.Path, rt.method, r.Method))
			return
		}
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			fail(errorf(http.StatusForbidden, CodeUnknownKey, "no client certificate: organisations authenticate with their key"))
			return
		}
		pin := tcp.Fingerprint(r.TLS.PeerCertificates[0])
		w0, ok := s.c.whose(pin)
		if !ok {
			fail(errorf(http.StatusForbidden, CodeUnknownKey, "the key %s is not listed in campaign %q: an organisation submits with the key whose fingerprint the campaign file lists", pin, s.c.ID))
			return
		}
		who := caller{org: w0, server: 0}
		if w0 < 0 {
			who = caller{org: -1, server: -w0}
		}
		v, e := rt.fn(r, who)
		if e != nil {
			fail(e)
			return
		}
		status := http.StatusOK
		if r.URL.Path == PathJoin {
			status = http.StatusAccepted
		}
		writeJSON(w, status, v)
	})
}

// maxRequest bounds the body of a submission: the shares in base64 and
// room for the other fields.
func (s *Server) maxRequest() int64 {
	return int64(4*(s.c.SubmissionBytes()+2)/3 + 1024)
}

func (s *Server) submit(r *http.Request, who caller) (any, *apiError) {
	if who.org < 0 {
		return nil, errorf(http.StatusForbidden, CodeForbidden, "server %d's key cannot submit: only organisations submit", who.server)
	}
	org := s.c.Organisations[who.org]
	var req SubmitRequest
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, s.maxRequest()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "the request is larger than %d bytes, more than a submission of this campaign can be", s.maxRequest())
		}
		return nil, errorf(http.StatusBadRequest, CodeMalformed, "the request is not a submission: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errorf(http.StatusBadRequest, CodeMalformed, "the request has data after the submission")
	}
	if req.Campaign != s.c.ID || req.ConfigHash != s.c.HashHex() {
		return nil, errorf(http.StatusConflict, CodeWrongCampaign, "the shares were made for campaign %q with configuration hash %s; this server runs campaign %q with hash %s: get the campaign's current file",
			req.Campaign, req.ConfigHash, s.c.ID, s.c.HashHex())
	}
	if req.Server != s.id {
		return nil, errorf(http.StatusBadRequest, CodeWrongServer, "the shares are for server %d, but this is server %d: send each server only its own shares", req.Server, s.id)
	}
	var id SubmissionID
	if b, err := hex.DecodeString(req.SubmissionID); err != nil || len(b) != len(id) {
		return nil, errorf(http.StatusBadRequest, CodeMalformed, "submission_id %q is not %d hex digits", req.SubmissionID, 2*len(id))
	} else {
		copy(id[:], b)
	}
	if err := s.checkShares(req.Shares); err != nil {
		return nil, errorf(http.StatusBadRequest, CodeMalformed, "%v", err)
	}
	sub := Submission{Org: org.ID, ID: id, Received: s.opt.Now(), Shares: req.Shares}
	replaced, err := s.store.put(sub, s.c.Deadline, s.c.Quorum)
	if err != nil {
		var closed *ClosedError
		if errors.As(err, &closed) {
			return nil, errorf(http.StatusGone, CodeClosed, "%s: submission from %s refused (it is now %s at this server)",
				strings.TrimPrefix(closed.Error(), "committee: "), org.ID, sub.Received.UTC().Format(time.RFC3339))
		}
		return nil, errorf(http.StatusInternalServerError, CodeInternal, "storing the submission: %v", err)
	}
	s.log.Debug("submission stored", "org", org.ID, "id", id, "replaced", replaced)
	if s.c.Quorum > 0 {
		s.poke()
	}
	return SubmitResponse{Org: org.ID, Server: s.id, SubmissionID: id.String(), Received: sub.Received.UTC(), Replaced: replaced}, nil
}

// checkShares checks that shares are the encoding of a submission's field
// elements.
func (s *Server) checkShares(shares []byte) error {
	if len(shares) != s.c.SubmissionBytes() {
		return fmt.Errorf("the shares are %d bytes; a submission of this campaign has %d (%d elements of %s)", len(shares), s.c.SubmissionBytes(), s.c.size, s.c.field)
	}
	var err error
	if s.c.field == assess.FieldM127 {
		err = field.F127{}.Decode(make([]field.M127, s.c.size), shares)
	} else {
		err = field.F61{}.Decode(make([]field.M61, s.c.size), shares)
	}
	if err != nil {
		return fmt.Errorf("the shares are not elements of %s: %v", s.c.field, err)
	}
	return nil
}

// state is the campaign's state at this server.
func (s *Server) state(st State, now time.Time) string {
	switch {
	case st.Outcome != nil:
		return st.Outcome.State
	case st.Closed != nil || !now.Before(s.c.Deadline):
		return StateClosed
	}
	return StateOpen
}

func (s *Server) status(r *http.Request, who caller) (any, *apiError) {
	st, err := s.store.State()
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, CodeInternal, "reading the store: %v", err)
	}
	now := s.opt.Now()
	resp := StatusResponse{
		Campaign: s.c.ID, ConfigHash: s.c.HashHex(), Server: s.id, Deadline: s.c.Deadline.UTC(), Now: now.UTC(),
		State: s.state(st, now), Submissions: st.Submissions,
	}
	if st.Closed != nil {
		at := st.Closed.At.UTC()
		resp.ClosedAt, resp.ClosedBy = &at, st.Closed.By
	}
	if st.Outcome != nil {
		resp.Error, resp.Computation = st.Outcome.Error, st.Outcome.Cost
	}
	if who.org >= 0 {
		sub, ok, err := s.store.Get(s.c.Organisations[who.org].ID)
		if err != nil {
			return nil, errorf(http.StatusInternalServerError, CodeInternal, "reading the store: %v", err)
		}
		if ok {
			resp.Yours = &SubmissionInfo{SubmissionID: sub.ID.String(), Received: sub.Received.UTC()}
		}
	}
	s.mu.Lock()
	resp.Attempts, resp.LastError = s.attempts, s.lastError
	s.mu.Unlock()
	return resp, nil
}

func (s *Server) results(r *http.Request, who caller) (any, *apiError) {
	st, err := s.store.State()
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, CodeInternal, "reading the store: %v", err)
	}
	resp := ResultsResponse{Campaign: s.c.ID, ConfigHash: s.c.HashHex(), Server: s.id, State: s.state(st, s.opt.Now())}
	if o := st.Outcome; o != nil {
		resp.Result, resp.Error = o.Result, o.Error
	}
	return resp, nil
}

// join asks this server to take part in a computation: another server has
// none yet and starts one.
func (s *Server) join(r *http.Request, who caller) (any, *apiError) {
	if who.server == 0 {
		return nil, errorf(http.StatusForbidden, CodeForbidden, "only the campaign's servers may ask a server to join a computation")
	}
	s.log.Debug("asked to join a computation", "by", who.server)
	s.poke()
	return struct{}{}, nil
}
