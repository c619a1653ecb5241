// Command loadgen measures a Cohort committee (package committee) under
// load: it sets up a local campaign with many organisations, then submits
// for all of them at once, over HTTPS with each organisation's own key, as
// separate organisations would.
//
// Usage:
//
//	go run ./examples/loadgen -setup DIR -orgs N [-servers M] [-deadline 10m] [-quorum Q] [-security S]
//	go run ./examples/loadgen -config DIR/campaign.json -keys DIR/orgs.pem -inputs DIR/inputs.csv [-concurrency C] [-json]
//	go run ./examples/loadgen -config DIR/campaign.json -keys DIR/orgs.pem -status | -results [-inputs DIR/inputs.csv]
//
// -setup writes, into the new or empty directory DIR: the campaign file
// (M servers on 127.0.0.1 at free ports, N organisations org00001…, the
// deadline that far from now, an optional quorum), the servers' keys and
// certificates (serverJ.key, serverJ.crt), every organisation's key and
// certificate in one PEM file (orgs.pem, mode 0600; each block's Org
// header names the organisation), and synthetic inputs (inputs.csv, with
// an org column). The servers are then started with examples/server.
//
// The second form submits every organisation's row of the inputs, C at a
// time, each with a new client (a new TLS connection to every server), and
// prints how many succeeded, the submissions per second and the latency of
// one submission (to all servers) at the 50th, 90th and 99th percentiles.
// -status prints every server's state and number of submissions; -results
// fetches the results (accepting them only when all servers agree) and,
// with -inputs, checks them against the plaintext computation.
//
// The exit code is 0 on success, 2 for invalid flags or files, and 1 when
// a submission failed or the results are not there or not right.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	stdnet "net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/committee"
	"github.com/cohortmpc/cohort/internal/atomicfile"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/inputs"
	"github.com/cohortmpc/cohort/net/tcp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	setup, config, keys, input, security string
	orgs, servers, quorum, concurrency   int
	deadline                             time.Duration
	status, results, json                bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.setup, "setup", "", "write a local campaign into this new or empty `dir`")
	fs.IntVar(&o.orgs, "orgs", 1000, "with -setup: the number of organisations")
	fs.IntVar(&o.servers, "servers", 3, "with -setup: the number of servers")
	fs.DurationVar(&o.deadline, "deadline", 10*time.Minute, "with -setup: the deadline, from now")
	fs.IntVar(&o.quorum, "quorum", 0, "with -setup: close submissions at this many (0: at the deadline)")
	fs.StringVar(&o.security, "security", "semi-honest", "with -setup: semi-honest or malicious")
	fs.StringVar(&o.config, "config", "", "the campaign `file`")
	fs.StringVar(&o.keys, "keys", "", "the organisations' keys (`orgs.pem` from -setup)")
	fs.StringVar(&o.input, "inputs", "", "the organisations' inputs (`inputs.csv` from -setup)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "submissions in flight at once")
	fs.BoolVar(&o.status, "status", false, "print every server's status")
	fs.BoolVar(&o.results, "results", false, "fetch the results (and check them against -inputs)")
	fs.BoolVar(&o.json, "json", false, "print the load figures as JSON")
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.setup != "":
		if o.orgs < 1 || o.servers < 3 || o.deadline <= 0 || o.quorum < 0 || o.quorum > o.orgs {
			return o, errors.New("-setup needs -orgs ≥ 1, -servers ≥ 3, a positive -deadline and 0 ≤ -quorum ≤ -orgs")
		}
	case o.config == "" || o.keys == "":
		return o, errors.New("give -setup DIR, or -config and -keys")
	case o.status && o.results:
		return o, errors.New("give -status or -results, not both")
	case !o.status && !o.results && o.input == "":
		return o, errors.New("-inputs is required to submit")
	case o.concurrency < 1:
		return o, errors.New("-concurrency must be positive")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("loadgen", err, stderr)
	}
	if o.setup != "" {
		if err := setup(o, stdout); err != nil {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
			return cli.ExitFailure
		}
		return cli.ExitOK
	}
	c, err := committee.Load(o.config)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return cli.ExitUsage
	}
	keys, err := readKeys(o.keys)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return cli.ExitUsage
	}
	var rows []inputs.Row
	if o.input != "" {
		if rows, err = inputs.ReadCSVFile(o.input); err != nil {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
			return cli.ExitUsage
		}
	}
	if o.status || o.results {
		return query(o, c, keys, rows, stdout, stderr)
	}
	return load(o, c, keys, rows, stdout, stderr)
}

