package assess

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/dp"
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

// runParty is one party's side of the semi-honest all-party assessment
// (DESIGN §8, DESIGN-v2 §2): the bitwise maximum answered by owners by
// default, the tournament of secure comparisons with Config.Tournament or
// ThresholdUnderMPC.
func runParty[E any](ctx context.Context, f field.Field[E], p Party, cfg Resolved) (Result, error) {
	progress := cfg.report
	fail := func(step string, err error) (Result, error) {
		return Result{}, fmt.Errorf("assess: party %d: %s: %w", p.ID, step, err)
	}
	progress("setup", 0, 1)
	s, err := ops.NewSession(ctx, f, p.Transport, cfg.sessionOptions(cfg.Hash(), ops.SemiHonest))
	if err != nil {
		return fail("setup", err)
	}
	// Scores are shared shifted by the lowest possible score, so that every
	// shared value, sum included, stays small whatever the bounds; the
	// shift is added back to the opened sum and maximum in the clear.
	sc := cfg.Score(p.Input)
	shifted := sc - cfg.ScoreMin
	noise, err := cfg.noiseShares(s.N() - s.T())
	if err != nil {
		return fail("noise", err)
	}
	var out outputs
	if cfg.tournament() {
		out, err = runTournament(ctx, s, cfg, shifted, noise, p.forge, progress)
	} else {
		out, err = runBitwise(ctx, s, cfg, shifted, noise, p.forge, progress)
	}
	if err != nil {
		return fail(out.step, err)
	}
	if len(cfg.Ranks) > 0 {
		progress("percentiles", 0, len(cfg.Ranks))
		ranks := slices.Compact(slices.Sorted(slices.Values(cfg.Ranks)))
		vals, err := s.NthLargestByOwners(ctx, shifted, cfg.ScoreBits, ranks)
		if err != nil {
			return fail("percentiles", err)
		}
		for _, q := range cfg.Ranks {
			out.percentiles = append(out.percentiles, vals[slices.Index(ranks, q)]+cfg.ScoreMin)
		}
	}
	sum, count := cfg.unshift(out.sum, out.count)
	mx := out.max + cfg.ScoreMin
	if err := checkOutputs(cfg, sum, count, mx); err != nil {
		return fail("output", err)
	}
	progress("output", 1, 1)
	res := cfg.result(s.N(), s.T(), sum, count, mx, s.Stats())
	for i, q := range cfg.Ranks {
		res.Percentiles = append(res.Percentiles, Percentile{Quantile: cfg.Percentiles[i], Rank: q, Score: out.percentiles[i]})
	}
	if cfg.StepBits > 1 {
		res.StepBits = cfg.StepBits
	}
	return res, nil
}

// outputs are the opened outputs of one party's run, shifted by ScoreMin
// (sum and count noisy with Epsilon set); step names the step that failed.
type outputs struct {
	sum, count, max int64
	percentiles     []int64
	step            string
}

// runBitwise finds the maximum bit by bit, with the organisations
// answering for their own scores (DESIGN-v2 §2; [ops.Session.MaxByOwners]).
// The shifted score, the organisation's threshold bit and its noise shares
// are dealt in the first step's round, and sum and count opened in its
// king round: setup, one round of preprocessing and 3 rounds per step,
// 3w + 2 rounds in all for w-bit scores. With MaxBits set, the owners
// answer for the number c·2^w + z of the malicious mode's layout (c the
// threshold bit, z the distance from the lower end of its side) and the
// search stops after its top MaxBits + 1 bits.
func runBitwise[E any](ctx context.Context, s *ops.Session[E], cfg Resolved, shifted int64, noise []int64,
	forge func([]int64) []int64, progress func(string, int, int)) (outputs, error) {
	f := s.Field()
	value, k, top := shifted, cfg.ScoreBits, 0
	if cfg.MaxBits > 0 {
		l := cfg.layout()
		v := l.values(shifted)
		value, k, top = v[1]<<l.k|v[0], l.k+1, cfg.MaxBits+1
	}
	progress("preprocessing", 0, 1)
	need := ops.NeedsMaxByOwners(k, top, cfg.StepBits).Add(ops.NeedsOpen(2))
	if len(cfg.Ranks) > 0 {
		need = need.Add(ops.NeedsNthLargestByOwners(s.N(), cfg.ScoreBits, len(slices.Compact(slices.Sorted(slices.Values(cfg.Ranks))))))
	}
	if err := s.Prepare(ctx, need); err != nil {
		return outputs{step: "preprocessing"}, err
	}
	progress("maximum", 0, 1)
	along := append([]int64{shifted, boolInt(shifted+cfg.ScoreMin >= int64(cfg.Threshold))}, noise...)
	if forge != nil {
		along = forge(along)
	}
	res, err := s.MaxByOwners(ctx, value, k, ops.MaxByOwnersOptions[E]{
		Top:   top,
		Step:  cfg.StepBits,
		Along: toField(f, along),
		OpenAlong: func(dealt []ops.Shares[E]) ops.Shares[E] {
			sum, count := ops.Column(dealt, 0).Sum(), ops.Column(dealt, 1).Sum()
			if len(noise) > 0 {
				sum, count = sum.Add(ops.Column(dealt, 2).Sum()), count.Add(ops.Column(dealt, 3).Sum())
			}
			return ops.Concat(sum, count)
		},
	})
	if err != nil {
		return outputs{step: "maximum"}, err
	}
	var out outputs
	if out.sum, err = f.Int64(res.Opened[0]); err == nil {
		out.count, err = f.Int64(res.Opened[1])
	}
	if err != nil {
		return outputs{step: "output"}, err
	}
	out.max = res.Max
	if cfg.MaxBits > 0 {
		out.max = cfg.layout().lowest(res.Max << (k - top))
	}
	return out, nil
}

