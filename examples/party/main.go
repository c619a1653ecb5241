// Command party runs one organisation's side of a Cohort deployment: it
// connects to the other parties listed in cohort.json over TCP with mutual
// TLS, computes the joint vulnerability assessment with them and prints
// what all parties learn.
//
// Usage:
//
//	go run ./examples/party -config cohort.json -id I -key DIR/partyI.key -input FILE [-json] [-v]
//	go run ./examples/party -check -config cohort.json [-id I -key DIR/partyI.key]
//
// The configuration file is described in package internal/deploy; every
// party must use the same one. The key and certificate come from keygen
// (-cert, when the certificate is neither listed in cohort.json nor next to
// the key). FILE holds this organisation's four values: a CSV file with a
// header and one data row, as the simulate program reads, or an MP-SPDZ
// input file (Input-P<i>-0, four integers; party I's is Input-P<I−1>-0).
//
// -check prints the configuration's hash and every party's address and
// key fingerprint, and exits: organisations compare the hash before a run
// (the parties accept each other only if their files give the same hash).
// With -id and -key it also checks that the key is the one the file lists.
//
// The private key must not be accessible to group or others (chmod 600);
// -allow-readable-key accepts it anyway. The party listens on its address
// in the configuration, or on -listen (for a host behind NAT or a load
// balancer, where the address the others dial is not the machine's own).
//
// The party waits up to the configuration's connect_timeout for the others
// to come up, saying every few seconds which parties it still waits for and
// why, then runs within its timeout. It prints the same report as
// the simulate program (or, with -json, the same JSON object without
// "expected" and "verified": no party knows the others' inputs, so nobody
// can check the result in plaintext); the cost is this party's. Logs go to
// stderr (-v for details).
//
// The exit code is 0 on success, 2 for invalid flags, configuration or
// input, 1 when connecting or the computation fails (the message then
// names the party concerned and what it did), and 130 when a signal (Ctrl-C,
// SIGTERM) stopped the party.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/assess/derive"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/internal/inputs"
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
	config      string
	id          int
	key         string
	cert        string
	input       string
	explain     string
	listen      string
	json        bool
	verbose     bool
	check       bool
	readableKey bool
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
	fs.StringVar(&o.explain, "explain", "", "the JSON explanation `file` its row was derived with (examples/inputs -explain-json); required when cohort.json names an inputs_profile")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the report")
	fs.BoolVar(&o.verbose, "v", false, "log connection and progress details")
	fs.BoolVar(&o.check, "check", false, "print the configuration hash and the parties' fingerprints, and exit")
	fs.StringVar(&o.listen, "listen", "", "listen on this `host:port` instead of this party's address in the configuration (behind NAT)")
	fs.BoolVar(&o.readableKey, "allow-readable-key", false, "accept a private key file that group or others may access")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: party -config cohort.json -id I -key partyI.key -input FILE [-json] [-v]\n"+
			"       party -check -config cohort.json [-id I -key partyI.key]\n\n"+
			"Runs one organisation's side of the joint vulnerability assessment.\n"+
			"The assessment's parameters and options (threshold, alert level, weights, bounds, maximum,\n"+
			"max_bits, step_bits, epsilon, percentiles, …) come from cohort.json, which every party shares.\n\n"+
			"%s(-input: this organisation's single row; the bounds are those of cohort.json.)\n\nFlags:\n", inputs.Columns())
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	if o.config == "" {
		return o, errors.New("-config is empty")
	}
	if o.check {
		if o.id < 0 || (o.key != "") != (o.id != 0) {
			return o, errors.New("-check: give both -id and -key to check a key, or neither")
		}
		return o, nil
	}
	switch {
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
	fail := cli.Failer("party", stderr)

	level, tcpLevel := slog.LevelInfo, slog.LevelInfo
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
	if o.check {
		return check(o, cfg, stdout, fail)
	}
	data, err := readInput(o.input, o.id)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	if data.warning != "" {
		log.Warn(data.warning)
	}
	if err := checkExplanation(o, cfg, data.input); err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	if err := cfg.CheckInput(data.input); err != nil {
		var ie *assess.InputError
		if errors.As(err, &ie) {
			return fail(cli.ExitUsage, "%s: %s %d is outside %d..%d, the bounds in %s", o.input, ie.Field, ie.Value, ie.Min, ie.Max, o.config)
		}
		return fail(cli.ExitUsage, "%v", err)
	}
	if st, err := os.Stat(o.key); err == nil && st.Mode().Perm()&0o077 != 0 {
		msg := fmt.Sprintf("the private key %s is accessible by group or others (mode %04o): chmod 600 it, or pass -allow-readable-key", o.key, st.Mode().Perm())
		if !o.readableKey {
			return fail(cli.ExitUsage, "%s", msg)
		}
		log.Warn(msg)
	}
	cert, err := cfg.LoadIdentity(o.id, o.key, o.cert)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	tcfg, err := cfg.TCP(o.id, cert, tcpLog)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	self := cfg.Parties[o.id-1]
	if o.id > 1 || o.listen != "" {
		// Listen before anything else, to say at once if this party's own
		// address is wrong.
		addr := self.Addr
		if o.listen != "" {
			addr = o.listen
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail(cli.ExitFailure, "%s", listenHint(err, addr, o, cfg))
		}
		tcfg.Listener = ln
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("connecting", "n", cfg.N(), "addr", self.Addr, "session", cfg.Session, "connect_timeout", cfg.ConnectTimeout)
	tr, err := connect(ctx, tcfg)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "connecting", stderr)
		}
		return fail(cli.ExitFailure, "%s", explain(err, cfg, false))
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
		if ctx.Err() != nil {
			return interrupted(ctx, "computing", stderr)
		}
		return fail(cli.ExitFailure, "%s", explain(err, cfg, true))
	}
	resolved := cfg.Resolved()
	own := cfg.Score(data.input)
	r := &report.Report{
		Mode:     fmt.Sprintf("party %d of %d, over TCP with mutual TLS", o.id, cfg.N()),
		Source:   data.source,
		Session:  cfg.Session,
		Config:   &resolved,
		Got:      res,
		OneParty: true,
		OwnScore: &own,
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

// interrupted reports that a signal stopped the party: the operator's
// doing, not another party's.
func interrupted(ctx context.Context, during string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "party: interrupted (%v) while %s: stopped by this organisation, not by a failure of another party\n", context.Cause(ctx), during)
	return cli.ExitInterrupted
}

