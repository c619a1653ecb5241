package committee

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	stdnet "net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/canon"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/tcp"
	"github.com/cohortmpc/cohort/ops"
)

// Run waits until submissions close (the deadline on this server's clock,
// or the quorum), then computes with the other servers until there is an
// outcome: it tries again after every failure that another attempt may
// mend (a server that is down or went away), and records the outcome in
// the store once there is one — the results, or why the computation is
// refused for good (fewer organisations than the minimum, a configuration
// that does not fit them, a check that failed without naming an
// organisation). With an outcome, it keeps joining the computations that
// other servers start (one that crashed before it stored its own), and
// returns when ctx ends.
func (s *Server) Run(ctx context.Context) error {
	if err := s.waitClosed(ctx); err != nil {
		return err
	}
	for first := true; s.Outcome() == nil; first = false {
		// The others compute at the deadline anyway; ask them only when
		// a computation began before (this server restarted during or
		// after it: the others may have their outcome) or failed.
		if set, err := s.store.agreedSet(); !first || (err == nil && set != nil) {
			s.askToJoin(ctx)
		}
		err := s.compute(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			continue
		}
		s.log.Warn("computation failed; trying again", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-time.After(s.opt.Retry):
		}
	}
	// Requests to join that came while this server computed were for
	// that computation; a server that still lacks an outcome asks again.
	select {
	case <-s.wake:
	default:
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
			s.log.Info("another server asked to compute again; joining")
			if err := s.compute(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("joined computation failed", "err", err)
			}
		}
	}
}

// waitClosed returns once submissions are closed, closing them at the
// deadline.
func (s *Server) waitClosed(ctx context.Context) error {
	for {
		st, err := s.store.State()
		if err != nil {
			return err
		}
		if st.Closed != nil || st.Outcome != nil {
			return nil
		}
		now := s.opt.Now()
		if !now.Before(s.c.Deadline) {
			if err := s.store.closeSubmissions(s.c.Deadline, "deadline"); err != nil {
				return err
			}
			s.log.Info("deadline reached: submissions closed", "submissions", st.Submissions)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-time.After(min(s.opt.Poll, s.c.Deadline.Sub(now))):
		}
	}
}

// askToJoin asks every other server, in the background, to take part in
// a computation: one that already has its outcome would otherwise not.
func (s *Server) askToJoin(ctx context.Context) {
	for _, p := range s.c.Servers {
		if p.ID == s.id {
			continue
		}
		go func() {
			cl := newHTTPClient(s.c, p, s.cert, 10*time.Second)
			defer cl.CloseIdleConnections()
			if err := do(ctx, cl, p, "POST", PathJoin, nil, nil); err != nil {
				s.log.Debug("asking a server to join failed", "peer", p.ID, "err", err)
			}
		}()
	}
}

// meshFrame is the largest message between servers: the list of the
// organisations a server holds, which grows with their number (the
// computation splits its own messages below the default limit).
func (s *Server) meshFrame() int {
	n := len(s.c.Organisations)
	return max(tcp.DefaultMaxFrame, n*setEntrySize+1<<16)
}

const setEntrySize = 20

// compute makes one attempt at the computation. It returns nil once there
// is an outcome (stored), and an error when another attempt may succeed.
func (s *Server) compute(ctx context.Context) error {
	s.attempt.Lock()
	defer s.attempt.Unlock()
	s.mu.Lock()
	s.attempts++
	s.mu.Unlock()
	err := s.computeOnce(ctx)
	s.mu.Lock()
	s.lastError = ""
	if err != nil {
		s.lastError = err.Error()
	}
	s.mu.Unlock()
	return err
}

