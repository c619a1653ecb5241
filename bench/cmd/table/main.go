// Command table measures the assessment at growing numbers of parties and
// prints the scaling tables of BENCHMARKS.md: time, traffic, messages,
// rounds, CPU and memory per n for each protocol (the bitwise maximum, the
// default; the tournament of version 1; the generic path; malicious
// security), the thesis's figures side by side, the cost models of DESIGN
// and DESIGN-v2 next to the measured bytes, power-law fits and, with
// -latency-n, the time over links with a delay and a bandwidth limit.
//
// Usage:
//
//	go run ./bench/cmd/table [-n 3,5,10,25,50,100,250,1000] [-latency-n 5,25,50,100] [-md] [-json file] [-csv file] [-update BENCHMARKS.md]
//
// Each n and protocol runs in a fresh child process (this program
// re-executed), so that its CPU time and peak resident set size are its
// own: the child runs assess.Simulate once as a warm-up when n ≤ 100, then
// the measured runs (by default five for n ≤ 50, whose times are short
// and noisy, else one; the time is their median), and reports them as
// JSON. Inputs are the "mixed" synthetic scenario with seed 1. The
// tournament runs for n ≤ -tournament-max, the generic path for
// n ≤ -generic-max and the malicious mode for n ≤ -malicious-max.
//
// With -from, the tables are printed from a measurement file instead of
// new runs; with -merge, rows of the -json file that were not measured now
// are kept (to add the n = 1000 rows to an earlier run).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/bench/internal/scaling"
	"github.com/cohortmpc/cohort/internal/inputs"
	cnet "github.com/cohortmpc/cohort/net"
)

// options are the flags of a measuring run.
type options struct {
	ns                                      []int
	tournamentMax, genericMax, maliciousMax int
	reps                                    int
	latencyNs                               []int
	rtt                                     time.Duration
	mbps                                    float64
	md, merge                               bool
	jsonOut, csvOut, from, update, opsBench string
}

