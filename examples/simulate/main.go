// Command simulate runs Cohort's joint vulnerability assessment with every
// organisation in one process, checks the result against a plaintext
// computation and reports what it cost.
//
// Usage:
//
//	go run ./examples/simulate [flags]
//
// By default it generates data for 10 organisations (-n, -scenario, -seed);
// -inputs reads a CSV file and -inputs-dir a directory of MP-SPDZ input files
// instead (see package internal/inputs for the formats). -json prints one
// JSON object instead of the report; -write-inputs saves the data used in
// both formats, into a new or empty directory (-force: replace files of the
// same names in a directory that is not empty; nothing is deleted, and no
// symbolic link is followed). Run with -h for all flags.
//
// The exit code is 0 on success, 2 for invalid flags or data, and 1 when the
// computation fails or its result does not match the plaintext computation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
	"github.com/cohortmpc/cohort/internal/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// maxN bounds generated data sets; a simulation of more parties would not
// finish in reasonable time or memory anyway.
const maxN = 10000

// progressFrom is the smallest n for which progress is shown on stderr.
const progressFrom = 250

// simulate runs the computation; tests replace it to exercise failures.
var simulate = assess.Simulate

// options are the parsed command-line flags.
type options struct {
	n           int
	nSet        bool
	scenario    string
	seed        int64
	inputsFile  string
	inputsDir   string
	threshold   int
	alertLevel  int
	minParties  int
	field       assess.Field
	generic     bool
	tournament  bool
	malicious   bool
	maxBits     int
	stepBits    int
	epsilon     float64
	percentiles []float64
	json        bool
	writeDir    string
	force       bool
	timeout     time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 10, "number of organisations for generated data")
	fs.StringVar(&o.scenario, "scenario", "mixed", "generated data: "+strings.Join(inputs.Scenarios(), ", "))
	fs.Int64Var(&o.seed, "seed", 1, "seed of the generated data")
	fs.StringVar(&o.inputsFile, "inputs", "", "read the organisations' data from this CSV `file`")
	fs.StringVar(&o.inputsDir, "inputs-dir", "", "read the data from MP-SPDZ files Input-P0-0, Input-P1-0, … in this `dir`")
	fs.IntVar(&o.threshold, "threshold", 0, "score threshold `T`: organisations scoring T or more are counted (default 500)")
	fs.IntVar(&o.alertLevel, "k", 0, "alert level `K`: the alert is raised when at least K organisations score T or more (default max(2, ⌊0.3n + 0.5⌋))")
	fs.IntVar(&o.minParties, "min-parties", 0, "smallest group allowed to run (default 5, at least 3)")
	field := fs.String("field", "auto", "field: auto, m61 or m127")
	fs.BoolVar(&o.generic, "generic", false, "the generic path: the tournament of secure comparisons, with the scores compared with T under MPC")
	fs.BoolVar(&o.tournament, "tournament", false, "find the maximum with the tournament of secure comparisons instead of bit by bit")
	fs.BoolVar(&o.malicious, "malicious", false, "security against organisations that deviate from the protocol (with abort)")
	fs.IntVar(&o.maxBits, "max-bits", 0, "coarsened maximum: reveal only the top `b` bits of the maximum, an interval of scores that holds it (of the 14 bits with default parameters; 0: exact)")
	fs.IntVar(&o.stepBits, "step-bits", 0, "bits of the maximum revealed per step, 1 to 4: fewer rounds, more traffic (default 1)")
	fs.Float64Var(&o.epsilon, "epsilon", 0, "add discrete Laplace noise to sum and count, each ε-differentially private (0: none)")
	percentiles := fs.String("percentiles", "", "also reveal these quantiles of the scores, comma-separated (for example 0.5,0.9; at least 10 organisations)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the report")
	fs.StringVar(&o.writeDir, "write-inputs", "", "also write the data used to `dir` (empty or new) as inputs.csv and MP-SPDZ input files")
	fs.BoolVar(&o.force, "force", false, "with -write-inputs: write into a directory that is not empty, replacing files of the same names")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound on the whole computation (default 10m)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: simulate [flags]\n\nRuns the joint vulnerability assessment with all organisations in one process.\n\n%s\nFlags:\n",
			inputs.Columns())
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.nSet = set["n"]
	// A flag given explicitly means what it says: 0 is not "the default".
	for _, f := range []struct {
		name, want string
		bad        bool
	}{
		{"threshold", "a score threshold of at least 1", o.threshold < 1},
		{"k", "an alert level of at least 1", o.alertLevel < 1},
		{"min-parties", "a group size of at least 3", o.minParties < 3},
		{"timeout", "a positive duration such as 90s", o.timeout <= 0},
		{"step-bits", "1 to 4 bits per step", o.stepBits < 1},
		{"max-bits", "a number of bits ≥ 0", o.maxBits < 0},
		{"epsilon", "a positive ε, or 0 for no noise", !(o.epsilon >= 0) || math.IsInf(o.epsilon, 0)},
	} {
		if set[f.name] && f.bad {
			return o, fmt.Errorf("-%s %s: want %s (leave the flag out for the default)", f.name, fs.Lookup(f.name).Value, f.want)
		}
	}
	if *percentiles != "" {
		for p := range strings.SplitSeq(*percentiles, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return o, fmt.Errorf("-percentiles %q: %q is not a number (want quantiles such as 0.5,0.9)", *percentiles, p)
			}
			o.percentiles = append(o.percentiles, v)
		}
	}
	if o.tournament && o.generic {
		return o, errors.New("-tournament and -generic: the generic path is a tournament already; give one")
	}

	switch *field {
	case "auto", "":
		o.field = assess.FieldAuto
	case "m61", "m127":
		o.field = assess.Field(*field)
	default:
		return o, fmt.Errorf("-field %q: want auto, m61 or m127", *field)
	}
	if o.inputsFile != "" && o.inputsDir != "" {
		return o, errors.New("-inputs and -inputs-dir are mutually exclusive")
	}
	if o.inputsFile != "" || o.inputsDir != "" {
		for _, name := range []string{"scenario", "seed"} {
			if set[name] {
				return o, fmt.Errorf("-%s applies only to generated data, not with -inputs or -inputs-dir", name)
			}
		}
	} else if !validScenario(o.scenario) {
		return o, fmt.Errorf("-scenario %q: want one of %s", o.scenario, strings.Join(inputs.Scenarios(), ", "))
	}
	if o.nSet && (o.n < 1 || o.n > maxN) {
		return o, fmt.Errorf("-n %d: want 1..%d", o.n, maxN)
	}
	if o.force && o.writeDir == "" {
		return o, errors.New("-force applies only with -write-inputs")
	}
	return o, nil
}