func (s *Server) computeOnce(ctx context.Context) error {
	st, err := s.store.State()
	if err != nil {
		return err
	}
	agreed, err := s.store.agreedSet()
	if err != nil {
		return err
	}
	subs, err := s.store.Submissions()
	if err != nil {
		return err
	}
	byOrg := make(map[int]Submission, len(subs))
	for _, sub := range subs {
		i, ok := s.c.orgIndex[sub.Org]
		if !ok {
			return fmt.Errorf("committee: the store holds a submission of %q, which the campaign does not list", sub.Org)
		}
		byOrg[i] = sub
	}
	// What this server brings: the agreed set once there is one, else
	// every submission it holds but those that failed their verification.
	mine := agreed
	if mine == nil {
		for i, sub := range byOrg {
			if _, bad := st.Excluded[sub.Org]; !bad {
				mine = append(mine, setEntry{Org: i, ID: sub.ID})
			}
		}
		slices.SortFunc(mine, func(a, b setEntry) int { return a.Org - b.Org })
	}

	tr, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer tr.Close()
	start := time.Now()
	mt := cnet.NewMetered(tr)
	lists, err := exchange(ctx, mt, append([]byte("list"), encodeSet(mine)...))
	if err != nil {
		return fmt.Errorf("committee: server %d: exchanging the organisation lists: %w", s.id, err)
	}
	sets := make([][]setEntry, len(lists))
	for j, l := range lists {
		if j+1 == s.id {
			sets[j] = mine
			continue
		}
		if !bytes.HasPrefix(l, []byte("list")) {
			return fmt.Errorf("committee: server %d: server %d sent no organisation list", s.id, j+1)
		}
		if sets[j], err = decodeSet(l[4:]); err != nil {
			return fmt.Errorf("committee: server %d: server %d's organisation list: %w", s.id, j+1, err)
		}
	}
	set := intersect(sets)
	for _, e := range set {
		if e.Org < 0 || e.Org >= len(s.c.Organisations) {
			return fmt.Errorf("committee: server %d: an organisation list names organisation %d of %d", s.id, e.Org, len(s.c.Organisations))
		}
	}
	if agreed != nil && !slices.Equal(set, agreed) {
		return fmt.Errorf("committee: server %d: %s", s.id, s.missing(agreed, sets))
	}
	setHash := s.setHash(set)
	hashes, err := exchange(ctx, mt, setHash[:])
	if err != nil {
		return fmt.Errorf("committee: server %d: comparing the organisation sets: %w", s.id, err)
	}
	for j, h := range hashes {
		if j+1 != s.id && !bytes.Equal(h, setHash[:]) {
			return fmt.Errorf("committee: server %d: server %d computed another organisation set (hash %x, here %x)", s.id, j+1, h, setHash)
		}
	}
	if agreed == nil {
		if err := s.store.pin(set, nil); err != nil {
			return err
		}
	}
	s.log.Info("organisation set agreed", "organisations", len(set), "held", len(byOrg), "set_hash", hex.EncodeToString(setHash[:8]))

	cfg := s.c.Assess
	cfg.Progress = s.opt.Progress
	if _, err := cfg.Resolve(len(set)); err != nil {
		// Every server reaches the same conclusion from the same set.
		msg := err.Error()
		if errors.Is(err, assess.ErrTooFewParties) {
			msg = fmt.Sprintf("committee: only %d organisations reached every server (this server holds %d submissions); the campaign's minimum group is %d: no computation (%v)",
				len(set), len(byOrg), max(cfg.MinParties, assess.DefaultMinParties), err)
		}
		return s.finish(&Outcome{State: StateFailed, Error: msg, At: s.opt.Now().UTC()})
	}
	orgs := make([]assess.Submitted, len(set))
	for i, e := range set {
		sub := byOrg[e.Org]
		if sub.ID != e.ID {
			return fmt.Errorf("committee: server %d: the store's submission of %s is not the one in the agreed set", s.id, sub.Org)
		}
		orgs[i] = assess.Submitted{Org: sub.Org, Shares: sub.Shares}
	}
	s.log.Info("computing", "organisations", len(orgs))
	seed, err := s.store.noiseSeed()
	if err != nil {
		return err
	}
	noise := field.NewPRG(seed, []byte("cohort/committee/noise"), setHash[:])
	res, err := assess.RunCommittee(ctx, assess.Server{ID: s.id, Transport: mt, Noise: noise}, orgs, setHash, cfg)
	if err != nil {
		var ce *assess.CommitteeError
		switch {
		case errors.As(err, &ce):
			// The verification of the inputs comes before anything that
			// depends on them is opened: computing again without the
			// organisation reveals nothing twice.
			return s.exclude(set, ce)
		case errors.Is(err, ops.ErrCheck):
			return s.finish(&Outcome{State: StateFailed, At: s.opt.Now().UTC(),
				Error: fmt.Sprintf("committee: a check of the computation failed, and it names no organisation: a server or an organisation deviated; the operators must find out which (%v)", err)})
		case errors.Is(err, assess.ErrConfig):
			return s.finish(&Outcome{State: StateFailed, Error: err.Error(), At: s.opt.Now().UTC()})
		}
		return s.explain(ctx, err)
	}
	stats := mt.Stats()
	return s.finish(&Outcome{
		State: StateDone, At: s.opt.Now().UTC(),
		Result: resultOf(res, setHash),
		Cost:   &Cost{Seconds: time.Since(start).Seconds(), BytesSent: stats.BytesSent, Rounds: res.Cost.Rounds},
	})
}

