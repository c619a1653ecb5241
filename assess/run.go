package assess

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// Run runs the assessment for the parties given, which share one transport
// mesh: all n parties in one process (in-memory transports from
// [cnet.NewMesh]), or only the local party (or parties) of a deployment
// whose other parties run elsewhere (TCP transports). n is the transports'
// N(). Every local party ends with the same Result; Run returns it.
//
// Run validates everything it can before it sends anything: the parties
// (ids unique, in 1..n, matching their transports), the configuration
// (see [Config]) and each local party's input against the public bounds.
// Then it checks that every party has the same public configuration; a
// party with a different one makes all fail. When a party fails, every
// local party stops, and the error names the party and step at fault.
// Run does not close the transports.
func Run(ctx context.Context, parties []Party, cfg Config) (Result, error) {
	n, err := checkParties(parties)
	if err != nil {
		return Result{}, err
	}
	rc, err := cfg.Resolve(n)
	if err != nil {
		return Result{}, err
	}
	for _, p := range parties {
		if err := rc.CheckInput(p.ID, p.Input); err != nil {
			return Result{}, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, rc.Timeout)
	defer cancel()
	start := time.Now()
	results := make([]Result, len(parties))
	errs := make([]error, len(parties))
	var wg sync.WaitGroup
	for i, p := range parties {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pc := rc
			if i > 0 {
				pc.Progress = nil // one report for the whole process
			}
			switch {
			case rc.Field == FieldM127 && rc.Security == Malicious:
				results[i], errs[i] = runMalicious(ctx, field.F127{}, p, pc)
			case rc.Field == FieldM127:
				results[i], errs[i] = runParty(ctx, field.F127{}, p, pc)
			case rc.Security == Malicious:
				results[i], errs[i] = runMalicious(ctx, field.F61{}, p, pc)
			default:
				results[i], errs[i] = runParty(ctx, field.F61{}, p, pc)
			}
			if errs[i] != nil {
				cancel() // the other local parties cannot finish without this one
			}
		}()
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return Result{}, err
	}
	res := results[0]
	res.Cost = Cost{Elapsed: time.Since(start)}
	for i, r := range results {
		if r.Sum != res.Sum || r.AtOrAbove != res.AtOrAbove || r.Max != res.Max {
			return Result{}, fmt.Errorf("assess: parties %d and %d computed different results", parties[0].ID, parties[i].ID)
		}
		st := r.Cost.PerParty[0]
		res.Cost.PerParty = append(res.Cost.PerParty, st)
		res.Cost.BytesSent += st.BytesSent
		res.Cost.Messages += st.MsgsSent
		res.Cost.BytesPerPartyMax = max(res.Cost.BytesPerPartyMax, st.BytesSent)
		res.Cost.Rounds = max(res.Cost.Rounds, st.Rounds)
	}
	return res, nil
}

// Simulate runs the assessment with all parties in this process over an
// in-memory mesh: inputs[i] is organisation i+1's input.
func Simulate(ctx context.Context, inputs []Input, cfg Config) (Result, error) {
	n := len(inputs)
	if _, err := cfg.Resolve(n); err != nil {
		return Result{}, err
	}
	trs, err := cnet.NewMesh(n)
	if err != nil {
		return Result{}, fmt.Errorf("assess: %w", err)
	}
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	parties := make([]Party, n)
	for i, in := range inputs {
		parties[i] = Party{ID: i + 1, Input: in, Transport: trs[i]}
	}
	return Run(ctx, parties, cfg)
}

// checkParties validates the local parties and returns n.
func checkParties(parties []Party) (int, error) {
	if len(parties) == 0 {
		return 0, fmt.Errorf("%w: no parties", ErrConfig)
	}
	var n int
	seen := make(map[int]bool)
	for i, p := range parties {
		if p.Transport == nil {
			return 0, fmt.Errorf("%w: party %d has no transport", ErrConfig, p.ID)
		}
		if i == 0 {
			n = p.Transport.N()
		}
		switch {
		case p.Transport.N() != n:
			return 0, fmt.Errorf("%w: party %d's transport connects %d parties, party %d's %d",
				ErrConfig, p.ID, p.Transport.N(), parties[0].ID, n)
		case p.ID < 1 || p.ID > n:
			return 0, fmt.Errorf("%w: party id %d outside 1..%d", ErrConfig, p.ID, n)
		case seen[p.ID]:
			return 0, fmt.Errorf("%w: party id %d appears twice", ErrConfig, p.ID)
		case p.Transport.ID() != p.ID:
			return 0, fmt.Errorf("%w: party %d has the transport of party %d", ErrConfig, p.ID, p.Transport.ID())
		}
		seen[p.ID] = true
	}
	return n, nil
}