// runTournament finds the maximum with the tournament of secure
// comparisons of version 1 (DESIGN §8): on the default tournament path
// each organisation deals its own threshold bit with its score; on the
// generic path (ThresholdUnderMPC) the threshold bits are computed under
// MPC, batched with the tournament's first level.
func runTournament[E any](ctx context.Context, s *ops.Session[E], cfg Resolved, shifted int64, noise []int64,
	forge func([]int64) []int64, progress func(string, int, int)) (outputs, error) {
	f := s.Field()
	n := cfg.N
	generic := cfg.ThresholdUnderMPC
	sb, tb := cfg.scoreBound(), cfg.thresholdBound()

	// Preprocessing: everything the comparisons and multiplications need,
	// and the re-randomisation of the final opening (the maximum has
	// degree 2T).
	progress("preprocessing", 0, 1)
	need := ops.NeedsMax(n, sb).Add(ops.NeedsOpen(3))
	if generic {
		need = ops.NeedsMaxAndLTZ(n, sb, n, tb).Add(ops.NeedsOpen(3))
	}
	if len(cfg.Ranks) > 0 {
		need = need.Add(ops.NeedsNthLargestByOwners(s.N(), cfg.ScoreBits, len(slices.Compact(slices.Sorted(slices.Values(cfg.Ranks))))))
	}
	if err := s.Prepare(ctx, need); err != nil {
		return outputs{step: "preprocessing"}, err
	}

	// Inputs: each organisation deals its score and, on the default
	// tournament path, its own bit [score ≥ T] (it knows both; T is
	// public), and its noise shares.
	progress("inputs", 0, 1)
	mine := []int64{shifted}
	if !generic {
		mine = append(mine, boolInt(shifted+cfg.ScoreMin >= int64(cfg.Threshold)))
	}
	mine = append(mine, noise...)
	if forge != nil {
		mine = forge(mine)
	}
	dealt, err := s.Input(ctx, toField(f, mine), len(mine))
	if err != nil {
		return outputs{step: "inputs"}, err
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
		return outputs{step: "maximum"}, err
	}

	progress("output", 0, 1)
	// The maximum is still a degree-2t product (saving the last
	// reduction); sum and count are degree t. One re-randomised opening
	// reveals all three.
	sum, count := scores.Sum().Shares(), bits.Sum().Shares()
	if len(noise) > 0 {
		first := len(mine) - len(noise)
		sum, count = sum.Add(ops.Column(dealt, first).Sum()), count.Add(ops.Column(dealt, first+1).Sum())
	}
	opened, err := s.Open(ctx, ops.Concat(sum, count, maxScore.Shares()))
	if err != nil {
		return outputs{step: "output"}, err
	}
	vals := make([]int64, len(opened))
	for i, v := range opened {
		if vals[i], err = f.Int64(v); err != nil {
			return outputs{step: "output"}, err
		}
	}
	return outputs{sum: vals[0], count: vals[1], max: vals[2]}, nil
}

// report passes one phase's progress to cfg.Progress, if set.
func (cfg Resolved) report(phase string, done, total int) {
	if cfg.Progress != nil {
		cfg.Progress(phase, done, total)
	}
}

// sessionOptions are the options of a session computing cfg's assessment
// under the configuration digest hash: the operations' progress is
// reported as the maximum's, or the percentiles'.
func (cfg Resolved) sessionOptions(hash [32]byte, sec ops.Security) ops.Options {
	return ops.Options{
		SessionID:  cfg.SessionID,
		ConfigHash: hash,
		Security:   sec,
		Progress: func(op string, done, total int) {
			phase := "maximum"
			if op == "NthLargestByOwners" {
				phase = "percentiles"
			}
			cfg.report(phase, done, total)
		},
	}
}