// explain adds to the error of a failed computation which servers no
// longer answer: a server that went down makes the others fail in ways
// that may name another (one that stopped because of it, and closed its
// connections), but only the one that is down does not answer.
func (s *Server) explain(ctx context.Context, err error) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	down := make([]bool, len(s.c.Servers))
	var wg sync.WaitGroup
	for j, p := range s.c.Servers {
		if p.ID == s.id {
			continue
		}
		wg.Go(func() {
			cl := newHTTPClient(s.c, p, s.cert, 3*time.Second)
			defer cl.CloseIdleConnections()
			_, e := doOnce(ctx, cl, p, "GET", PathStatus, nil, nil)
			down[j] = e != nil
		})
	}
	wg.Wait()
	var parts []string
	for j, d := range down {
		if d {
			p := s.c.Servers[j]
			parts = append(parts, fmt.Sprintf("server %d (%s) does not answer", p.ID, p.API))
		}
	}
	if len(parts) == 0 {
		return fmt.Errorf("committee: server %d: the computation failed: %w", s.id, err)
	}
	return fmt.Errorf("committee: server %d: the computation failed; %s: %w", s.id, strings.Join(parts, ", "), err)
}

// finish stores an outcome; a server that already has one (it joined
// another server's computation) keeps it and checks that the new one
// agrees.
func (s *Server) finish(o *Outcome) error {
	if prev := s.Outcome(); prev != nil {
		if prev.State != o.State || (prev.Result != nil && o.Result != nil && *prev.Result != *o.Result) {
			s.log.Error("a computation run again gave another outcome; the stored one stays", "stored", prev, "new", o)
			return errors.New("committee: a computation run again gave another outcome")
		}
		return nil
	}
	if err := s.store.saveOutcome(o); err != nil {
		return err
	}
	s.setOutcome(o)
	if o.State == StateDone {
		s.log.Info("results", "organisations", o.Result.Organisations, "sum", o.Result.Sum, "at_or_above", o.Result.AtOrAbove,
			"alert", o.Result.Alert, "max", o.Result.Max, "seconds", o.Cost.Seconds, "bytes_sent", o.Cost.BytesSent)
	} else {
		s.log.Error("computation refused", "err", o.Error)
	}
	return nil
}

// exclude drops an organisation whose submission failed its verification
// from the agreed set, so that the next attempt runs without it.
func (s *Server) exclude(set []setEntry, ce *assess.CommitteeError) error {
	i, ok := s.c.orgIndex[ce.Org]
	if !ok {
		return ce
	}
	rest := slices.DeleteFunc(slices.Clone(set), func(e setEntry) bool { return e.Org == i })
	if err := s.store.pin(rest, map[string]string{ce.Org: ce.Error()}); err != nil {
		return err
	}
	s.log.Warn("organisation excluded: its submission failed its verification", "org", ce.Org, "err", ce.Err)
	s.poke() // the next attempt need not wait
	return fmt.Errorf("committee: organisation %s excluded (its submission failed its verification); computing again without it: %w", ce.Org, ce)
}

func resultOf(r assess.Result, setHash [32]byte) *Result {
	return &Result{
		Organisations: r.Organisations, Servers: r.ComputeParties, Corruptible: r.Corruptible,
		Threshold: r.Threshold, AlertLevel: r.AlertLevel, Field: string(r.Field), Security: r.Security.String(),
		Sum: r.Sum, Average: r.Average, AtOrAbove: r.AtOrAbove, Alert: r.Alert, Max: r.Max,
		SetHash: hex.EncodeToString(setHash[:]),
	}
}