// firstError returns the most telling error: one that is not merely the
// consequence of another local party's failure.
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// runParty is one party's side of the assessment (DESIGN §8).
func runParty[E any](ctx context.Context, f field.Field[E], p Party, cfg Resolved) (Result, error) {
	progress := func(phase string, done, total int) {
		if cfg.Progress != nil {
			cfg.Progress(phase, done, total)
		}
	}
	fail := func(step string, err error) (Result, error) {
		return Result{}, fmt.Errorf("assess: party %d: %s: %w", p.ID, step, err)
	}
	progress("setup", 0, 1)
	s, err := ops.NewSession(ctx, f, p.Transport, ops.Options{
		SessionID:  cfg.SessionID,
		ConfigHash: cfg.Hash(),
		Progress: func(op string, done, total int) {
			progress("maximum", done, total)
		},
	})
	if err != nil {
		return fail("setup", err)
	}
	n := cfg.N
	generic := cfg.ThresholdUnderMPC
	// Scores are shared shifted by the lowest possible score, so that every
	// shared value, sum included, stays small whatever the bounds; the
	// shift is added back to the opened sum and maximum in the clear.
	sb, tb := cfg.scoreBound(), cfg.thresholdBound()

	// Preprocessing: everything the comparisons and multiplications need,
	// and the re-randomisation of the final opening (the maximum has
	// degree 2T).
	progress("preprocessing", 0, 1)
	need := ops.NeedsMax(n, sb).Add(ops.NeedsOpen(3))
	if generic {
		need = ops.NeedsMaxAndLTZ(n, sb, n, tb).Add(ops.NeedsOpen(3))
	}
	if err := s.Prepare(ctx, need); err != nil {
		return fail("preprocessing", err)
	}

	// Inputs: each organisation deals its score and, on the fast path, its
	// own bit [score ≥ T] (it knows both; T is public).
	progress("inputs", 0, 1)
	sc := cfg.Score(p.Input)
	mine := []int64{sc - cfg.ScoreMin}
	if !generic {
		mine = append(mine, boolInt(sc >= int64(cfg.Threshold)))
	}
	if p.forge != nil {
		mine = p.forge(mine)
	}
	dealt, err := s.Input(ctx, toField(f, mine), len(mine))
	if err != nil {
		return fail("inputs", err)
	}
	scores := s.AsInt(ops.Column(dealt, 0), sb)

	// The maximum, and on the generic path the threshold bits, batched
	// with the tournament's first level: [score ≥ T] = 1 − [score − T < 0].
	var maxScore, bits ops.Int[E]
	if generic {
		var lt ops.Int[E]
		maxScore, lt, err = s.MaxAndLTZ(ctx, scores, scores.AddConst(cfg.ScoreMin-int64(cfg.Threshold)))
		bits = lt.Not()
	} else {
		bits = s.AsInt(ops.Column(dealt, 1), ops.Bound{Lo: 0, Hi: 1})
		maxScore, err = s.Max(ctx, scores)
	}
	if err != nil {
		return fail("maximum", err)
	}

	progress("output", 0, 1)
	// The maximum is still a degree-2t product (saving the last
	// reduction); sum and count are degree t. One re-randomised opening
	// reveals all three.
	out, err := s.Open(ctx, ops.Concat(scores.Sum().Shares(), bits.Sum().Shares(), maxScore.Shares()))
	if err != nil {
		return fail("output", err)
	}
	vals := make([]int64, len(out))
	for i, v := range out {
		if vals[i], err = f.Int64(v); err != nil {
			return fail("output", err)
		}
	}
	sum, count, mx := vals[0]+int64(n)*cfg.ScoreMin, vals[1], vals[2]+cfg.ScoreMin
	if err := checkOutputs(cfg, sum, count, mx); err != nil {
		return fail("output", err)
	}
	progress("output", 1, 1)
	return cfg.result(s.N(), s.T(), sum, count, mx, s.Stats()), nil
}

// result assembles a party's Result.
func (cfg Resolved) result(compute, t int, sum, count, mx int64, st cnet.Stats) Result {
	return Result{
		Organisations: cfg.N, ComputeParties: compute, Corruptible: t,
		Threshold: cfg.Threshold, AlertLevel: cfg.AlertLevel, Field: cfg.Field, Security: cfg.Security,
		Sum: sum, Average: float64(sum) / float64(cfg.N),
		AtOrAbove: int(count), Alert: int(count) >= cfg.AlertLevel,
		Max:  mx,
		Cost: Cost{PerParty: []cnet.Stats{st}},
	}
}

// ErrImplausible is returned when the opened outputs contradict each other
// or the public bounds, which only a deviating party can cause: the run
// stops instead of reporting them.
var ErrImplausible = errors.New("assess: implausible result")

// checkOutputs applies the sanity checks that cost nothing: the count lies
// in 0..n, the maximum within the score bounds, the sum within n times them,
// and the maximum is at least the average.
func checkOutputs(cfg Resolved, sum, count, mx int64) error {
	n := int64(cfg.N)
	switch {
	case count < 0 || count > n:
		return fmt.Errorf("%w: the count %d is outside 0..%d", ErrImplausible, count, n)
	case mx < cfg.ScoreMin || mx > cfg.ScoreMax:
		return fmt.Errorf("%w: the maximum %d is outside the possible scores %d..%d", ErrImplausible, mx, cfg.ScoreMin, cfg.ScoreMax)
	case sum < n*cfg.ScoreMin || sum > n*cfg.ScoreMax:
		return fmt.Errorf("%w: the sum %d is outside %d..%d (n times the possible scores)", ErrImplausible, sum, n*cfg.ScoreMin, n*cfg.ScoreMax)
	case mx*n < sum:
		return fmt.Errorf("%w: the maximum %d is below the average %.2f", ErrImplausible, mx, float64(sum)/float64(n))
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toField[E any](f field.Field[E], v []int64) []E {
	out := make([]E, len(v))
	for i, x := range v {
		out[i] = f.FromInt64(x)
	}
	return out
}
