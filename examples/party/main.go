// Command party runs one organisation's side of a Cohort deployment: it
// connects to the other parties listed in cohort.json over TCP with mutual
// TLS, computes the joint vulnerability assessment with them and prints
// what all parties learn.
//
// Usage:
//
//	go run ./examples/party -config cohort.json -id I -key DIR/partyI.key -input FILE [-json] [-v]
//
// The configuration file is described in package internal/deploy; every
// party must use the same one. The key and certificate come from keygen
// (-cert, when the certificate is neither listed in cohort.json nor next to
// the key). FILE holds this organisation's four values: a CSV file with a
// header and one data row, as the simulate program reads, or an MP-SPDZ
// input file (Input-P<i>-0, four integers; party I's is Input-P<I−1>-0).
//
// The party waits up to the configuration's connect_timeout for the others
// to come up, then runs within its timeout. It prints the same report as
// the simulate program (or, with -json, the same JSON object without
// "expected" and "verified": no party knows the others' inputs, so nobody
// can check the result in plaintext); the cost is this party's. Logs go to
// stderr (-v for details).
//
// The exit code is 0 on success, 2 for invalid flags, configuration or
// input, and 1 when connecting or the computation fails; the message then
// names the party at fault.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/internal/report"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/tcp"
	"github.com/cohortmpc/cohort/ops"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// connect and runAssess are the network steps; tests replace them.
var (
	connect = func(ctx context.Context, cfg tcp.Config) (cnet.Transport, error) {
		return tcp.Connect(ctx, cfg)
	}
	runAssess = assess.Run
)

type options struct {
	config  string
	id      int
	key     string
	cert    string
	input   string
	json    bool
	verbose bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("party", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "cohort.json", "the deployment's configuration `file`")
	fs.IntVar(&o.id, "id", 0, "this party's id `I` in the configuration")
	fs.StringVar(&o.key, "key", "", "this party's private key `file` (from keygen)")
	fs.StringVar(&o.cert, "cert", "", "this party's certificate `file` (default: its \"cert\" in the configuration, or the key's name with .crt)")
	fs.StringVar(&o.input, "input", "", "this organisation's data: a one-row CSV `file` or an MP-SPDZ input file")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the report")
	fs.BoolVar(&o.verbose, "v", false, "log connection and progress details")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: party -config cohort.json -id I -key partyI.key -input FILE [-json] [-v]\n\n"+
			"Runs one organisation's side of the joint vulnerability assessment.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.config == "":
		return o, errors.New("-config is empty")
	case o.id == 0:
		return o, errors.New("-id is required")
	case o.id < 0:
		return o, fmt.Errorf("-id %d: party ids start at 1", o.id)
	case o.key == "":
		return o, errors.New("-key is required")
	case o.input == "":
		return o, errors.New("-input is required")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("party", err, stderr)
	}
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "party: "+format+"\n", args...)
		return code
	}

	level, tcpLevel := slog.LevelInfo, slog.LevelWarn
	if o.verbose {
		level, tcpLevel = slog.LevelDebug, slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("party", o.id)
	tcpLog := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: tcpLevel})).With("self", o.id)

	cfg, err := deploy.Load(o.config)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	if o.id > cfg.N() {
		return fail(cli.ExitUsage, "-id %d: %s lists parties 1..%d", o.id, o.config, cfg.N())
	}
	data, err := readInput(o.input, o.id)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	if data.warning != "" {
		log.Warn(data.warning)
	}
	if err := cfg.CheckInput(data.input); err != nil {
		var ie *assess.InputError
		if errors.As(err, &ie) {
			return fail(cli.ExitUsage, "%s: %s %d is outside %d..%d, the bounds in %s", o.input, ie.Field, ie.Value, ie.Min, ie.Max, o.config)
		}
		return fail(cli.ExitUsage, "%v", err)
	}
	cert, err := cfg.LoadIdentity(o.id, o.key, o.cert)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	if st, err := os.Stat(o.key); err == nil && st.Mode().Perm()&0o077 != 0 {
		log.Warn("the private key is readable by other users: chmod 600 it", "file", o.key, "mode", st.Mode().Perm())
	}
	tcfg, err := cfg.TCP(o.id, cert, tcpLog)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	self := cfg.Parties[o.id-1]
	log.Info("connecting", "n", cfg.N(), "addr", self.Addr, "session", cfg.Session, "connect_timeout", cfg.ConnectTimeout)
	tr, err := connect(ctx, tcfg)
	if err != nil {
		return fail(cli.ExitFailure, "%s", explain(err, cfg))
	}
	defer tr.Close()
	log.Info("connected to all parties; computing", "timeout", cfg.Assess.Timeout)

	acfg := cfg.Assess
	phase := ""
	acfg.Progress = func(p string, done, total int) {
		if p != phase {
			phase = p
			log.Debug("phase", "phase", p)
		}
	}
	res, err := runAssess(ctx, []assess.Party{{ID: o.id, Input: data.input, Transport: tr}}, acfg)
	if err != nil {
		tr.Close()
		return fail(cli.ExitFailure, "%s", explain(err, cfg))
	}
	r := &report.Report{
		Mode:     fmt.Sprintf("party %d of %d, over TCP with mutual TLS", o.id, cfg.N()),
		Source:   data.source,
		Session:  cfg.Session,
		Got:      res,
		OneParty: true,
	}
	if o.json {
		err = r.WriteJSON(stdout)
	} else {
		r.WriteText(stdout)
	}
	tr.Close()
	if err != nil {
		return fail(cli.ExitFailure, "%v", err)
	}
	log.Info("done", "seconds", res.Cost.Elapsed.Seconds())
	return cli.ExitOK
}

// explain turns a network or protocol failure into a message that names
// the party at fault and, where it helps, what to check.
func explain(err error, cfg *deploy.Config) string {
	msg := err.Error()
	var pe *cnet.PeerError
	if !errors.As(err, &pe) || pe.Party < 1 || pe.Party > cfg.N() {
		return msg
	}
	peer := cfg.Parties[pe.Party-1]
	switch {
	case errors.Is(err, tcp.ErrSessionMismatch), errors.Is(err, ops.ErrConfigMismatch):
		return fmt.Sprintf("%s\nparty: party %d (%s) uses a different configuration: all parties must use the same cohort.json "+
			"(parties, addresses, keys, session and assessment parameters)", msg, peer.ID, peer.Addr)
	case errors.Is(err, tcp.ErrIdentity):
		return fmt.Sprintf("%s\nparty: party %d (%s) did not present the key that cohort.json pins for it, or does not accept ours", msg, peer.ID, peer.Addr)
	case errors.Is(err, ops.ErrPeerAborted):
		return fmt.Sprintf("%s\nparty: party %d (%s) gave up; its log says why", msg, peer.ID, peer.Addr)
	}
	return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s)", msg, peer.ID, peer.Addr)
}