func validScenario(s string) bool {
	for _, v := range inputs.Scenarios() {
		if s == v {
			return true
		}
	}
	return false
}

// dataSet is the organisations' data and where it came from.
type dataSet struct {
	inputs []assess.Input
	source string
	// where locates organisation i+1's data for error messages.
	where func(i int) string
}

func loadData(o options) (dataSet, error) {
	switch {
	case o.inputsFile != "":
		rows, err := inputs.ReadCSVFile(o.inputsFile)
		if err != nil {
			return dataSet{}, err
		}
		d := dataSet{
			inputs: make([]assess.Input, len(rows)),
			source: fmt.Sprintf("%s (CSV, %d rows)", o.inputsFile, len(rows)),
			where: func(i int) string {
				s := fmt.Sprintf("%s: line %d", o.inputsFile, rows[i].Line)
				if rows[i].Org != "" {
					s += fmt.Sprintf(" (org %s)", rows[i].Org)
				}
				return s
			},
		}
		for i, r := range rows {
			d.inputs[i] = r.Input
		}
		return d, checkN(o, len(rows), "data rows in "+o.inputsFile)
	case o.inputsDir != "":
		in, err := inputs.ReadDir(o.inputsDir)
		if err != nil {
			return dataSet{}, err
		}
		d := dataSet{
			inputs: in,
			source: fmt.Sprintf("%s (MP-SPDZ input files, %d parties)", o.inputsDir, len(in)),
			where:  func(i int) string { return filepath.Join(o.inputsDir, inputs.MPSPDZFile(i)) },
		}
		return d, checkN(o, len(in), "input files in "+o.inputsDir)
	default:
		in, err := inputs.Generate(o.n, o.scenario, o.seed)
		if err != nil {
			return dataSet{}, err
		}
		return dataSet{
			inputs: in,
			source: fmt.Sprintf("generated, scenario %s, seed %d", o.scenario, o.seed),
			where:  func(i int) string { return fmt.Sprintf("generated organisation %d", i+1) },
		}, nil
	}
}

func checkN(o options, n int, what string) error {
	if o.nSet && o.n != n {
		return fmt.Errorf("-n %d does not match the %d %s (leave -n out to use them all)", o.n, n, what)
	}
	return nil
}

