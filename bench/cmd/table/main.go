// Command table measures the assessment at growing numbers of parties and
// prints the scaling tables of BENCHMARKS.md: time, traffic, messages,
// rounds, CPU and memory per n, the thesis's figures side by side, the cost
// model of DESIGN next to the measured bytes, the generic path for
// comparison with DESIGN's table, and power-law fits.
//
// Usage:
//
//	go run ./bench/cmd/table [-n 3,5,10,25,50,100,250,1000] [-md] [-json file] [-csv file] [-update BENCHMARKS.md]
//
// Each n runs in a fresh child process (this program re-executed), so that
// its CPU time and peak resident set size are its own: the child runs
// assess.Simulate once as a warm-up when n ≤ 100, then the measured runs
// (by default five for n ≤ 50, whose times are short and noisy, else one;
// the time is their median), and reports them as JSON. Inputs are the "mixed" synthetic scenario with
// seed 1. The generic path (threshold comparisons under MPC) runs for
// n ≤ -generic-max.
//
// With -from, the tables are printed from a measurement file instead of
// new runs; with -merge, rows of the -json file for the n not measured now
// are kept (to add the n = 1000 row to an earlier run).
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
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/bench/internal/scaling"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func main() {
	var (
		nList      = flag.String("n", "3,5,10,25,50,100,250", "comma-separated numbers of parties")
		genericMax = flag.Int("generic-max", 100, "also run the generic path for n up to this (0: never)")
		reps       = flag.Int("reps", 0, "measured runs per n, times are their median (0: 5 for n ≤ 50, else 1)")
		md         = flag.Bool("md", false, "print Markdown instead of plain text")
		jsonOut    = flag.String("json", "", "write the measurements to this JSON file (the figure's input)")
		csvOut     = flag.String("csv", "", "write the measurements to this CSV file")
		merge      = flag.Bool("merge", false, "keep the rows of the -json file for the n not measured now")
		from       = flag.String("from", "", "print the tables from this JSON file instead of measuring")
		update     = flag.String("update", "", "replace the generated sections of this Markdown file")
		opsBench   = flag.String("ops", "", "also render this file of 'go test -bench . ./ops' output (section ops)")

		child        = flag.Bool("child", false, "internal: measure one n and print it as JSON")
		childN       = flag.Int("child-n", 0, "internal: n of the child run")
		childGeneric = flag.Bool("child-generic", false, "internal: generic path in the child run")
	)
	flag.Parse()
	if *child {
		if err := runChild(*childN, *childGeneric, *reps); err != nil {
			fmt.Fprintln(os.Stderr, "table:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*nList, *genericMax, *reps, *md, *jsonOut, *csvOut, *merge, *from, *update, *opsBench); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(nList string, genericMax, reps int, md bool, jsonOut, csvOut string, merge bool, from, update, opsBench string) error {
	var res scaling.Results
	if from != "" {
		var err error
		if res, err = scaling.ReadResults(from); err != nil {
			return err
		}
	} else {
		ns, err := parseList(nList)
		if err != nil {
			return err
		}
		res = scaling.Results{Machine: machine(), Thesis: scaling.Thesis}
		for _, n := range ns {
			paths := []bool{false}
			if n <= genericMax {
				paths = append(paths, true)
			}
			for _, generic := range paths {
				fmt.Fprintf(os.Stderr, "table: n=%d %s path ... ", n, pathName(generic))
				row, err := measure(n, generic, reps)
				if err != nil {
					fmt.Fprintln(os.Stderr)
					return err
				}
				fmt.Fprintf(os.Stderr, "%.3f s, %s MB sent\n", row.Seconds, mb(row.BytesTotal))
				res.Rows = append(res.Rows, row)
			}
		}
		if merge && jsonOut != "" {
			if old, err := scaling.ReadResults(jsonOut); err == nil {
				res.Rows = mergeRows(old.Rows, res.Rows)
			}
		}
	}
	sortRows(res.Rows)
	if jsonOut != "" && from == "" {
		if err := scaling.WriteResults(jsonOut, res); err != nil {
			return err
		}
	}
	if csvOut != "" {
		if err := writeCSV(csvOut, res.Rows); err != nil {
			return err
		}
	}
	sections := render(res)
	if opsBench != "" {
		data, err := os.ReadFile(opsBench)
		if err != nil {
			return err
		}
		sections = append(sections, section{name: "ops", tables: []table{opsTable(data)}})
	}
	if update != "" {
		return updateFile(update, sections)
	}
	for _, s := range sections {
		s.write(os.Stdout, md)
	}
	return nil
}

func pathName(generic bool) string {
	if generic {
		return "generic"
	}
	return "default"
}

func parseList(s string) ([]int, error) {
	var ns []int
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

// measure runs one n in a child process and returns its row.
func measure(n int, generic bool, reps int) (scaling.Row, error) {
	self, err := os.Executable()
	if err != nil {
		return scaling.Row{}, err
	}
	cmd := exec.Command(self, "-child", "-child-n", strconv.Itoa(n),
		"-child-generic="+strconv.FormatBool(generic), "-reps", strconv.Itoa(reps))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return scaling.Row{}, fmt.Errorf("n=%d: %w", n, err)
	}
	var row scaling.Row
	if err := json.Unmarshal(out, &row); err != nil {
		return scaling.Row{}, fmt.Errorf("n=%d: child output: %w", n, err)
	}
	return row, nil
}

// compareBits is the k of the assessment's comparisons with the default
// bounds and weights: score differences lie within ±9900, so k = 15.
const compareBits = 15

// runChild measures the assessment at n parties and prints the row.
func runChild(n int, generic bool, reps int) error {
	in, err := inputs.Generate(n, "mixed", 1)
	if err != nil {
		return err
	}
	cfg := assess.Config{MinParties: 3, Timeout: 4 * time.Hour, ThresholdUnderMPC: generic}
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
		N: n, T: res.Corruptible, Generic: generic, K: compareBits,
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
		ModelBytes:    m.Assessment(compareBits, generic) * scaling.ElementSize,
		ModelRounds:   m.Rounds(compareBits),
	}
	if !verified {
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
		n       int
		generic bool
	}
	seen := make(map[key]bool)
	for _, r := range fresh {
		seen[key{r.N, r.Generic}] = true
	}
	out := slices.Clone(fresh)
	for _, r := range old {
		if !seen[key{r.N, r.Generic}] {
			out = append(out, r)
		}
	}
	return out
}

func sortRows(rows []scaling.Row) {
	slices.SortStableFunc(rows, func(a, b scaling.Row) int {
		if a.Generic != b.Generic {
			if a.Generic {
				return 1
			}
			return -1
		}
		return a.N - b.N
	})
}

func writeCSV(path string, rows []scaling.Row) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"n", "t", "path", "k", "seconds", "bytes_total", "bytes_party0", "bytes_party_max",
		"messages", "rounds", "cpu_s_per_party", "max_rss_bytes", "model_bytes", "model_rounds"})
	for _, r := range rows {
		w.Write([]string{
			strconv.Itoa(r.N), strconv.Itoa(r.T), pathName(r.Generic), strconv.Itoa(r.K),
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
