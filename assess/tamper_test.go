package assess_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/inputs"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// The tampering harness: one corrupt party alters one message of a full
// assessment, at every step of the run, in one of several ways, and the
// honest parties' outcomes are classified.

type tamperKind int

const (
	tamperAddOne  tamperKind = iota // add 1 to one element
	tamperAddRand                   // add a random non-zero element
	tamperDrop                      // do not send the message
	tamperDup                       // send the message twice
	tamperKinds
)

func (k tamperKind) String() string {
	return [...]string{"add 1", "add random", "drop", "duplicate"}[k]
}

// tamperer is the corrupt party's transport: it alters the first message it
// sends in step step to peer to (the frame header carries the step).
type tamperer struct {
	cnet.Transport
	step uint32
	to   int
	kind tamperKind
	rnd  *rand.Rand

	mu   sync.Mutex
	done bool
	// sent, when not nil, records the peers sent to in each step (the
	// untampered survey).
	sent map[uint32][]int
}

func (t *tamperer) Send(ctx context.Context, to int, msg []byte) error {
	if len(msg) < ops.FrameHeader {
		return t.Transport.Send(ctx, to, msg)
	}
	step := uint32(msg[0]) // the step tag: the step modulo 255
	t.mu.Lock()
	if t.sent != nil && step != 0xFF {
		t.sent[step] = append(t.sent[step], to)
	}
	hit := !t.done && step == t.step && to == t.to
	if hit {
		t.done = true
	}
	t.mu.Unlock()
	if !hit {
		return t.Transport.Send(ctx, to, msg)
	}
	switch t.kind {
	case tamperDrop:
		return nil
	case tamperDup:
		if err := t.Transport.Send(ctx, to, append([]byte(nil), msg...)); err != nil {
			return err
		}
		return t.Transport.Send(ctx, to, msg)
	}
	f := field.F61{}
	body := msg[ops.FrameHeader:]
	if len(body) < 8 || step == 0 {
		// The hello: change its configuration digest if it carries one
		// (a seed is the sender's to choose, so changing it is no
		// deviation).
		msg = append([]byte(nil), msg...)
		msg[ops.FrameHeader] ^= 1
		return t.Transport.Send(ctx, to, msg)
	}
	e := t.rnd.IntN(len(body) / 8)
	var v [1]field.M61
	if err := f.Decode(v[:], body[8*e:8*e+8]); err != nil {
		return err
	}
	d := f.One()
	if t.kind == tamperAddRand {
		d = f.FromUint64(1 + t.rnd.Uint64N(field.P61-1))
	}
	v[0] = f.Add(v[0], d)
	msg = append([]byte(nil), msg...)
	copy(msg[ops.FrameHeader+8*e:], f.AppendEncode(nil, v[:]))
	return t.Transport.Send(ctx, to, msg)
}

// recorder is a transport that keeps what is sent.
type recorder struct {
	cnet.Transport
	msgs [][]byte
}

func (r *recorder) Send(_ context.Context, _ int, msg []byte) error {
	r.msgs = append(r.msgs, msg)
	return nil
}

// The tamperer alters what it says: one element of the body, by 1 or by a
// random non-zero value, and nothing else; or drops or duplicates the
// message; and only the first message of its step to its peer.
func TestTampererAltersOneElement(t *testing.T) {
	f := field.F61{}
	elems := []field.M61{f.FromUint64(5), f.FromUint64(field.P61 - 1), f.FromUint64(1 << 40)}
	msg := append([]byte{7}, f.AppendEncode(nil, elems)...)
	require.Len(t, msg, ops.FrameHeader+8*len(elems))
	for _, kind := range []tamperKind{tamperAddOne, tamperAddRand} {
		for seed := range uint64(20) {
			rec := &recorder{}
			tp := &tamperer{Transport: rec, step: 7, to: 2, kind: kind, rnd: rand.New(rand.NewPCG(seed, 1))}
			require.NoError(t, tp.Send(context.Background(), 3, msg)) // another peer: untouched
			require.NoError(t, tp.Send(context.Background(), 2, msg))
			require.NoError(t, tp.Send(context.Background(), 2, msg)) // tampered once only
			require.Len(t, rec.msgs, 3)
			require.Equal(t, msg, rec.msgs[0])
			require.Equal(t, msg, rec.msgs[2])
			got := rec.msgs[1]
			require.Equal(t, msg[:ops.FrameHeader], got[:ops.FrameHeader], "the step tag")
			require.Len(t, got, len(msg))
			dec := make([]field.M61, len(elems))
			require.NoError(t, f.Decode(dec, got[ops.FrameHeader:]))
			changed := 0
			for i := range elems {
				if d := f.Sub(dec[i], elems[i]); d != f.Zero() {
					changed++
					if kind == tamperAddOne {
						require.Equal(t, f.One(), d, "element %d", i)
					}
				}
			}
			require.Equal(t, 1, changed, "%v, seed %d", kind, seed)
		}
	}
	rec := &recorder{}
	tp := &tamperer{Transport: rec, step: 7, to: 2, kind: tamperDrop}
	require.NoError(t, tp.Send(context.Background(), 2, msg))
	require.Empty(t, rec.msgs)
	rec = &recorder{}
	tp = &tamperer{Transport: rec, step: 7, to: 2, kind: tamperDup}
	require.NoError(t, tp.Send(context.Background(), 2, msg))
	require.Equal(t, [][]byte{msg, msg}, rec.msgs)
}