// setup writes a local campaign.
func setup(o options, stdout io.Writer) error {
	if err := os.MkdirAll(o.setup, 0o755); err != nil {
		return err
	}
	if ents, err := os.ReadDir(o.setup); err != nil || len(ents) > 0 {
		return fmt.Errorf("%s is not an empty directory", o.setup)
	}
	var files []atomicfile.File
	ports, err := freePorts(2 * o.servers)
	if err != nil {
		return err
	}
	var servers []committee.Peer
	for j := 1; j <= o.servers; j++ {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		if err != nil {
			return err
		}
		pin, _ := tcp.FingerprintPEM(certPEM)
		files = append(files,
			atomicfile.File{Path: filepath.Join(o.setup, fmt.Sprintf("server%d.key", j)), Data: keyPEM, Perm: 0o600},
			atomicfile.File{Path: filepath.Join(o.setup, fmt.Sprintf("server%d.crt", j)), Data: certPEM, Perm: 0o644})
		servers = append(servers, committee.Peer{ID: j, API: ports[2*j-2], Mesh: ports[2*j-1], Fingerprint: pin})
	}
	var orgs []committee.Organisation
	var bundle []byte
	ins, err := inputs.Generate(o.orgs, "mixed", time.Now().UnixNano())
	if err != nil {
		return err
	}
	rows := make([]inputs.Row, o.orgs)
	for i := range o.orgs {
		id := fmt.Sprintf("org%05d", i+1)
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		if err != nil {
			return err
		}
		pin, _ := tcp.FingerprintPEM(certPEM)
		orgs = append(orgs, committee.Organisation{ID: id, Fingerprint: pin})
		for _, b := range [][]byte{certPEM, keyPEM} {
			blk, _ := pem.Decode(b)
			blk.Headers = map[string]string{"Org": id}
			bundle = append(bundle, pem.EncodeToMemory(blk)...)
		}
		rows[i] = inputs.Row{Org: id, Input: ins[i]}
	}
	f := map[string]any{
		"campaign":        fmt.Sprintf("local-%d", time.Now().Unix()),
		"deadline":        time.Now().Add(o.deadline).UTC().Format(time.RFC3339),
		"servers":         servers,
		"organisations":   orgs,
		"security":        o.security,
		"timeout":         "10m",
		"connect_timeout": "30s",
	}
	if o.quorum > 0 {
		f["quorum"] = o.quorum
	}
	cfg, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if _, err := committee.Parse(cfg); err != nil {
		return err
	}
	var csv bytes.Buffer
	if err := inputs.WriteCSV(&csv, rows); err != nil {
		return err
	}
	files = append(files,
		atomicfile.File{Path: filepath.Join(o.setup, "campaign.json"), Data: append(cfg, '\n'), Perm: 0o644},
		atomicfile.File{Path: filepath.Join(o.setup, "orgs.pem"), Data: bundle, Perm: 0o600},
		atomicfile.File{Path: filepath.Join(o.setup, "inputs.csv"), Data: csv.Bytes(), Perm: 0o600})
	if err := atomicfile.WriteNew(files...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", filepath.Join(o.setup, "campaign.json"))
	return nil
}

// freePorts returns n loopback addresses whose ports were free a moment
// ago.
func freePorts(n int) ([]string, error) {
	var out []string
	for range n {
		ln, err := stdnet.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out, nil
}

// readKeys reads orgs.pem: for each organisation, its certificate and key.
func readKeys(path string) (map[string]tls.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs := map[string][]byte{}
	out := map[string]tls.Certificate{}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		id := b.Headers["Org"]
		delete(b.Headers, "Org")
		if b.Type == "CERTIFICATE" {
			certs[id] = pem.EncodeToMemory(b)
			continue
		}
		cert, err := tcp.LoadIdentity(certs[id], pem.EncodeToMemory(b))
		if err != nil {
			return nil, fmt.Errorf("%s: organisation %q: %w", path, id, err)
		}
		out[id] = cert
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no organisation's key", path)
	}
	return out, nil
}

// figures are what a load run measured.
type figures struct {
	Submissions int     `json:"submissions"`
	Failed      int     `json:"failed"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"per_second"`
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
}

func load(o options, c *committee.Campaign, keys map[string]tls.Certificate, rows []inputs.Row, stdout, stderr io.Writer) int {
	ctx := context.Background()
	lat := make([]time.Duration, len(rows))
	var failed atomic.Int64
	var shown atomic.Int64
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.concurrency {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				err := submitOne(ctx, c, keys, rows[i])
				lat[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					if shown.Add(1) <= 5 {
						fmt.Fprintf(stderr, "loadgen: %s: %v\n", rows[i].Org, err)
					}
				}
			}
		})
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	f := figures{Submissions: len(rows), Failed: int(failed.Load()), Concurrency: o.concurrency, Seconds: wall.Seconds(),
		PerSecond: float64(len(rows)) / wall.Seconds(), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Max: float64(lat[len(lat)-1].Microseconds()) / 1000}
	if o.json {
		line, _ := json.Marshal(f)
		fmt.Fprintf(stdout, "%s\n", line)
	} else {
		fmt.Fprintf(stdout, "%d submissions to %d servers (%d failed), %d at a time: %.2f s, %.0f submissions/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
			f.Submissions, c.M(), f.Failed, f.Concurrency, f.Seconds, f.PerSecond, f.P50, f.P90, f.P99, f.Max)
	}
	if f.Failed > 0 {
		return cli.ExitFailure
	}
	return cli.ExitOK
}

