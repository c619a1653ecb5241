// Command inputs turns an organisation's own scanner reports into the
// one-row CSV that the simulate and party programs read: cvss_score,
// critical_vulnerabilities, patch_delay and asset_exposure, derived locally
// by the profile cohort-inputs/v1 of package assess/derive, with an
// explanation of every number.
//
// Usage:
//
//	go run ./examples/inputs derive [flags] report...
//
// Reports are Trivy, Grype, OSV-Scanner, CycloneDX or SARIF JSON, Nessus
// v2 or Greenbone XML, or Greenbone CSV, detected from their content (or
// named with -format). -kev, -epss and -inventory name the side files,
// -first-seen the record kept between runs. The row goes to -out (written
// atomically) or standard output; the explanation to standard output when
// the row goes to a file, else to standard error; -explain-json writes it
// as JSON with the SHA-256 of every input. Run with -h for all flags.
//
// The exit code is 0 on success, 2 for invalid flags or input (nothing is
// written then), and 1 when writing an output fails.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // -tz names zones on machines without a zone database

	"github.com/cohortmpc/cohort/assess/derive"
	"github.com/cohortmpc/cohort/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageHead = `Usage: inputs derive [flags] report...

Derives this organisation's row of inputs (cvss_score, critical_vulnerabilities,
patch_delay, asset_exposure) from its own scanner reports, locally, by the
profile ` + derive.Profile + `, and explains every number.
`

const usageBody = `
Reports, detected from their content or named with -format:
  trivy          Trivy JSON (SchemaVersion 2)
  grype          Grype JSON
  osv            OSV-Scanner JSON
  cyclonedx      CycloneDX 1.5-1.7 JSON with vulnerabilities
  sarif          SARIF 2.1.0 (security-severity)
  nessus         Nessus .nessus v2 XML (HOST_END has no zone: give -tz)
  greenbone-xml  Greenbone/OpenVAS report XML
  greenbone-csv  Greenbone/OpenVAS CSV results export
Any file may be gzip-compressed.

Rules (go doc github.com/cohortmpc/cohort/assess/derive has them in full):
  open findings only: VEX not_affected, suppressed, resolved, withdrawn and
    informational entries are dropped and counted
  one finding per (vulnerability, CVE aliases resolved; asset; component)
  one score per finding: NVD CVSS v3.x, else a vendor's v3.x, else v4.0,
    else a score of unstated version, else the label's band (critical 9.0,
    high 7.0, medium 4.0, low 1.0), else CVSS v2 (flagged)
  cvss_score               round(10 x the highest open score) (-p95: 95th percentile)
  critical_vulnerabilities distinct vulnerabilities scored 9.0 or more
  patch_delay              mean of min(365, days since the fix appeared) over open
                           high/critical findings with a fix: the report's fix date,
                           else first sight (-first-seen), else the publication date
  asset_exposure           criticality-weighted share of affected assets that face
                           the internet (-inventory), else the share with a KEV entry
                           or EPSS >= 0.1 (-kev, -epss), else give -exposure
  as-of day: the reports' (one UTC day), or -as-of; never the clock