// outcome of one tampered run, from the honest parties' side.
type outcome int

const (
	outAborted    outcome = iota // every honest party failed
	outSplit                     // some failed, the others output the right result
	outUnaffected                // every honest party output the right result
	outWrong                     // some honest party output a wrong result
)

func (o outcome) String() string {
	return [...]string{"every honest party aborted", "some aborted, the others output the right result", "unaffected: the right result", "WRONG result"}[o]
}

// party runs party i (0-based) of a tampered run over tr.
type party func(i int, tr cnet.Transport, cfg assess.Config) (assess.Result, error)

// allParty runs organisation i of an all-party assessment of in.
func allParty(in []assess.Input) party {
	return func(i int, tr cnet.Transport, cfg assess.Config) (assess.Result, error) {
		return assess.Run(context.Background(), []assess.Party{{ID: i + 1, Input: in[i], Transport: tr}}, cfg)
	}
}

// tamperRun runs n parties with the transports of those in tps (by id)
// wrapped, and classifies the outcome for the parties other than bad.
func tamperRun(t *testing.T, n int, run party, cfg assess.Config, want assess.Result, bad int, tps map[int]*tamperer) (outcome, []error) {
	t.Helper()
	trs, err := cnet.NewMesh(n)
	require.NoError(t, err)
	res := make([]assess.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		tr := trs[i]
		if tp := tps[i+1]; tp != nil {
			tp.Transport = tr
			tr = tp
		}
		wg.Go(func() {
			defer tr.Close() // a party that stops unblocks those waiting for it
			res[i], errs[i] = run(i, tr, cfg)
		})
	}
	wg.Wait()
	failed, right, wrong := 0, 0, 0
	for i := range n {
		switch {
		case i+1 == bad:
		case errs[i] != nil:
			failed++
		case res[i].Sum == want.Sum && res[i].AtOrAbove == want.AtOrAbove && res[i].Max == want.Max:
			right++
		default:
			wrong++
		}
	}
	switch {
	case wrong > 0:
		return outWrong, errs
	case right == 0:
		return outAborted, errs
	case failed == 0:
		return outUnaffected, errs
	}
	return outSplit, errs
}

// tamperNote describes a tampered run.
type tamperNote struct {
	step        uint32
	last        bool // the run's last step
	corrupt, to int
	kind        tamperKind
	outcome     outcome
	errs        []error
}

func (n tamperNote) String() string {
	return fmt.Sprintf("step %d, party %d → %d, %v: %v (%v)", n.step, n.corrupt, n.to, n.kind, n.outcome, n.errs)
}

// requireCaught asserts that no honest party output a wrong result and
// that every tampering was noticed, but for a duplicate of the very last
// message, which no one reads.
func requireCaught(t *testing.T, table tamperTable, notable []tamperNote) {
	t.Helper()
	require.Empty(t, table[outWrong], "wrong results: %v", notable)
	for _, n := range notable {
		if n.outcome == outUnaffected && !(n.kind == tamperDup && n.last) {
			t.Fatalf("tampering that went unnoticed: %v", n)
		}
	}
}

