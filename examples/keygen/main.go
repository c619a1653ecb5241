// Command keygen creates the long-term identities of Cohort parties: a
// private key and a self-signed certificate for it, which pins the key.
//
// Usage:
//
//	go run ./examples/keygen -out DIR -id I [-addr HOST:PORT]
//	go run ./examples/keygen -out DIR -n N [-host HOST] [-base-port P] [-session S]
//
// With -id, keygen writes party I's key to DIR/partyI.key (mode 0600; keep
// it secret) and its certificate to DIR/partyI.crt, and prints the line the
// organisation sends to the others: its entry for the "parties" list of
// cohort.json, with its id and the certificate's fingerprint (and its
// address, when -addr is given). Nothing else about the key needs to be
// exchanged; the fingerprint is the root of trust, so compare it over a
// channel you trust.
//
// With -n, keygen is a convenience for local trials: it writes N parties'
// keys and certificates to DIR and a ready DIR/cohort.json that lists them
// on HOST (default 127.0.0.1) at ports P, P+1, …, or at free ports it picks
// when -base-port is 0 (the default).
//
// keygen refuses to overwrite existing files, and writes all its files or,
// when anything fails, none: each is written to a temporary file, synced,
// and only then given its name. The exit code is 0 on
// success, 2 for invalid flags and 1 when writing fails.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	stdnet "net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/atomicfile"
	"github.com/cohortmpc/cohort/internal/cli"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/internal/pubcfg"
	"github.com/cohortmpc/cohort/net/tcp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// maxN bounds -n: every party of a local trial connects to every other.
const maxN = 1000

type options struct {
	out            string
	id             int
	addr           string
	n              int
	host           string
	basePort       int
	session        string
	timeout        time.Duration
	connectTimeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "", "write the files to this `dir` (created if needed)")
	fs.IntVar(&o.id, "id", 0, "write the identity of party `I` (1..n)")
	fs.StringVar(&o.addr, "addr", "", "with -id: the `host:port` this party listens on, for the printed entry")
	fs.IntVar(&o.n, "n", 0, "local trial: write `N` identities and a cohort.json")
	fs.StringVar(&o.host, "host", "127.0.0.1", "with -n: the host all parties listen on")
	fs.IntVar(&o.basePort, "base-port", 0, "with -n: party i listens on `port` base-port+i−1 (0: pick free ports)")
	fs.StringVar(&o.session, "session", "", "with -n: the session id (default: local- and random hex)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "with -n: the computation's timeout in cohort.json")
	fs.DurationVar(&o.connectTimeout, "connect-timeout", time.Minute, "with -n: the connect timeout in cohort.json")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  keygen -out DIR -id I [-addr HOST:PORT]\n  keygen -out DIR -n N [-host HOST] [-base-port P]\n\n"+
			"Writes Cohort party identities (private key and self-signed certificate).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case o.out == "":
		return o, errors.New("-out is required")
	case set["id"] == set["n"]:
		return o, errors.New("give either -id (one party) or -n (a local trial)")
	}
	if set["id"] {
		for _, name := range []string{"host", "base-port", "session", "timeout", "connect-timeout"} {
			if set[name] {
				return o, fmt.Errorf("-%s applies only with -n", name)
			}
		}
		if o.id < 1 {
			return o, fmt.Errorf("-id %d: party ids start at 1", o.id)
		}
		if o.addr != "" {
			if _, _, err := stdnet.SplitHostPort(o.addr); err != nil {
				return o, fmt.Errorf("-addr %q is not host:port", o.addr)
			}
		}
		return o, nil
	}
	if set["addr"] {
		return o, errors.New("-addr applies only with -id (use -host and -base-port with -n)")
	}
	if o.n < assess.DefaultMinParties || o.n > maxN {
		return o, fmt.Errorf("-n %d: want %d..%d (smaller groups are refused: see package assess)", o.n, assess.DefaultMinParties, maxN)
	}
	if o.basePort < 0 || o.basePort+o.n-1 > 65535 {
		return o, fmt.Errorf("-base-port %d: ports %d..%d are not all valid", o.basePort, o.basePort, o.basePort+o.n-1)
	}
	if o.timeout <= 0 || o.connectTimeout <= 0 {
		return o, errors.New("-timeout and -connect-timeout must be positive")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return cli.UsageExit("keygen", err, stderr)
	}
	if o.n > 0 {
		err = writeTrial(o, stdout)
	} else {
		err = writeOne(o, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "keygen: %v\n", err)
		return cli.ExitFailure
	}
	return cli.ExitOK
}