Flags:
`

// options are the parsed command-line flags.
type options struct {
	reports     []string
	out         string
	org         string
	asOf        time.Time
	tz          *time.Location
	format      derive.Format
	kev         string
	epss        string
	inventory   string
	firstSeen   string
	explainJSON string
	p95         bool
	exposure    *int
	patchDelay  *int
	maxSize     int64
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("inputs derive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "", "write the row to this CSV `file` (atomically) instead of standard output")
	fs.StringVar(&o.org, "org", "", "the organisation's `name` for the org column (none when empty)")
	asOf := fs.String("as-of", "", "the `day` (YYYY-MM-DD, UTC) the values are for (default: the reports' day)")
	tz := fs.String("tz", "", "time `zone` of report times written without one, such as Nessus' HOST_END (UTC, Europe/Berlin, …)")
	format := fs.String("format", "auto", "report `format`: auto, "+formatNames())
	fs.StringVar(&o.kev, "kev", "", "CISA KEV catalog JSON `file`")
	fs.StringVar(&o.epss, "epss", "", "FIRST EPSS scores CSV `file` (plain or gzip)")
	fs.StringVar(&o.inventory, "inventory", "", "asset inventory CSV `file` with columns asset,internet_facing,criticality")
	fs.StringVar(&o.firstSeen, "first-seen", "", "record of first sights kept between runs: read, then rewritten atomically (`file`; created when missing)")
	fs.StringVar(&o.explainJSON, "explain-json", "", "also write the explanation as JSON to this `file`")
	fs.BoolVar(&o.p95, "p95", false, "take cvss_score from the 95th percentile of the open scores (profile "+derive.Profile+"+p95)")
	exposure := fs.String("exposure", "", "give asset_exposure (0..100) instead of deriving it")
	patchDelay := fs.String("patch-delay", "", "give patch_delay (days, 0..3650) instead of deriving it")
	maxSize := fs.String("max-size", "256MiB", "refuse files larger than this `size` (bytes, or with KiB, MiB, GiB)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead, usageBody)
		fs.PrintDefaults()
	}
	// Flags may come before, between and after the reports.
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return o, err
			}
			return o, cli.ErrFlagsPrinted
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			o.reports = append(o.reports, rest[1:]...)
			break
		}
		o.reports = append(o.reports, rest[0])
		rest = rest[1:]
	}
	if len(o.reports) == 0 {
		return o, errors.New("no reports: name at least one scanner report (see -h)")
	}
	var err error
	if o.format, err = derive.ParseFormat(*format); err != nil {
		return o, fmt.Errorf("-format: %v", strings.TrimPrefix(err.Error(), "derive: "))
	}
	if *asOf != "" {
		if o.asOf, err = time.Parse("2006-01-02", *asOf); err != nil {
			return o, fmt.Errorf("-as-of %q: want a day as YYYY-MM-DD", *asOf)
		}
	}
	if *tz != "" {
		if o.tz, err = time.LoadLocation(*tz); err != nil {
			return o, fmt.Errorf("-tz %q: unknown time zone (want UTC or a name such as Europe/Berlin)", *tz)
		}
	}
	if o.exposure, err = intFlag("exposure", *exposure, 100); err != nil {
		return o, err
	}
	if o.patchDelay, err = intFlag("patch-delay", *patchDelay, 3650); err != nil {
		return o, err
	}
	if o.maxSize, err = parseSize(*maxSize); err != nil {
		return o, fmt.Errorf("-max-size %q: %v", *maxSize, err)
	}
	// An output must not overwrite an input or another output.
	inputs := map[string]string{}
	for _, p := range append(append([]string{}, o.reports...), o.kev, o.epss, o.inventory) {
		if p != "" {
			inputs[filepath.Clean(p)] = p
		}
	}
	outs := map[string]string{}
	for _, f := range []struct{ flag, path string }{{"-out", o.out}, {"-explain-json", o.explainJSON}, {"-first-seen", o.firstSeen}} {
		if f.path == "" {
			continue
		}
		c := filepath.Clean(f.path)
		if _, clash := inputs[c]; clash {
			return o, fmt.Errorf("%s %s would overwrite an input", f.flag, f.path)
		}
		if prev, clash := outs[c]; clash {
			return o, fmt.Errorf("%s and %s name the same file %s", prev, f.flag, f.path)
		}
		outs[c] = f.flag
	}
	return o, nil
}

func formatNames() string {
	var names []string
	for _, f := range derive.Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

func intFlag(name, s string, max int) (*int, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > max {
		return nil, fmt.Errorf("-%s %q: want a whole number 0..%d", name, s, max)
	}
	return &v, nil
}

// parseSize reads a size in bytes, with an optional KiB, MiB or GiB.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v <= 0 || v > (1<<40)/mult {
		return 0, errors.New("want a positive size such as 512MiB")
	}
	return v * mult, nil
}

// hint says which flag resolves an error of the derivation.
func hint(err error) string {
	switch {
	case errors.Is(err, derive.ErrNoAsOf):
		return " (give -as-of YYYY-MM-DD)"
	case errors.Is(err, derive.ErrNoExposureSource):
		return " (give -inventory, -kev or -epss, or the value with -exposure N)"
	case errors.Is(err, derive.ErrNoPatchDates):
		return " (keep a record with -first-seen FILE, or give the value with -patch-delay N)"
	case strings.Contains(err.Error(), "has no time zone"):
		return " (give -tz)"
	case strings.Contains(err.Error(), "reports for different days"):
		return " (-as-of YYYY-MM-DD)"
	case strings.Contains(err.Error(), "is larger than the limit"):
		return " (-max-size)"
	}
	return ""
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usageHead)
		fmt.Fprint(stderr, "\nModes:\n  derive   write the row of inputs derived from scanner reports\n\nRun 'inputs derive -h' for the formats, rules and flags.\n")
		if len(args) == 0 {
			return cli.ExitUsage
		}
		return cli.ExitOK
	}
	if args[0] != "derive" {
		fmt.Fprintf(stderr, "inputs: unknown mode %q (want derive; see -h)\n", args[0])
		return cli.ExitUsage
	}
	o, err := parseFlags(args[1:], stderr)
	if err != nil {
		return cli.UsageExit("inputs", err, stderr)
	}
	res, err := deriveRow(o)
	if err != nil {
		fmt.Fprintf(stderr, "inputs: %v%s\n", err, hint(err))
		return cli.ExitUsage
	}
	var row bytes.Buffer
	if err := res.WriteCSV(&row, o.org); err != nil {
		fmt.Fprintf(stderr, "inputs: %v\n", err)
		return cli.ExitUsage
	}
	explain := stderr
	if o.out != "" {
		explain = stdout
	}
	// Every output is complete before any replaces an existing file.
	if o.explainJSON != "" {
		if err := derive.WriteFileAtomic(o.explainJSON, res.JSON(), 0o644); err != nil {
			fmt.Fprintf(stderr, "inputs: %v\n", err)
			return cli.ExitFailure
		}
	}
	if o.firstSeen != "" && res.FirstSeen != nil {
		if err := res.FirstSeen.WriteFile(o.firstSeen); err != nil {
			fmt.Fprintf(stderr, "inputs: %v\n", err)
			return cli.ExitFailure
		}
	}
	if o.out != "" {
		if err := derive.WriteFileAtomic(o.out, row.Bytes(), 0o644); err != nil {
			fmt.Fprintf(stderr, "inputs: %v\n", err)
			return cli.ExitFailure
		}
	} else if _, err := stdout.Write(row.Bytes()); err != nil {
		fmt.Fprintf(stderr, "inputs: writing the row: %v\n", err)
		return cli.ExitFailure
	}
	fmt.Fprint(explain, res.Text())
	for _, w := range []struct{ what, path string }{{"row", o.out}, {"explanation", o.explainJSON}, {"first-seen record", o.firstSeen}} {
		if w.path != "" {
			fmt.Fprintf(explain, "wrote the %s to %s\n", w.what, w.path)
		}
	}
	return cli.ExitOK
}

// deriveRow reads every input and derives the row.
func deriveRow(o options) (*derive.Result, error) {
	opt := derive.Options{AsOf: o.asOf, Percentile95: o.p95, Exposure: o.exposure, PatchDelay: o.patchDelay}
	var err error
	if o.kev != "" {
		if opt.KEV, err = derive.ReadKEV(o.kev, o.maxSize); err != nil {
			return nil, err
		}
	}
	if o.epss != "" {
		if opt.EPSS, err = derive.ReadEPSS(o.epss, o.maxSize); err != nil {
			return nil, err
		}
	}
	if o.inventory != "" {
		if opt.Inventory, err = derive.ReadInventory(o.inventory, o.maxSize); err != nil {
			return nil, err
		}
	}
	if o.firstSeen != "" {
		if opt.FirstSeen, err = derive.ReadFirstSeen(o.firstSeen, o.maxSize); err != nil {
			return nil, err
		}
	}
	var reports []*derive.Report
	for _, path := range o.reports {
		r, err := derive.ReadReport(path, derive.ReadOptions{Format: o.format, TZ: o.tz, MaxSize: o.maxSize})
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	return derive.Derive(reports, opt)
}