// tamperTable is the count of runs by outcome and kind.
type tamperTable map[outcome]map[tamperKind]int

// tamperAll tampers with an all-party assessment of n organisations (see
// tamperSteps).
func tamperAll(t *testing.T, n int, cfg assess.Config, every bool) (tamperTable, []tamperNote) {
	t.Helper()
	in, err := inputs.Generate(n, "mixed", int64(n))
	require.NoError(t, err)
	want, err := assess.Expected(in, cfg)
	require.NoError(t, err)
	return tamperSteps(t, n, allParty(in), cfg, want, every)
}

// tamperSteps tampers with a run of n parties at every step, by a party
// that sends in that step to one of its recipients (both rotating as the
// steps go), with the kinds given (all of them at every step when every
// is true, else one per step in turn). It returns the count of runs by
// outcome, and a line for each run that did not end with every honest
// party stopped.
func tamperSteps(t *testing.T, n int, run party, cfg assess.Config, want assess.Result, every bool) (tamperTable, []tamperNote) {
	t.Helper()
	// Survey: who sends to whom in each step.
	survey := map[int]*tamperer{}
	for id := 1; id <= n; id++ {
		survey[id] = &tamperer{step: ^uint32(0), sent: map[uint32][]int{}}
	}
	o, errs := tamperRun(t, n, run, cfg, want, 0, survey)
	require.Equal(t, outUnaffected, o, "untampered run: %v", errs)
	// Frames carry the step modulo 255: the harness tells steps apart by
	// it, which takes runs shorter than that.
	require.Less(t, len(survey[1].sent), 255, "a run of more than 254 steps")
	var steps uint32
	for _, tp := range survey {
		for step := range tp.sent {
			steps = max(steps, step)
		}
	}
	table := tamperTable{}
	var notable []tamperNote // the runs not aborted by every honest party
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for step := uint32(0); step <= steps; step++ {
		// A party that sends in this step, and one of its recipients, in
		// turn as the steps go.
		var senders []int
		for id := 1; id <= n; id++ {
			if len(survey[id].sent[step]) > 0 {
				senders = append(senders, id)
			}
		}
		if len(senders) == 0 {
			continue
		}
		corrupt := senders[int(step)%len(senders)]
		peers := survey[corrupt].sent[step]
		to := peers[int(step/uint32(len(senders)))%len(peers)]
		kinds := []tamperKind{tamperKind(step % uint32(tamperKinds))}
		if every {
			kinds = []tamperKind{tamperAddOne, tamperAddRand, tamperDrop, tamperDup}
		}
		for _, k := range kinds {
			tp := &tamperer{step: step, to: to, kind: k, rnd: rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))}
			c := cfg
			if k == tamperDrop {
				// A dropped message leaves its receiver waiting (and often
				// the sender too, for the reply): the deadline ends it.
				c.Timeout = 400 * time.Millisecond
			}
			o, errs := tamperRun(t, n, run, c, want, corrupt, map[int]*tamperer{corrupt: tp})
			require.True(t, tp.done, "step %d: party %d sent nothing to party %d", step, corrupt, to)
			if table[o] == nil {
				table[o] = map[tamperKind]int{}
			}
			table[o][k]++
			if o != outAborted {
				notable = append(notable, tamperNote{step: step, last: step == steps, corrupt: corrupt, to: to, kind: k, outcome: o, errs: errs})
			}
		}
	}
	return table, notable
}

func (tt tamperTable) String() string {
	var b strings.Builder
	b.WriteString("| outcome | add 1 | add random | drop | duplicate | total |\n|---|---|---|---|---|---|\n")
	for o := outAborted; o <= outWrong; o++ {
		total := 0
		fmt.Fprintf(&b, "| %v |", o)
		for k := range tamperKinds {
			fmt.Fprintf(&b, " %d |", tt[o][k])
			total += tt[o][k]
		}
		fmt.Fprintf(&b, " %d |\n", total)
	}
	return b.String()
}

