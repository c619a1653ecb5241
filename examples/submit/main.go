// Command submit is an organisation's side of a Cohort committee (package
// committee): it makes the shares of the organisation's input locally and
// sends each server only its own, or asks the servers for their status or
// the results.
//
// Usage:
//
//	go run ./examples/submit -config campaign.json -org ID -key DIR/org.key -input FILE
//	go run ./examples/submit -config campaign.json -org ID -key DIR/org.key -status
//	go run ./examples/submit -config campaign.json -org ID -key DIR/org.key -results [-json]
//
// FILE is a CSV file with the header of the simulate program
// (cvss_score, critical_vulnerabilities, patch_delay, asset_exposure, and
// optionally org), as examples/inputs writes it from scanner reports: its
// one row, or the row whose org is ID. The input is checked against the
// campaign's bounds before anything is sent. The shares are made with
// fresh randomness for every submission; a submission before the deadline
// replaces the organisation's earlier one. The organisation counts only
// when every server holds its submission: submit reports the servers that
// did not take it, and running it again mends that until the deadline.
//
// -status prints each server's state, its number of submissions and when
// it received this organisation's. -results fetches the results from every
// server and prints them only when all servers report the same; otherwise
// it says which servers have none or differ, and exits with 1.
//
// The key and certificate come from keygen (the certificate is the key's
// name with .crt unless -cert says otherwise). The exit code is 0 on
// success, 2 for invalid flags, configuration, key or input, and 1 when a
// server refused or could not be reached.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	config, org, key, cert, input string
	status, results, json         bool
	timeout                       time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "campaign.json", "the campaign `file`")
	fs.StringVar(&o.org, "org", "", "this organisation's `id` in the campaign")
	fs.StringVar(&o.key, "key", "", "this organisation's private key `file` (from keygen)")
	fs.StringVar(&o.cert, "cert", "", "its certificate `file` (default: the key's name with .crt)")
	fs.StringVar(&o.input, "input", "", "the organisation's data: a CSV `file`")
	fs.BoolVar(&o.status, "status", false, "print each server's status instead of submitting")
	fs.BoolVar(&o.results, "results", false, "fetch the results from every server instead of submitting")
	fs.BoolVar(&o.json, "json", false, "with -status or -results: print JSON")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: submit -config campaign.json -org ID -key org.key -input FILE\n"+
			"       submit -config campaign.json -org ID -key org.key -status | -results [-json]\n\n"+
			"Submits an organisation's shares to a Cohort committee, or fetches its status or results.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.org == "":
		return o, errors.New("-org is required")
	case o.key == "":
		return o, errors.New("-key is required")
	case o.status && o.results:
		return o, errors.New("give -status or -results, not both")
	case (o.status || o.results) && o.input != "":
		return o, errors.New("-input is for submitting; -status and -results send nothing")
	case !o.status && !o.results && o.input == "":
		return o, errors.New("-input is required to submit (or give -status or -results)")
	case o.json && !o.status && !o.results:
		return o, errors.New("-json applies to -status and -results")
	case o.timeout <= 0:
		return o, errors.New("-timeout must be positive")
	}
	return o, nil
}

// readInput returns the organisation's row of a CSV file: its only row, or
// the row whose org column is org.
func readInput(path, org string) (assess.Input, error) {
	rows, err := inputs.ReadCSVFile(path)
	if err != nil {
		return assess.Input{}, err
	}
	if len(rows) == 1 {
		if rows[0].Org != "" && rows[0].Org != org {
			return assess.Input{}, fmt.Errorf("%s: the row is organisation %q's, not %q's", path, rows[0].Org, org)
		}
		return rows[0].Input, nil
	}
	for _, r := range rows {
		if r.Org == org {
			return r.Input, nil
		}
	}
	return assess.Input{}, fmt.Errorf("%s has %d rows and none whose org is %q", path, len(rows), org)
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("submit", err, stderr)
	}
	fail := cli.Failer("submit", stderr)
	c, err := committee.Load(o.config)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	cert, err := committee.LoadIdentity(o.key, o.cert)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	cl, err := committee.NewClient(c, o.org, cert)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	switch {
	case o.status:
		st, errs := cl.Status(ctx)
		code := cli.ExitOK
		for j, s := range st {
			if errs[j] != nil {
				fmt.Fprintf(stderr, "submit: %v\n", errs[j])
				code = cli.ExitFailure
				continue
			}
			if o.json {
				line, _ := json.Marshal(s)
				fmt.Fprintf(stdout, "%s\n", line)
				continue
			}
			yours := "none"
			if s.Yours != nil {
				yours = fmt.Sprintf("%s received %s", s.Yours.SubmissionID, s.Yours.Received.Format(time.RFC3339))
			}
			fmt.Fprintf(stdout, "server %d: %s, %d submissions, yours: %s", s.Server, s.State, s.Submissions, yours)
			if s.LastError != "" {
				fmt.Fprintf(stdout, ", last error: %s", s.LastError)
			}
			if s.Error != "" {
				fmt.Fprintf(stdout, ", failed: %s", s.Error)
			}
			fmt.Fprintln(stdout)
		}
		return code
	case o.results:
		res, err := cl.Results(ctx)
		if err != nil {
			return fail(cli.ExitFailure, "%v", err)
		}
		if o.json {
			line, _ := json.Marshal(res)
			fmt.Fprintf(stdout, "%s\n", line)
			return cli.ExitOK
		}
		fmt.Fprintf(stdout, "all %d servers report the same results for %d organisations (%s):\n", res.Servers, res.Organisations, res.Security)
		fmt.Fprintf(stdout, "  average score     %.2f (sum %d)\n", res.Average, res.Sum)
		fmt.Fprintf(stdout, "  at or above %d   %d\n", res.Threshold, res.AtOrAbove)
		fmt.Fprintf(stdout, "  alert (≥ %d)       %v\n", res.AlertLevel, res.Alert)
		fmt.Fprintf(stdout, "  maximum score     %d\n", res.Max)
		return cli.ExitOK
	}

	in, err := readInput(o.input, o.org)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	rec, err := cl.Submit(ctx, in)
	if err != nil {
		var ie *assess.InputError
		if errors.As(err, &ie) {
			return fail(cli.ExitUsage, "%s: %s %d is outside the campaign's bounds %d..%d", o.input, ie.Field, ie.Value, ie.Min, ie.Max)
		}
		return fail(cli.ExitFailure, "%v", err)
	}
	replaced := ""
	if rec.Servers[0].Replaced {
		replaced = ", replacing the earlier one"
	}
	fmt.Fprintf(stdout, "submission %s stored by all %d servers%s; submissions close %s\n", rec.SubmissionID, c.M(), replaced, c.Deadline.UTC().Format(time.RFC3339))
	return cli.ExitOK
}