func submitOne(ctx context.Context, c *committee.Campaign, keys map[string]tls.Certificate, row inputs.Row) error {
	cert, ok := keys[row.Org]
	if !ok {
		return errors.New("no key for this organisation")
	}
	cl, err := committee.NewClient(c, row.Org, cert)
	if err != nil {
		return err
	}
	defer cl.Close()
	_, err = cl.Submit(ctx, row.Input)
	return err
}

func query(o options, c *committee.Campaign, keys map[string]tls.Certificate, rows []inputs.Row, stdout, stderr io.Writer) int {
	org := c.Organisations[0].ID
	cl, err := committee.NewClient(c, org, keys[org])
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return cli.ExitUsage
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if o.status {
		st, errs := cl.Status(ctx)
		code := cli.ExitOK
		for j, s := range st {
			if errs[j] != nil {
				fmt.Fprintf(stdout, "server %d: %v\n", j+1, errs[j])
				code = cli.ExitFailure
				continue
			}
			line, _ := json.Marshal(s)
			fmt.Fprintf(stdout, "%s\n", line)
		}
		return code
	}
	res, err := cl.Results(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return cli.ExitFailure
	}
	line, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "%s\n", line)
	if rows == nil {
		return cli.ExitOK
	}
	ins := make([]assess.Input, len(rows))
	for i, r := range rows {
		ins[i] = r.Input
	}
	want, err := assess.Expected(ins, c.Assess)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return cli.ExitFailure
	}
	if want.Sum != res.Sum || want.AtOrAbove != res.AtOrAbove || want.Max != res.Max || want.Alert != res.Alert || len(rows) != res.Organisations {
		fmt.Fprintf(stdout, "WRONG: the plaintext gives %d organisations, sum %d, %d at or above, max %d\n", len(rows), want.Sum, want.AtOrAbove, want.Max)
		return cli.ExitFailure
	}
	fmt.Fprintf(stdout, "verified: the plaintext computation on all %d inputs gives the same\n", len(rows))
	return cli.ExitOK
}