// noiseShares draws this party's shares of the noise on sum and count
// (none without Epsilon) for h = n − t parties whose shares make the whole
// noise.
func (cfg Resolved) noiseShares(h int) ([]int64, error) {
	if cfg.Epsilon == 0 {
		return nil, nil
	}
	rnd := cfg.noise
	if rnd == nil {
		rnd = rand.Reader
	}
	zs, err := dp.Share(rnd, dp.Q(cfg.Epsilon, float64(cfg.ScoreMax-cfg.ScoreMin)), h)
	if err != nil {
		return nil, err
	}
	zc, err := dp.Share(rnd, dp.Q(cfg.Epsilon, 1), h)
	if err != nil {
		return nil, err
	}
	return []int64{zs, zc}, nil
}

// unshift turns the opened shifted sum and count into the outputs: the
// shift added back, and noisy values clamped to what is possible (a
// post-processing that costs no privacy).
func (cfg Resolved) unshift(sum, count int64) (int64, int64) {
	n := int64(cfg.N)
	if cfg.Epsilon > 0 {
		sum = min(max(sum, 0), n*(cfg.ScoreMax-cfg.ScoreMin))
		count = min(max(count, 0), n)
	}
	return sum + n*cfg.ScoreMin, count
}

// result assembles a party's Result. mx is the maximum, or the lowest
// score of the interval that holds it when it is coarsened.
func (cfg Resolved) result(compute, t int, sum, count, mx int64, st cnet.Stats) Result {
	return Result{
		Organisations: cfg.N, ComputeParties: compute, Corruptible: t,
		Threshold: cfg.Threshold, AlertLevel: cfg.AlertLevel, Field: cfg.Field, Security: cfg.Security,
		MaxBits: cfg.MaxBits, Epsilon: cfg.Epsilon,
		Sum: sum, Average: float64(sum) / float64(cfg.N),
		AtOrAbove: int(count), Alert: int(count) >= cfg.AlertLevel,
		Max: mx, MaxHigh: cfg.maxHighOrZero(mx),
		Cost: Cost{PerParty: []cnet.Stats{st}},
	}
}

// maxHighOrZero is Result.MaxHigh: the highest score of the maximum's
// interval when it is coarsened, 0 otherwise.
func (cfg Resolved) maxHighOrZero(mx int64) int64 {
	if cfg.MaxBits == 0 {
		return 0
	}
	return cfg.maxHigh(mx)
}

// maxHigh is the highest score of the interval whose lowest score is mx,
// when the maximum is coarsened (mx itself otherwise).
func (cfg Resolved) maxHigh(mx int64) int64 {
	if cfg.MaxBits == 0 {
		return mx
	}
	return cfg.ScoreMin + cfg.layout().highest(mx-cfg.ScoreMin, cfg.MaxBits)
}

// ErrImplausible is returned when the opened outputs contradict each other
// or the public bounds, which only a deviating party can cause: the run
// stops instead of reporting them.
var ErrImplausible = errors.New("assess: implausible result")

// checkOutputs applies the sanity checks that cost nothing: the count lies
// in 0..n, the maximum within the score bounds, the sum within n times them,
// and the maximum is at least the average (the count and the sum are not
// checked when they carry noise). mx is the maximum, or the lowest score of
// its interval.
func checkOutputs(cfg Resolved, sum, count, mx int64) error {
	n := int64(cfg.N)
	high := cfg.maxHigh(mx)
	switch {
	case cfg.Epsilon == 0 && (count < 0 || count > n):
		return fmt.Errorf("%w: the count %d is outside 0..%d", ErrImplausible, count, n)
	case mx < cfg.ScoreMin || high > cfg.ScoreMax || high < mx:
		return fmt.Errorf("%w: the maximum %d is outside the possible scores %d..%d", ErrImplausible, mx, cfg.ScoreMin, cfg.ScoreMax)
	case cfg.Epsilon == 0 && (sum < n*cfg.ScoreMin || sum > n*cfg.ScoreMax):
		return fmt.Errorf("%w: the sum %d is outside %d..%d (n times the possible scores)", ErrImplausible, sum, n*cfg.ScoreMin, n*cfg.ScoreMax)
	case cfg.Epsilon == 0 && high*n < sum:
		return fmt.Errorf("%w: the maximum %d is below the average %.2f", ErrImplausible, high, float64(sum)/float64(n))
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