// keyFile and certFile are the names of party id's files.
func keyFile(id int) string  { return fmt.Sprintf("party%d.key", id) }
func certFile(id int) string { return fmt.Sprintf("party%d.crt", id) }

// identity generates party id's key and certificate as files in dir, and
// returns them with the certificate's fingerprint.
func identity(dir string, id int) ([]atomicfile.File, string, error) {
	certPEM, keyPEM, err := tcp.GenerateIdentity()
	if err != nil {
		return nil, "", err
	}
	pin, err := tcp.FingerprintPEM(certPEM)
	if err != nil {
		return nil, "", err
	}
	return []atomicfile.File{
		{Path: filepath.Join(dir, keyFile(id)), Data: keyPEM, Perm: 0o600},
		{Path: filepath.Join(dir, certFile(id)), Data: certPEM, Perm: 0o644},
	}, pin, nil
}

func writeOne(o options, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	files, pin, err := identity(o.out, o.id)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(files...); err != nil {
		return err
	}
	entry := deploy.FileParty{ID: o.id, Addr: o.addr, Fingerprint: pin}
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	if o.addr == "" {
		// Keep the address's place visible for the organisation to fill in.
		line, err = json.Marshal(struct {
			ID          int    `json:"id"`
			Addr        string `json:"addr"`
			Fingerprint string `json:"fingerprint"`
		}{o.id, "HOST:PORT", pin})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "keygen: wrote %s (secret, mode 0600) and %s\n", filepath.Join(o.out, keyFile(o.id)), filepath.Join(o.out, certFile(o.id)))
	fmt.Fprintf(stderr, "keygen: send this line to the other organisations for the \"parties\" list of cohort.json:\n")
	fmt.Fprintf(stdout, "%s\n", line)
	return nil
}

func writeTrial(o options, stdout io.Writer) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	cfgPath := filepath.Join(o.out, "cohort.json")
	if _, err := os.Lstat(cfgPath); err == nil {
		return &atomicfile.ExistsError{Path: cfgPath}
	}
	ports, err := pickPorts(o)
	if err != nil {
		return err
	}
	session := o.session
	if session == "" {
		var b [8]byte
		rand.Read(b[:])
		session = "local-" + hex.EncodeToString(b[:])
	}
	f := deploy.File{
		Session: session,
		Assessment: pubcfg.Assessment{
			Threshold:  new(assess.DefaultThreshold),
			AlertLevel: new(assess.DefaultAlertLevel(o.n)),
		},
		MinParties:     new(assess.DefaultMinParties),
		Timeout:        o.timeout.String(),
		ConnectTimeout: o.connectTimeout.String(),
	}
	var files []atomicfile.File
	for id := 1; id <= o.n; id++ {
		idFiles, _, err := identity(o.out, id)
		if err != nil {
			return err
		}
		files = append(files, idFiles...)
		f.Parties = append(f.Parties, deploy.FileParty{
			ID:   id,
			Addr: stdnet.JoinHostPort(o.host, strconv.Itoa(ports[id-1])),
			Cert: certFile(id),
		})
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	files = append(files, atomicfile.File{Path: cfgPath, Data: data, Perm: 0o644})
	// All files or none: a failure leaves no partial set behind.
	if err := atomicfile.WriteNew(files...); err != nil {
		return err
	}
	if _, err := deploy.Load(cfgPath); err != nil {
		for _, f := range files {
			os.Remove(f.Path)
		}
		return fmt.Errorf("the configuration written is not valid: %w", err)
	}
	fmt.Fprintf(stdout, "%s\n", cfgPath)
	return nil
}

// pickPorts returns the n ports of a local trial: base-port onwards, or
// ports the system reports free on the host when base-port is 0 (another
// program may still take one before the parties start).
func pickPorts(o options) ([]int, error) {
	ports := make([]int, o.n)
	if o.basePort > 0 {
		for i := range ports {
			ports[i] = o.basePort + i
		}
		return ports, nil
	}
	var lns []stdnet.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := range ports {
		ln, err := stdnet.Listen("tcp", stdnet.JoinHostPort(o.host, "0"))
		if err != nil {
			return nil, fmt.Errorf("finding a free port on %s: %w", o.host, err)
		}
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*stdnet.TCPAddr).Port
	}
	return ports, nil
}