// connect connects this server to the others.
func (s *Server) connect(ctx context.Context) (*tcp.Transport, error) {
	peers := make([]tcp.Peer, len(s.c.Servers))
	for i, p := range s.c.Servers {
		peers[i] = tcp.Peer{ID: p.ID, Addr: p.Mesh, Fingerprint: p.Fingerprint}
	}
	frame := s.meshFrame()
	cfg := tcp.Config{
		ID:          s.id,
		Peers:       peers,
		Certificate: s.cert,
		SessionHash: s.c.Hash(),
		DialTimeout: s.c.ConnectTimeout,
		Timeout:     min(s.c.Assess.Timeout, tcp.DefaultTimeout),
		MaxFrame:    frame,
		MaxQueued:   max(tcp.DefaultMaxQueued, 4*frame),
		Logger:      s.log,
	}
	if s.opt.ListenMesh != "" && s.id > 1 {
		var lc stdnet.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", s.opt.ListenMesh)
		if err != nil {
			return nil, fmt.Errorf("committee: server %d: %w", s.id, err)
		}
		cfg.Listener = ln
	}
	tr, err := tcp.Connect(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("committee: server %d: connecting to the other servers: %w", s.id, err)
	}
	return tr, nil
}

// exchange sends msg to every other server and returns what each sent,
// indexed by server id − 1 (this server's entry is msg).
func exchange(ctx context.Context, tr cnet.Transport, msg []byte) ([][]byte, error) {
	m := tr.N()
	for j := 1; j <= m; j++ {
		if j != tr.ID() {
			if err := tr.Send(ctx, j, slices.Clone(msg)); err != nil {
				return nil, err
			}
		}
	}
	out := make([][]byte, m)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for j := 1; j <= m; j++ {
		if j == tr.ID() {
			out[j-1] = msg
			continue
		}
		wg.Go(func() {
			b, err := tr.Recv(ctx, j)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			out[j-1] = b
		})
	}
	wg.Wait()
	return out, first
}

// intersect returns the entries (organisation and submission) that every
// list has, sorted by organisation. Each list has at most one entry per
// organisation ([decodeSet] refuses others), so the result has too.
func intersect(lists [][]setEntry) []setEntry {
	in := make(map[setEntry]bool, len(lists[0]))
	for _, e := range lists[0] {
		in[e] = true
	}
	for _, l := range lists[1:] {
		next := make(map[setEntry]bool, len(in))
		for _, e := range l {
			if in[e] {
				next[e] = true
			}
		}
		in = next
	}
	out := make([]setEntry, 0, len(in))
	for e := range in {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b setEntry) int { return a.Org - b.Org })
	return out
}

// missing explains how the other servers' lists differ from the agreed
// set.
func (s *Server) missing(agreed []setEntry, sets [][]setEntry) string {
	var parts []string
	for j, l := range sets {
		have := make(map[setEntry]bool, len(l))
		for _, e := range l {
			have[e] = true
		}
		var lack []string
		for _, e := range agreed {
			if !have[e] {
				lack = append(lack, s.c.Organisations[e.Org].ID)
			}
		}
		if len(lack) > 0 {
			if len(lack) > 5 {
				lack = append(lack[:5], fmt.Sprintf("and %d more", len(lack)-5))
			}
			parts = append(parts, fmt.Sprintf("server %d lacks %s", j+1, strings.Join(lack, ", ")))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "the lists hold organisations beyond it")
	}
	return "the servers agreed on a set of organisations earlier and must compute on it again, but " + strings.Join(parts, "; ")
}

// setHash digests the set of organisations and submissions, bound to the
// campaign.
func (s *Server) setHash(set []setEntry) [32]byte {
	h := canon.New("cohort/committee/set/v1")
	ch := s.c.Hash()
	h.Bytes(ch[:])
	h.Int(int64(len(set)))
	for _, e := range set {
		h.String(s.c.Organisations[e.Org].ID)
		h.Bytes(e.ID[:])
	}
	return h.Sum()
}
