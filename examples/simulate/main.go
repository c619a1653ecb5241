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
	"os"
	"os/signal"
	"path/filepath"
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
	n          int
	nSet       bool
	scenario   string
	seed       int64
	inputsFile string
	inputsDir  string
	threshold  int
	alertLevel int
	minParties int
	field      assess.Field
	generic    bool
	malicious  bool
	json       bool
	writeDir   string
	force      bool
	timeout    time.Duration
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
	fs.IntVar(&o.threshold, "threshold", 0, "score threshold T (default 500)")
	fs.IntVar(&o.alertLevel, "k", 0, "alert level K (default max(2, ⌊0.3n + 0.5⌋))")
	fs.IntVar(&o.minParties, "min-parties", 0, "smallest group allowed to run (default 5, at least 3)")
	field := fs.String("field", "auto", "field: auto, m61 or m127")
	fs.BoolVar(&o.generic, "generic", false, "compare the scores with T under MPC (the generic path)")
	fs.BoolVar(&o.malicious, "malicious", false, "security against organisations that deviate from the protocol (with abort)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the report")
	fs.StringVar(&o.writeDir, "write-inputs", "", "also write the data used to `dir` (empty or new) as inputs.csv and MP-SPDZ input files")
	fs.BoolVar(&o.force, "force", false, "with -write-inputs: write into a directory that is not empty, replacing files of the same names")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound on the whole computation (default 10m)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: simulate [flags]\n\nRuns the joint vulnerability assessment with all organisations in one process.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.nSet = set["n"]

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
	if o.timeout < 0 {
		return o, fmt.Errorf("-timeout %v is negative", o.timeout)
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
		Security:          security(o.malicious),
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

	mismatches := report.Compare(got, want)
	r := &report.Report{
		Mode:       "all parties simulated in one process",
		Source:     data.source,
		WrittenTo:  o.writeDir,
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