func main() {
	var (
		o        options
		nList    = flag.String("n", "3,5,10,25,50,100,250", "comma-separated numbers of parties")
		latList  = flag.String("latency-n", "", "also measure over links with a delay and a bandwidth limit at these n (for example 5,25,50,100)")
		child    = flag.Bool("child", false, "internal: measure one n and print it as JSON")
		childN   = flag.Int("child-n", 0, "internal: n of the child run")
		childP   = flag.String("child-protocol", scaling.Bitwise, "internal: protocol of the child run")
		childLat = flag.Bool("child-latency", false, "internal: the child runs over links")
		childSB  = flag.Int("child-step-bits", 0, "internal: bits per step in the child run")
	)
	flag.IntVar(&o.tournamentMax, "tournament-max", 1000, "also run the tournament (version 1) for n up to this (0: never)")
	flag.IntVar(&o.genericMax, "generic-max", 100, "also run the generic path for n up to this (0: never)")
	flag.IntVar(&o.maliciousMax, "malicious-max", 250, "also run the malicious mode for n up to this (0: never)")
	flag.IntVar(&o.reps, "reps", 0, "measured runs per n, times are their median (0: 5 for n ≤ 50, else 1)")
	flag.DurationVar(&o.rtt, "latency-rtt", 50*time.Millisecond, "round trip time of the links of -latency-n")
	flag.Float64Var(&o.mbps, "latency-mbps", 100, "uplink bandwidth of every party for -latency-n, Mbit/s")
	flag.BoolVar(&o.md, "md", false, "print Markdown instead of plain text")
	flag.StringVar(&o.jsonOut, "json", "", "write the measurements to this JSON file (the figure's input)")
	flag.StringVar(&o.csvOut, "csv", "", "write the measurements to this CSV file")
	flag.BoolVar(&o.merge, "merge", false, "keep the rows of the -json file that are not measured now")
	flag.StringVar(&o.from, "from", "", "print the tables from this JSON file instead of measuring")
	flag.StringVar(&o.update, "update", "", "replace the generated sections of this Markdown file")
	flag.StringVar(&o.opsBench, "ops", "", "also render this file of 'go test -bench . ./ops' output (section ops)")
	flag.Parse()
	if *child {
		var err error
		if *childLat {
			err = runLatencyChild(*childN, *childP, *childSB, o.rtt, o.mbps)
		} else {
			err = runChild(*childN, *childP, o.reps)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "table:", err)
			os.Exit(1)
		}
		return
	}
	var err error
	if o.ns, err = parseList(*nList); err == nil && *latList != "" {
		o.latencyNs, err = parseList(*latList)
	}
	if err == nil {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

// protocolsAt lists the protocols measured at n.
func (o options) protocolsAt(n int) []string {
	ps := []string{scaling.Bitwise}
	if n <= o.tournamentMax {
		ps = append(ps, scaling.Tournament)
	}
	if n <= o.genericMax {
		ps = append(ps, scaling.Generic)
	}
	if n <= o.maliciousMax {
		ps = append(ps, scaling.Malicious)
	}
	return ps
}

func run(o options) error {
	var res scaling.Results
	if o.from != "" {
		var err error
		if res, err = scaling.ReadResults(o.from); err != nil {
			return err
		}
	} else {
		res = scaling.Results{Machine: machine(), Thesis: scaling.Thesis}
		for _, n := range o.ns {
			for _, p := range o.protocolsAt(n) {
				fmt.Fprintf(os.Stderr, "table: n=%d %s ... ", n, p)
				var row scaling.Row
				if err := measure(&row, "-child-n", strconv.Itoa(n), "-child-protocol", p, "-reps", strconv.Itoa(o.reps)); err != nil {
					fmt.Fprintln(os.Stderr)
					return fmt.Errorf("n=%d %s: %w", n, p, err)
				}
				fmt.Fprintf(os.Stderr, "%.3f s, %s MB sent\n", row.Seconds, mb(row.BytesTotal))
				res.Rows = append(res.Rows, row)
			}
		}
		for _, n := range o.latencyNs {
			for _, c := range latencyCases {
				fmt.Fprintf(os.Stderr, "table: n=%d %s step %d over %v RTT, %g Mbit/s ... ", n, c.protocol, max(1, c.step), o.rtt, o.mbps)
				var row scaling.LatencyRow
				if err := measure(&row, "-child-latency", "-child-n", strconv.Itoa(n), "-child-protocol", c.protocol,
					"-child-step-bits", strconv.Itoa(c.step), "-latency-rtt", o.rtt.String(), "-latency-mbps", fmt.Sprint(o.mbps)); err != nil {
					fmt.Fprintln(os.Stderr)
					return fmt.Errorf("latency n=%d %s: %w", n, c.protocol, err)
				}
				fmt.Fprintf(os.Stderr, "%.2f s (model %.2f s)\n", row.Seconds, row.ModelSeconds)
				res.Latency = append(res.Latency, row)
			}
		}
		if o.merge && o.jsonOut != "" {
			if old, err := scaling.ReadResults(o.jsonOut); err == nil {
				res.Rows = mergeRows(old.Rows, res.Rows)
				res.Latency = mergeLatency(old.Latency, res.Latency)
			}
		}
	}
	sortRows(res.Rows)
	if o.jsonOut != "" && o.from == "" {
		if err := scaling.WriteResults(o.jsonOut, res); err != nil {
			return err
		}
	}
	if o.csvOut != "" {
		if err := writeCSV(o.csvOut, res.Rows); err != nil {
			return err
		}
	}
	sections := render(res)
	if o.opsBench != "" {
		data, err := os.ReadFile(o.opsBench)
		if err != nil {
			return err
		}
		sections = append(sections, section{name: "ops", tables: []table{opsTable(data)}})
	}
	if o.update != "" {
		return updateFile(o.update, sections)
	}
	for _, s := range sections {
		s.write(os.Stdout, o.md)
	}
	return nil
}

// latencyCases are the protocols measured over links: both protocols, and
// the bitwise maximum with 2 and 3 bits per step (DESIGN-v2 §2's digits).
var latencyCases = []struct {
	protocol string
	step     int
}{{scaling.Bitwise, 0}, {scaling.Bitwise, 2}, {scaling.Bitwise, 3}, {scaling.Tournament, 0}}

func parseList(s string) ([]int, error) {
	var ns []int
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 3 {
			return nil, fmt.Errorf("-n: %q is not a number of parties ≥ 3", f)
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return slices.Compact(ns), nil
}

// measure runs this program as a child with args and decodes its JSON
// output into v.
func measure(v any, args ...string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, append([]string{"-child"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("child output: %w", err)
	}
	return nil
}

// compareBits is the k of the tournament's comparisons with the default
// bounds and weights: score differences lie within ±9900, so k = 15.
const compareBits = 15

// scoreBits is the k of the bitwise maximum with the default bounds and
// weights: scores 0..9900 have 14 bits.
const scoreBits = 14

// configOf is the assessment configuration of a protocol.
func configOf(protocol string) (assess.Config, error) {
	cfg := assess.Config{MinParties: 3, Timeout: 4 * time.Hour}
	switch protocol {
	case scaling.Bitwise:
	case scaling.Tournament:
		cfg.Tournament = true
	case scaling.Generic:
		cfg.ThresholdUnderMPC = true
	case scaling.Malicious:
		cfg.Security = assess.Malicious
	default:
		return cfg, fmt.Errorf("unknown protocol %q", protocol)
	}
	return cfg, nil
}

// runChild measures the assessment at n parties and prints the row.
func runChild(n int, protocol string, reps int) error {
	in, err := inputs.Generate(n, "mixed", 1)
	if err != nil {
		return err
	}
	cfg, err := configOf(protocol)
	if err != nil {
		return err
	}
	want, err := assess.Expected(in, cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if n <= 100 {
		if _, err := assess.Simulate(ctx, in, cfg); err != nil {
			return err
		}
	}
	if reps <= 0 {
		reps = 1
		if n <= 50 {
			reps = 5
		}
	}
	var (
		res      assess.Result
		seconds  []float64
		cpu      time.Duration
		verified = true
	)
	for range reps {
		runtime.GC()
		u0, t0 := scaling.ReadUsage(), time.Now()
		res, err = assess.Simulate(ctx, in, cfg)
		elapsed, u1 := time.Since(t0), scaling.ReadUsage()
		if err != nil {
			return err
		}
		seconds = append(seconds, elapsed.Seconds())
		cpu += u1.CPU - u0.CPU
		verified = verified && res.Sum == want.Sum && res.AtOrAbove == want.AtOrAbove && res.Max == want.Max
	}
	sort.Float64s(seconds)
	m := scaling.NewModel(n)
	c := res.Cost
	row := scaling.Row{
		N: n, T: res.Corruptible, Protocol: protocol, K: compareBits,
		Seconds:       seconds[len(seconds)/2],
		BytesTotal:    c.BytesSent,
		BytesParty0:   c.PerParty[0].BytesSent,
		BytesPartyMax: c.BytesPerPartyMax,
		Messages:      c.Messages,
		Rounds:        c.Rounds,
		CPUPerParty:   cpu.Seconds() / float64(reps) / float64(n),
		MaxRSS:        scaling.ReadUsage().MaxRSS,
		Reps:          reps,
		Verified:      verified,
	}
	switch protocol {
	case scaling.Bitwise:
		row.K = scoreBits
		row.ModelBytes, row.ModelRounds = m.Bitwise(scoreBits)*scaling.ElementSize, m.BitwiseRounds(scoreBits)
	case scaling.Tournament, scaling.Generic:
		row.ModelBytes = m.Assessment(compareBits, protocol == scaling.Generic) * scaling.ElementSize
		row.ModelRounds = m.Rounds(compareBits)
	}
	if !verified {
		return fmt.Errorf("n=%d: outputs differ from the plaintext computation", n)
	}
	return json.NewEncoder(os.Stdout).Encode(row)
}

// runLatencyChild measures the assessment at n parties, all in this
// process, over links with the given round trip time and uplink bandwidth,
// and without them.
func runLatencyChild(n int, protocol string, step int, rtt time.Duration, mbps float64) error {
	in, err := inputs.Generate(n, "mixed", 1)
	if err != nil {
		return err
	}
	cfg, err := configOf(protocol)
	if err != nil {
		return err
	}
	cfg.StepBits = step
	want, err := assess.Expected(in, cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	local, err := assess.Simulate(ctx, in, cfg) // also the warm-up
	if err != nil {
		return err
	}
	if local, err = assess.Simulate(ctx, in, cfg); err != nil {
		return err
	}
	link := cnet.Link{Delay: rtt / 2, Bandwidth: mbps * 1e6 / 8}
	trs, err := cnet.NewMesh(n)
	if err != nil {
		return err
	}
	parties := make([]assess.Party, n)
	for i := range trs {
		trs[i] = cnet.WithLink(trs[i], link)
		parties[i] = assess.Party{ID: i + 1, Input: in[i], Transport: trs[i]}
	}
	start := time.Now()
	res, err := assess.Run(ctx, parties, cfg)
	elapsed := time.Since(start)
	var wg sync.WaitGroup
	for _, tr := range trs {
		wg.Go(func() { tr.Close() })
	}
	wg.Wait()
	if err != nil {
		return err
	}
	c := res.Cost
	row := scaling.LatencyRow{
		N: n, Protocol: protocol, StepBits: step, RTTSeconds: rtt.Seconds(), BandwidthMbps: mbps,
		Seconds: elapsed.Seconds(), LocalSeconds: local.Cost.Elapsed.Seconds(),
		Rounds: c.Rounds, BytesPartyMax: c.BytesPerPartyMax,
		ModelSeconds: scaling.LinkSeconds(c.Rounds, c.BytesPerPartyMax, link.Delay.Seconds(), link.Bandwidth),
		Verified:     res.Sum == want.Sum && res.AtOrAbove == want.AtOrAbove && res.Max == want.Max,
	}
	if !row.Verified {
		return fmt.Errorf("n=%d: outputs differ from the plaintext computation", n)
	}
	return json.NewEncoder(os.Stdout).Encode(row)
}

// machine describes this computer.
func machine() scaling.Machine {
	m := scaling.Machine{
		CPU:   "unknown",
		Cores: runtime.NumCPU(),
		Go:    runtime.Version(),
		OS:    runtime.GOOS + "/" + runtime.GOARCH,
		Date:  time.Now().UTC().Format("2006-01-02"),
	}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64); err == nil {
			m.MemoryGiB = int((kb*1024 + 1<<29) >> 30)
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func mergeRows(old, fresh []scaling.Row) []scaling.Row {
	type key struct {
		n        int
		protocol string
	}
	seen := make(map[key]bool)
	for _, r := range fresh {
		seen[key{r.N, r.Protocol}] = true
	}
	out := slices.Clone(fresh)
	for _, r := range old {
		if !seen[key{r.N, r.Protocol}] {
			out = append(out, r)
		}
	}
	return out
}

func mergeLatency(old, fresh []scaling.LatencyRow) []scaling.LatencyRow {
	type key struct {
		n, step  int
		protocol string
	}
	seen := make(map[key]bool)
	for _, r := range fresh {
		seen[key{r.N, r.StepBits, r.Protocol}] = true
	}
	out := slices.Clone(fresh)
	for _, r := range old {
		if !seen[key{r.N, r.StepBits, r.Protocol}] {
			out = append(out, r)
		}
	}
	return out
}

func sortRows(rows []scaling.Row) {
	slices.SortStableFunc(rows, func(a, b scaling.Row) int {
		if a.Protocol != b.Protocol {
			return slices.Index(scaling.Protocols, a.Protocol) - slices.Index(scaling.Protocols, b.Protocol)
		}
		return a.N - b.N
	})
}

func writeCSV(path string, rows []scaling.Row) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"n", "t", "protocol", "k", "seconds", "bytes_total", "bytes_party0", "bytes_party_max",
		"messages", "rounds", "cpu_s_per_party", "max_rss_bytes", "model_bytes", "model_rounds"})
	for _, r := range rows {
		w.Write([]string{
			strconv.Itoa(r.N), strconv.Itoa(r.T), r.Protocol, strconv.Itoa(r.K),
			strconv.FormatFloat(r.Seconds, 'g', 6, 64),
			strconv.FormatInt(r.BytesTotal, 10), strconv.FormatInt(r.BytesParty0, 10), strconv.FormatInt(r.BytesPartyMax, 10),
			strconv.FormatInt(r.Messages, 10), strconv.FormatInt(r.Rounds, 10),
			strconv.FormatFloat(r.CPUPerParty, 'g', 6, 64), strconv.FormatInt(r.MaxRSS, 10),
			strconv.FormatFloat(r.ModelBytes, 'f', 0, 64), strconv.Itoa(r.ModelRounds),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// updateFile replaces, for every section, the lines between
// "<!-- begin NAME -->" and "<!-- end NAME -->" with its Markdown.
func updateFile(path string, sections []section) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := string(data)
	for _, s := range sections {
		begin, end := "<!-- begin "+s.name+" -->\n", "<!-- end "+s.name+" -->"
		i := strings.Index(text, begin)
		j := strings.Index(text, end)
		if i < 0 || j < i {
			return fmt.Errorf("%s: no markers %q … %q", path, strings.TrimSpace(begin), end)
		}
		var buf bytes.Buffer
		s.write(&buf, true)
		text = text[:i+len(begin)] + buf.String() + text[j:]
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