// TestTamperingIsCaught is the acceptance of the malicious mode: for every
// step of a full run, one party tampers with one message (the kinds in
// turn), and no honest party ever outputs a wrong result.
func TestTamperingIsCaught(t *testing.T) {
	ns := []int{5, 8}
	if testing.Short() {
		ns = []int{5}
	}
	for _, n := range ns {
		for _, generic := range []bool{false, true} {
			if generic && n > 5 {
				continue // the tournament's run is long; the full harness covers it
			}
			t.Run(fmt.Sprintf("n=%d/generic=%v", n, generic), func(t *testing.T) {
				t.Parallel() // much of a run with a dropped message is waiting
				cfg := assess.Config{Security: assess.Malicious, ThresholdUnderMPC: generic, Timeout: 20 * time.Second}
				table, notable := tamperAll(t, n, cfg, false)
				t.Logf("\n%v", table)
				requireCaught(t, table, notable)
			})
		}
	}
}

// tamperCommittee tampers with a committee computation: m servers holding
// the submissions of n organisations (see tamperSteps).
func tamperCommittee(t *testing.T, n, m int, cfg assess.Config, every bool) (tamperTable, []tamperNote) {
	t.Helper()
	in, err := inputs.Generate(n, "mixed", int64(n))
	require.NoError(t, err)
	want, err := assess.Expected(in, cfg)
	require.NoError(t, err)
	per := submitAll(t, in, m, cfg)
	server := func(j int, tr cnet.Transport, cfg assess.Config) (assess.Result, error) {
		return assess.RunCommittee(context.Background(), assess.Server{ID: j + 1, Transport: tr}, per[j], [32]byte{1}, cfg)
	}
	return tamperSteps(t, m, server, cfg, want, every)
}

// In committee mode one server of m = 3 or 4 (t = 1; campaign files take
// an odd m, the library either) tampers with one message at every step of
// the servers' computation, the kinds in turn: no honest server outputs a
// wrong result, and none misses the tampering.
func TestCommitteeTamperingIsCaught(t *testing.T) {
	for _, m := range []int{3, 4} {
		t.Run(fmt.Sprintf("m=%d", m), func(t *testing.T) {
			t.Parallel()
			cfg := assess.Config{Security: assess.Malicious, Timeout: 20 * time.Second}
			table, notable := tamperCommittee(t, 12, m, cfg, false)
			t.Logf("\n%v", table)
			requireCaught(t, table, notable)
		})
	}
}

// printTable prints a full table under its title; in malicious mode it
// also lists the runs not aborted by every honest party and requires that
// the tampering was caught.
func printTable(t *testing.T, title string, sec assess.Security, table tamperTable, notable []tamperNote) {
	t.Helper()
	fmt.Printf("\n%s\n\n%v", title, table)
	if sec == assess.Malicious {
		for _, n := range notable {
			fmt.Println("  ", n)
		}
		requireCaught(t, table, notable)
	}
}

// TestTamperingFullTable runs every kind at every step for n = 5, 7, 8,
// both paths and both security models, and prints the tables (set
// COHORT_TAMPER_FULL=1; it takes minutes).
func TestTamperingFullTable(t *testing.T) {
	if os.Getenv("COHORT_TAMPER_FULL") == "" {
		t.Skip("set COHORT_TAMPER_FULL=1 for the full tampering table")
	}
	for _, sec := range []assess.Security{assess.SemiHonest, assess.Malicious} {
		for _, n := range []int{5, 7, 8} {
			for _, generic := range []bool{false, true} {
				cfg := assess.Config{Security: sec, ThresholdUnderMPC: generic, Timeout: 20 * time.Second}
				table, notable := tamperAll(t, n, cfg, true)
				printTable(t, fmt.Sprintf("%v, n = %d, generic = %v", sec, n, generic), sec, table, notable)
			}
		}
	}
}

// TestCommitteeTamperingFullTable is the same for committee mode: m = 3, 4
// and 5 servers, 12 organisations, both security models (set
// COHORT_TAMPER_FULL=1).
func TestCommitteeTamperingFullTable(t *testing.T) {
	if os.Getenv("COHORT_TAMPER_FULL") == "" {
		t.Skip("set COHORT_TAMPER_FULL=1 for the full tampering table")
	}
	for _, sec := range []assess.Security{assess.SemiHonest, assess.Malicious} {
		for _, m := range []int{3, 4, 5} {
			cfg := assess.Config{Security: sec, Timeout: 20 * time.Second}
			table, notable := tamperCommittee(t, 12, m, cfg, true)
			printTable(t, fmt.Sprintf("%v, committee of m = %d servers, 12 organisations", sec, m), sec, table, notable)
		}
	}
}