func config(o options, n int, stderr io.Writer) assess.Config {
	cfg := assess.Config{
		Threshold:         o.threshold,
		AlertLevel:        o.alertLevel,
		MinParties:        o.minParties,
		Field:             o.field,
		ThresholdUnderMPC: o.generic,
		Tournament:        o.tournament,
		Security:          security(o.malicious),
		MaxBits:           o.maxBits,
		StepBits:          o.stepBits,
		Epsilon:           o.epsilon,
		Percentiles:       o.percentiles,
		Timeout:           o.timeout,
	}
	if n >= progressFrom {
		cfg.Progress = report.NewProgress(stderr).Report
	}
	return cfg
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("simulate", err, stderr)
	}

	data, err := loadData(o)
	if err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return cli.ExitUsage
	}
	n := len(data.inputs)
	cfg := config(o, n, stderr)

	if err := checkMemory(n, cfg); err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return cli.ExitUsage
	}
	want, err := assess.Expected(data.inputs, cfg)
	if err != nil {
		var ie *assess.InputError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "simulate: %s: %s %d is outside %d..%d\n", data.where(ie.Org-1), ie.Field, ie.Value, ie.Min, ie.Max)
		} else {
			fmt.Fprintf(stderr, "simulate: %v\n", err)
		}
		return cli.ExitUsage
	}

	if o.writeDir != "" {
		if err := inputs.WriteDir(o.writeDir, data.inputs, o.force); err != nil {
			fmt.Fprintf(stderr, "simulate: -write-inputs: %v\n", err)
			if errors.Is(err, inputs.ErrNotEmpty) {
				fmt.Fprintf(stderr, "simulate: give a new or empty directory, or -force to replace the files of the same names in it\n")
			}
			return cli.ExitFailure
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	got, err := simulate(ctx, data.inputs, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return cli.ExitFailure
	}

	resolved, err := cfg.Resolve(n)
	if err != nil { // unreachable: Expected resolved it
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return cli.ExitUsage
	}
	mismatches := report.Compare(got, want)
	r := &report.Report{
		Mode:       "all parties simulated in one process",
		Source:     data.source,
		WrittenTo:  o.writeDir,
		Config:     &resolved,
		Got:        got,
		Want:       &want,
		Mismatches: mismatches,
	}
	if o.json {
		if err := r.WriteJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "simulate: %v\n", err)
			return cli.ExitFailure
		}
	} else {
		r.WriteText(stdout)
	}
	if len(mismatches) > 0 {
		fmt.Fprintf(stderr, "simulate: MISMATCH: the computation disagrees with the plaintext: %s\n", strings.Join(mismatches, "; "))
		return cli.ExitFailure
	}
	return cli.ExitOK
}

func security(malicious bool) assess.Security {
	if malicious {
		return assess.Malicious
	}
	return assess.SemiHonest
}

// Memory a simulation needs: every party of the process holds a PRG key and
// queues for every other, so memory grows as n² (measured peak resident
// memory per pair of parties, with a margin, on linux/amd64; see
// BENCHMARKS.md).
const memoryBase = 64 << 20

func bytesPerPair(cfg assess.Config) float64 {
	switch {
	case cfg.Security == assess.Malicious:
		return 20e3
	case cfg.ThresholdUnderMPC:
		return 14e3
	case cfg.Tournament:
		return 10e3
	}
	return 2.6e3
}

// memoryNeeded estimates the peak memory of simulating n organisations.
func memoryNeeded(n int, cfg assess.Config) float64 {
	return memoryBase + bytesPerPair(cfg)*float64(n)*float64(n)
}

// availableMemory returns the memory available to this program (Linux:
// MemAvailable of /proc/meminfo), or 0 when unknown.
var availableMemory = func() float64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if kb, err := strconv.ParseFloat(f[0], 64); err == nil && len(f) == 2 && f[1] == "kB" {
				return kb * 1024
			}
		}
	}
	return 0
}

// checkMemory refuses, before anything runs, a simulation that would not
// fit in this machine's memory.
func checkMemory(n int, cfg assess.Config) error {
	need, avail := memoryNeeded(n, cfg), availableMemory()
	if avail > 0 && need > avail {
		return fmt.Errorf("%d organisations would need about %.1f GB of memory to simulate in one process (about %.1f KB per pair of parties), "+
			"more than the %.1f GB available: simulate fewer, or run the parties as separate processes (examples/party)",
			n, need/1e9, bytesPerPair(cfg)/1e3, avail/1e9)
	}
	return nil
}
