// Command sdk shows how a new secure computation is written with package
// ops, on the same data as the simulate program. The organisations learn
// two things the assessment does not compute, and nothing else:
//
//   - how many of them have more than 10 critical vulnerabilities and a
//     patch delay above 30 days;
//   - the second-largest risk score (with ties, the largest when two
//     organisations share it).
//
// Each answer takes a few lines of [query]; the program runs every
// organisation in one process over an in-memory mesh and checks both
// answers against a plaintext computation.
//
// Usage:
//
//	go run ./examples/sdk [-n 20] [-seed 1] [-inputs file.csv]
//
// The exit code is 0 on success, 2 for invalid flags or data, and 1 when
// the computation fails or disagrees with the plaintext.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// answers are what the organisations learn.
type answers struct {
	Risky  int64 // organisations with > 10 critical vulnerabilities and a patch delay > 30 days
	Second int64 // the second-largest score
}

// query is one organisation's side of the computation: mine is its own
// data, cfg the public parameters (bounds and weights).
func query(ctx context.Context, s *ops.Session[field.M61], mine assess.Input, cfg assess.Resolved) (answers, error) {
	n := s.N()
	b := cfg.Bounds
	critical, err := inputEach(ctx, s, int64(mine.Critical), b.Critical)
	if err != nil {
		return answers{}, err
	}
	delay, err := inputEach(ctx, s, int64(mine.PatchDelay), b.PatchDelay)
	if err != nil {
		return answers{}, err
	}
	scores, err := inputEach(ctx, s, cfg.Score(mine), assess.Range{Min: int(cfg.ScoreMin), Max: int(cfg.ScoreMax)})
	if err != nil {
		return answers{}, err
	}

	// How many have more than 10 critical vulnerabilities and a patch
	// delay above 30 days: two comparisons, an AND, a sum.
	manyCritical, err := s.GreaterThan(ctx, critical, s.ConstInt(10).Repeat(n))
	if err != nil {
		return answers{}, err
	}
	slow, err := s.GreaterThan(ctx, delay, s.ConstInt(30).Repeat(n))
	if err != nil {
		return answers{}, err
	}
	both, err := s.And(ctx, manyCritical, slow)
	if err != nil {
		return answers{}, err
	}

	// The second-largest score: find the largest and where it is, replace
	// it by the lowest possible score, and take the largest of the rest.
	_, at, err := s.ArgMax(ctx, scores)
	if err != nil {
		return answers{}, err
	}
	isTop, err := s.Equal(ctx, at.Repeat(n), s.ConstInt(indices(n)...))
	if err != nil {
		return answers{}, err
	}
	rest, err := s.Select(ctx, isTop, s.ConstInt(cfg.ScoreMin).Repeat(n), scores)
	if err != nil {
		return answers{}, err
	}
	second, err := s.Max(ctx, rest)
	if err != nil {
		return answers{}, err
	}

	out, err := s.OpenInt(ctx, ops.ConcatInts(both.Sum(), second))
	if err != nil {
		return answers{}, err
	}
	return answers{Risky: out[0], Second: out[1]}, nil
}

// inputEach lets every organisation input one integer in r and returns all
// of them, in organisation order.
func inputEach(ctx context.Context, s *ops.Session[field.M61], v int64, r assess.Range) (ops.Int[field.M61], error) {
	in, err := s.InputInt(ctx, []int64{v}, 1, ops.Bound{Lo: int64(r.Min), Hi: int64(r.Max)})
	if err != nil {
		return ops.Int[field.M61]{}, err
	}
	return ops.ColumnInt(in, 0), nil
}

func indices(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}

// plaintext computes the answers from all inputs at once.
func plaintext(data []assess.Input, cfg assess.Resolved) answers {
	var a answers
	scores := make([]int64, len(data))
	for i, in := range data {
		if in.Critical > 10 && in.PatchDelay > 30 {
			a.Risky++
		}
		scores[i] = cfg.Score(in)
	}
	slices.Sort(scores)
	a.Second = scores[len(scores)-2]
	return a
}

// simulate runs query for every organisation over an in-memory mesh.
func simulate(ctx context.Context, data []assess.Input, cfg assess.Resolved) (answers, cnet.Stats, error) {
	n := len(data)
	trs, err := cnet.NewMesh(n)
	if err != nil {
		return answers{}, cnet.Stats{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make([]answers, n)
	errs := make([]error, n)
	var total cnet.Stats
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer trs[i].Close()
			s, err := ops.NewSession(ctx, field.F61{}, trs[i], ops.Options{SessionID: "sdk-example"})
			if err == nil {
				got[i], err = query(ctx, s, data[i], cfg)
				mu.Lock()
				total.BytesSent += s.Stats().BytesSent
				total.Rounds = max(total.Rounds, s.Stats().Rounds)
				mu.Unlock()
			}
			if errs[i] = err; err != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return answers{}, total, err
	}
	for i := range got {
		if got[i] != got[0] {
			return answers{}, total, fmt.Errorf("organisations 1 and %d disagree", i+1)
		}
	}
	return got[0], total, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sdk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 20, "number of organisations for generated data")
	seed := fs.Int64("seed", 1, "seed of the generated data")
	file := fs.String("inputs", "", "read the organisations' data from this CSV `file` (the simulate program's format)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sdk [flags]\n\nAsks two questions of the organisations' data with package ops, and checks the answers in plaintext.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return cli.UsageExit("sdk", err, stderr)
	}
	var data []assess.Input
	source := fmt.Sprintf("%d generated organisations (seed %d)", *n, *seed)
	if *file != "" {
		rows, err := inputs.ReadCSVFile(*file)
		if err != nil {
			fmt.Fprintf(stderr, "sdk: %v\n", err)
			return cli.ExitUsage
		}
		for _, r := range rows {
			data = append(data, r.Input)
		}
		source = fmt.Sprintf("%d organisations from %s", len(data), *file)
	} else {
		if *n < 3 || *n > 1000 {
			fmt.Fprintf(stderr, "sdk: -n %d: want 3..1000\n", *n)
			return cli.ExitUsage
		}
		var err error
		if data, err = inputs.Generate(*n, "mixed", *seed); err != nil {
			fmt.Fprintf(stderr, "sdk: %v\n", err)
			return cli.ExitUsage
		}
	}
	cfg, err := assess.Config{MinParties: 3}.Resolve(len(data))
	if err == nil {
		for i, in := range data {
			if err = cfg.CheckInput(i+1, in); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "sdk: %v\n", err)
		return cli.ExitUsage
	}
	start := time.Now()
	got, stats, err := simulate(context.Background(), data, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sdk: %v\n", err)
		return cli.ExitFailure
	}
	want := plaintext(data, cfg)
	fmt.Fprintf(stdout, "Data: %s\n", source)
	fmt.Fprintf(stdout, "Organisations with more than 10 critical vulnerabilities and a patch delay above 30 days: %d\n", got.Risky)
	fmt.Fprintf(stdout, "Second-largest risk score: %d\n", got.Second)
	fmt.Fprintf(stdout, "Cost: %.3f s, %d bytes sent in total, %d rounds\n", time.Since(start).Seconds(), stats.BytesSent, stats.Rounds)
	if got != want {
		fmt.Fprintf(stdout, "MISMATCH: the plaintext computation gives %d and %d\n", want.Risky, want.Second)
		return cli.ExitFailure
	}
	fmt.Fprintf(stdout, "Check: both answers match the plaintext computation\n")
	return cli.ExitOK
}