// check prints what organisations compare before a run: the configuration
// hash, and each party's address and key fingerprint.
func check(o options, cfg *deploy.Config, stdout io.Writer, fail func(int, string, ...any) int) int {
	if o.key != "" {
		if _, err := cfg.LoadIdentity(o.id, o.key, o.cert); err != nil {
			return fail(cli.ExitUsage, "%v", err)
		}
	}
	h := cfg.SessionHash()
	fmt.Fprintf(stdout, "configuration      %s\n", o.config)
	fmt.Fprintf(stdout, "session            %s\n", cfg.Session)
	fmt.Fprintf(stdout, "configuration hash sha256:%s\n", hex.EncodeToString(h[:]))
	a := cfg.Resolved()
	fmt.Fprintf(stdout, "assessment         T = %d, K = %d, score %s (%d..%d), %s, maximum %s\n",
		a.Threshold, a.AlertLevel, report.ScoreFormula(a.Weights), a.ScoreMin, a.ScoreMax, a.Security, report.Protocol(a))
	var opts []string
	if a.MaxBits > 0 {
		opts = append(opts, fmt.Sprintf("max_bits %d", a.MaxBits))
	}
	if a.StepBits > 1 {
		opts = append(opts, fmt.Sprintf("step_bits %d", a.StepBits))
	}
	if a.Epsilon > 0 {
		opts = append(opts, fmt.Sprintf("noise on sum and count, ε = %g", a.Epsilon))
	}
	if len(a.Percentiles) > 0 {
		opts = append(opts, fmt.Sprintf("percentiles %v", a.Percentiles))
	}
	if len(opts) == 0 {
		opts = []string{"none"}
	}
	fmt.Fprintf(stdout, "options            %s\n", strings.Join(opts, "; "))
	for _, p := range cfg.Parties {
		fmt.Fprintf(stdout, "party %d  %s  %s\n", p.ID, p.Addr, p.Fingerprint)
	}
	if o.key != "" {
		fmt.Fprintf(stdout, "key                %s is party %d's\n", o.key, o.id)
	}
	fmt.Fprintf(stdout, "The parties accept each other only if every organisation's file gives the same configuration hash.\n")
	return cli.ExitOK
}

// listenHint explains why this party cannot listen on addr.
func listenHint(err error, addr string, o options, cfg *deploy.Config) string {
	where := fmt.Sprintf("party %d's address in %s", o.id, o.config)
	if o.listen != "" {
		where = "given with -listen"
	}
	msg := fmt.Sprintf("cannot listen on %s, %s: %v", addr, where, err)
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return msg + "\nparty: another program, or another party process, listens there: stop it, or agree on another port with the other organisations"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.As(err, &dns) && o.listen == "":
		return msg + fmt.Sprintf("\nparty: this machine does not have that address: check -id (%d) and its entry in the configuration; "+
			"if the others reach this machine through NAT or a load balancer, listen on a local address with -listen (for example -listen :%s)",
			o.id, portOf(addr))
	case errors.Is(err, syscall.EACCES):
		return msg + "\nparty: ports below 1024 need privileges: use a higher port"
	}
	return msg
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "PORT"
	}
	return port
}

