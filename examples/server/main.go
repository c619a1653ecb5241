// Command server runs one server of a Cohort committee (package
// committee): it accepts the organisations' submissions over HTTPS until
// the campaign's deadline (or quorum), keeps them in its store, then
// computes the assessment with the other servers and serves the results.
//
// Usage:
//
//	go run ./examples/server -config campaign.json -id J -key DIR/serverJ.key -store FILE [-v]
//	go run ./examples/server -check -config campaign.json [-id J -key DIR/serverJ.key]
//
// The campaign file is described in package committee; every server and
// every organisation holds the same copy. The key and certificate come
// from keygen (the certificate is the key's name with .crt unless -cert
// says otherwise); the key must be readable by its owner only. The store
// is a bbolt file, created with mode 0600 on the first start and reused
// on every later one: a server restarted mid-campaign carries on from it,
// and refuses a store written for another campaign configuration.
//
// The server listens for organisations on its "api" address and for the
// other servers on its "mesh" address, or on -listen-api and -listen-mesh
// (behind NAT). It logs to stderr (-v for details), prints the results as
// one JSON line on stdout when the computation is done, and keeps serving
// them until it is stopped (Ctrl-C or SIGTERM).
//
// -check prints the campaign's hash, deadline and servers, and exits:
// operators and organisations compare the hash before the campaign opens.
//
// The exit code is 2 for invalid flags, configuration, key or store, 1
// when serving fails, and 130 when a signal stopped the server.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	stdnet "net"
	"os"
	"os/signal"
	"syscall"

	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/net/tcp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	config, key, cert, store string
	listenAPI, listenMesh    string
	id                       int
	check, verbose, readable bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "campaign.json", "the campaign `file`")
	fs.IntVar(&o.id, "id", 0, "this server's id `J` in the campaign")
	fs.StringVar(&o.key, "key", "", "this server's private key `file` (from keygen)")
	fs.StringVar(&o.cert, "cert", "", "this server's certificate `file` (default: the key's name with .crt)")
	fs.StringVar(&o.store, "store", "", "the store `file` (created on the first start)")
	fs.StringVar(&o.listenAPI, "listen-api", "", "listen for organisations on this `host:port` instead of the campaign's api address")
	fs.StringVar(&o.listenMesh, "listen-mesh", "", "listen for the other servers on this `host:port` instead of the campaign's mesh address")
	fs.BoolVar(&o.check, "check", false, "print the campaign's hash and servers, and exit")
	fs.BoolVar(&o.verbose, "v", false, "log details")
	fs.BoolVar(&o.readable, "allow-readable-key", false, "accept a private key file that group or others may access")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server -config campaign.json -id J -key serverJ.key -store FILE [-v]\n"+
			"       server -check -config campaign.json [-id J -key serverJ.key]\n\n"+
			"Runs one server of a Cohort committee.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	if o.check {
		if (o.key != "") != (o.id != 0) {
			return o, errors.New("-check: give both -id and -key to check a key, or neither")
		}
		return o, nil
	}
	switch {
	case o.id < 1:
		return o, errors.New("-id is required (server ids start at 1)")
	case o.key == "":
		return o, errors.New("-key is required")
	case o.store == "":
		return o, errors.New("-store is required")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("server", err, stderr)
	}
	fail := cli.Failer("server", stderr)
	c, err := committee.Load(o.config)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	var cert tls.Certificate
	if o.key != "" {
		if st, err := os.Stat(o.key); err == nil && st.Mode().Perm()&0o077 != 0 && !o.readable {
			return fail(cli.ExitUsage, "the key file %s has mode %v: group or others may read it (chmod 600, or -allow-readable-key)", o.key, st.Mode().Perm())
		}
		if cert, err = committee.LoadIdentity(o.key, o.cert); err != nil {
			return fail(cli.ExitUsage, "%v", err)
		}
		p, err := c.Server(o.id)
		if err != nil {
			return fail(cli.ExitUsage, "%v", err)
		}
		if pin := tcp.Fingerprint(cert.Leaf); pin != p.Fingerprint {
			return fail(cli.ExitUsage, "the key in %s has fingerprint %s, but the campaign lists %s for server %d: wrong key file or wrong -id", o.key, pin, p.Fingerprint, o.id)
		}
	}
	if o.check {
		fmt.Fprintf(stdout, "campaign %s: hash %s\ndeadline %s, %d organisations, %s\n", c.ID, c.HashHex(), c.Deadline.UTC().Format("2006-01-02T15:04:05Z07:00"), len(c.Organisations), c.Assess.Security)
		for _, p := range c.Servers {
			fmt.Fprintf(stdout, "server %d: api %s, mesh %s, %s\n", p.ID, p.API, p.Mesh, p.Fingerprint)
		}
		if o.key != "" {
			fmt.Fprintf(stdout, "the key in %s is server %d's\n", o.key, o.id)
		}
		return cli.ExitOK
	}

	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	st, err := committee.OpenStore(o.store, c)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	defer st.Close()
	srv, err := committee.NewServer(c, o.id, cert, st, committee.Options{Logger: log, ListenMesh: o.listenMesh})
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	me, _ := c.Server(o.id)
	apiAddr := me.API
	if o.listenAPI != "" {
		apiAddr = o.listenAPI
	}
	ln, err := stdnet.Listen("tcp", apiAddr)
	if err != nil {
		return fail(cli.ExitFailure, "listening for organisations: %v", err)
	}
	state, err := st.State()
	if err != nil {
		return fail(cli.ExitFailure, "%v", err)
	}
	log.Info("serving", "campaign", c.ID, "server", o.id, "api", ln.Addr().String(), "deadline", c.Deadline.UTC(), "submissions", state.Submissions, "pid", os.Getpid())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	apiErr := make(chan error, 1)
	go func() { apiErr <- srv.ServeAPI(ctx, ln) }()
	runErr := make(chan error, 1)
	go func() { runErr <- srv.Run(ctx) }()
	done := srv.Done()
	for {
		select {
		case <-done:
			done = nil
			out := srv.Outcome()
			line, _ := json.Marshal(out)
			fmt.Fprintf(stdout, "%s\n", line)
		case err := <-apiErr:
			stop()
			<-runErr
			if err != nil {
				return fail(cli.ExitFailure, "%v", err)
			}
			return fail(cli.ExitInterrupted, "stopped")
		case err := <-runErr:
			stop()
			<-apiErr
			if err != nil && !errors.Is(err, context.Canceled) {
				return fail(cli.ExitFailure, "%v", err)
			}
			return fail(cli.ExitInterrupted, "stopped")
		}
	}
}