// explain turns a network or protocol failure into a message that names
// the party concerned, what this party saw it do and, where it helps, what
// to check. computing tells whether the failure happened in the
// computation (under its timeout) rather than while connecting.
func explain(err error, cfg *deploy.Config, computing bool) string {
	msg := err.Error()
	timedOut := computing && errors.Is(err, context.DeadlineExceeded)
	var ae *ops.AbortError
	if errors.As(err, &ae) && ae.Origin >= 1 && ae.Origin <= cfg.N() {
		// Relayed: the origin observed the cause; this party only heard of it.
		origin := cfg.Parties[ae.Origin-1]
		return fmt.Sprintf("%s\nparty: stopped on the report of party %d (%s), which observed the failure; its log says more",
			msg, origin.ID, origin.Addr)
	}
	var ice *ops.InputCheckError
	if errors.As(err, &ice) && ice.Party >= 1 && ice.Party <= cfg.N() {
		bad := cfg.Parties[ice.Party-1]
		return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s): its inputs failed their verification", msg, bad.ID, bad.Addr)
	}
	if errors.Is(err, ops.ErrCheck) {
		return fmt.Sprintf("%s\nparty: a verification failed: some party deviated from the protocol, and the computation stopped before any result", msg)
	}
	var pe *cnet.PeerError
	if !errors.As(err, &pe) || pe.Party < 1 || pe.Party > cfg.N() {
		if timedOut {
			return fmt.Sprintf("%s\nparty: the computation did not finish within its timeout (%v)", msg, cfg.Assess.Timeout)
		}
		return msg
	}
	peer := cfg.Parties[pe.Party-1]
	switch {
	case timedOut:
		// Not an accusation: the party waited for may itself be waiting.
		return fmt.Sprintf("%s\nparty: the computation did not finish within its timeout (%v); this party was waiting for party %d (%s)",
			msg, cfg.Assess.Timeout, peer.ID, peer.Addr)
	case errors.Is(err, tcp.ErrSessionMismatch), errors.Is(err, ops.ErrConfigMismatch):
		return fmt.Sprintf("%s\nparty: party %d (%s) uses a different configuration: all parties must use the same cohort.json "+
			"(parties, addresses, keys, session and assessment parameters)", msg, peer.ID, peer.Addr)
	case errors.Is(err, tcp.ErrIdentity):
		return fmt.Sprintf("%s\nparty: party %d (%s) did not present the key that cohort.json pins for it, or does not accept ours", msg, peer.ID, peer.Addr)
	case errors.Is(err, cnet.ErrPeerClosed):
		return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s): it closed its connection (its program stopped or failed; its log says why)", msg, peer.ID, peer.Addr)
	case errors.Is(err, cnet.ErrPeerReset):
		return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s): its connection was reset (its machine or the network in between)", msg, peer.ID, peer.Addr)
	case errors.Is(err, cnet.ErrPeerSilent):
		return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s): it went silent (its program hangs, or the network is down)", msg, peer.ID, peer.Addr)
	case errors.Is(err, cnet.ErrBadFrame):
		return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s): it broke the wire protocol", msg, peer.ID, peer.Addr)
	}
	return fmt.Sprintf("%s\nparty: the failure concerns party %d (%s)", msg, peer.ID, peer.Addr)
}

// checkExplanation checks, when the configuration names the profile by
// which organisations derive their rows, that this party's row came from
// that profile: the explanation written beside the row names the profile
// and holds the same four values.
func checkExplanation(o options, cfg *deploy.Config, in assess.Input) error {
	want := cfg.Assess.InputsProfile
	if want == "" {
		if o.explain != "" {
			return fmt.Errorf("-explain: %s names no inputs_profile, so there is nothing to check the explanation against", o.config)
		}
		return nil
	}
	if o.explain == "" {
		return fmt.Errorf("%s requires rows derived by %s: give the explanation written with the row (-explain FILE, from examples/inputs -explain-json)", o.config, want)
	}
	e, err := derive.ReadExplanation(o.explain, 0)
	if err != nil {
		return err
	}
	if e.Profile != want {
		return fmt.Errorf("%s was derived by %s; %s requires %s", o.explain, e.Profile, o.config, want)
	}
	if e.Input != in {
		return fmt.Errorf("%s explains the values %v, but %s holds %v: derive the row again, or give the explanation that came with it", o.explain, e.Input.Values(), o.input, in.Values())
	}
	return nil
}
