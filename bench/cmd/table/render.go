package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
)

// A table is a titled grid with notes under it.
type table struct {
	title string
	head  []string
	rows  [][]string
	notes []string
}

// A section is a named group of tables, replaced as a whole by -update.
type section struct {
	name   string
	tables []table
}

func (s section) write(w io.Writer, md bool) {
	for i, t := range s.tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		t.write(w, md)
	}
	if !md {
		fmt.Fprintln(w)
	}
}

func (t table) write(w io.Writer, md bool) {
	if t.title != "" {
		if md {
			fmt.Fprintf(w, "**%s**\n\n", t.title)
		} else {
			fmt.Fprintf(w, "%s\n\n", t.title)
		}
	}
	if len(t.head) > 0 {
		if md {
			fmt.Fprintf(w, "| %s |\n", strings.Join(t.head, " | "))
			sep := make([]string, len(t.head))
			for i := range sep {
				sep[i] = "---:" // numbers right, the first column (labels) left
				if i == 0 {
					sep[i] = "---"
				}
			}
			fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|"))
			for _, r := range t.rows {
				fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			}
		} else {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "%s\t\n", strings.Join(t.head, "\t"))
			for _, r := range t.rows {
				fmt.Fprintf(tw, "%s\t\n", strings.Join(r, "\t"))
			}
			tw.Flush()
		}
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.notes {
			if md {
				fmt.Fprintln(w, n)
			} else {
				fmt.Fprintln(w, strings.NewReplacer("`", "", "**", "").Replace(n))
			}
		}
	}
}

// mb formats bytes in MB (10^6 bytes, as the thesis).
func mb(b int64) string { return mbf(float64(b)) }

func mbf(b float64) string {
	v := b / 1e6
	switch {
	case v >= 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	case v >= 0.01:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.4f", v)
	}
}

func secs(s float64) string {
	switch {
	case s >= 100:
		return fmt.Sprintf("%.0f", s)
	case s >= 1:
		return fmt.Sprintf("%.2f", s)
	case s >= 0.01:
		return fmt.Sprintf("%.3f", s)
	default:
		return fmt.Sprintf("%.4f", s)
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	r := a / b
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	default:
		return fmt.Sprintf("%.2f×", r)
	}
}

// payload is the measured element traffic: bytes sent less the 4-byte
// header of every frame and the session setup.
func payload(r scaling.Row) float64 {
	return float64(r.BytesTotal) - 4*float64(r.Messages) - scaling.NewModel(r.N).SetupBytes()
}

func maskName(n, k int) string {
	if scaling.NewModel(n).SummedMask(k) {
		return "summed"
	}
	return "41 bits"
}

func render(res scaling.Results) []section {
	def, gen := res.Default(), res.Generic()
	return []section{
		{name: "machine", tables: []table{machineTable(res.Machine)}},
		{name: "scaling", tables: []table{mainTable(def)}},
		{name: "thesis", tables: []table{thesisTable(def)}},
		{name: "model", tables: []table{modelTable(def), genericTable(def, gen)}},
		{name: "fit", tables: []table{fitTable(def, gen)}},
	}
}

func machineTable(m scaling.Machine) table {
	return table{
		head: []string{"", ""},
		rows: [][]string{
			{"CPU", m.CPU},
			{"cores", fmt.Sprint(m.Cores)},
			{"memory", fmt.Sprintf("%d GiB", m.MemoryGiB)},
			{"Go", m.Go + " " + m.OS},
			{"measured", m.Date},
		},
	}
}

func mainTable(rows []scaling.Row) table {
	t := table{
		title: "Cohort, default path (each organisation computes its own threshold bit; n − 1 comparisons, k = 15)",
		head: []string{"n", "t", "time (s)", "party-0 MB", "party-max MB", "global MB",
			"messages", "rounds", "CPU s/party", "peak RSS MB"},
	}
	has1000 := false
	for _, r := range rows {
		has1000 = has1000 || r.N == 1000
		t.rows = append(t.rows, []string{
			fmt.Sprint(r.N), fmt.Sprint(r.T), secs(r.Seconds), mb(r.BytesParty0), mb(r.BytesPartyMax),
			mb(r.BytesTotal), fmt.Sprint(r.Messages), fmt.Sprint(r.Rounds),
			secs(r.CPUPerParty), fmt.Sprintf("%.0f", float64(r.MaxRSS)/1e6),
		})
	}
	if !has1000 {
		t.rows = append(t.rows, []string{"1000", "499", "*pending*", "", "", "", "", "", "", ""})
	}
	t.notes = []string{
		"time: wall time of `assess.Simulate` (all n parties in one process, in-memory mesh) after a warm-up run for n ≤ 100; " +
			"the median of five runs for n ≤ 50, one run above. " +
			"MB = 10^6 bytes of message payload sent (frame headers included, TLS/TCP not). " +
			"party-0 is the party with id 1 (the thesis's party 0). " +
			"CPU s/party: user + system CPU time of the process during the run, divided by n. " +
			"peak RSS: `getrusage` `ru_maxrss` of a fresh process measuring that n alone (Go runtime, warm-up run and inputs included).",
	}
	if !has1000 {
		t.notes = append(t.notes, "", "The n = 1000 row is added by the final run on a quiet machine (see *Reproducing*); it has not been measured yet.")
	}
	return t
}

func thesisTable(rows []scaling.Row) table {
	t := table{
		title: "Thesis (MP-SPDZ, semi-honest Shamir) and Cohort side by side; ratio = thesis ÷ Cohort",
		head: []string{"n", "thesis s", "Cohort s", "ratio", "thesis party-0 MB", "Cohort party-0 MB", "ratio",
			"thesis global MB", "Cohort global MB", "ratio"},
	}
	for _, r := range rows {
		th, ok := scaling.ThesisAt(r.N)
		switch {
		case !ok:
			t.rows = append(t.rows, []string{fmt.Sprint(r.N), "–", secs(r.Seconds), "", "–", mb(r.BytesParty0), "", "–", mb(r.BytesTotal), ""})
		case th.CouldNotRun:
			t.rows = append(t.rows, []string{fmt.Sprint(r.N), "could not run", secs(r.Seconds), "", "–", mb(r.BytesParty0), "", "–", mb(r.BytesTotal), ""})
		default:
			t.rows = append(t.rows, []string{fmt.Sprint(r.N),
				secs(th.Seconds), secs(r.Seconds), ratio(th.Seconds, r.Seconds),
				fmt.Sprint(th.Party0MB), mb(r.BytesParty0), ratio(th.Party0MB*1e6, float64(r.BytesParty0)),
				fmt.Sprint(th.GlobalMB), mb(r.BytesTotal), ratio(th.GlobalMB*1e6, float64(r.BytesTotal)),
			})
		}
	}
	t.notes = []string{"The thesis's runs were on a different machine, and MP-SPDZ runs every party as a process of its own " +
		"talking over TCP, whereas these Cohort runs keep all parties in one process on an in-memory mesh (see *Multi-process over TCP*); " +
		"compare the times by orders of magnitude, not percent. Both count the data the parties send to each other."}
	return t
}

func modelTable(rows []scaling.Row) table {
	t := table{
		title: "DESIGN §8 cost model for what runs by default (n − 1 comparisons, k = 15) against the measured bytes",
		head: []string{"n", "r″ mask", "model MB", "measured MB", "headers MB", "setup MB", "payload MB", "payload ÷ model",
			"model rounds", "rounds"},
	}
	for _, r := range rows {
		m := scaling.NewModel(r.N)
		t.rows = append(t.rows, []string{fmt.Sprint(r.N), maskName(r.N, r.K), mbf(r.ModelBytes), mb(r.BytesTotal),
			mbf(4 * float64(r.Messages)), mbf(m.SetupBytes()), mbf(payload(r)), ratio(payload(r), r.ModelBytes),
			fmt.Sprint(r.ModelRounds), fmt.Sprint(r.Rounds)})
	}
	t.notes = []string{"model: field elements sent per DESIGN §3–§8 (8 bytes each), summed over all parties: 2n input dealings, " +
		"n − 1 comparisons (those after the first level open their masked differences as degree-2t values), " +
		"n − 2 selections (the last stays a degree-2t product) and one opening of sum, count and maximum, " +
		"preprocessing included. The mask r″ is summed from t + 1 contributions while 2^k + (t+1)·2^(k+40) < 2^61 − 1 and that is cheaper, " +
		"else built from 41 random bits (n ≥ 127 at k = 15). " +
		"payload = measured − 4-byte frame headers − session setup (hellos and seeds), which the model leaves out. " +
		"model rounds: setup, preprocessing (3), inputs, ⌈log2 n⌉ levels of one comparison (10 rounds; each level's selection is " +
		"reduced in the same king round as the next level's masked opening), " +
		"final opening (2); at large n, ops deals the preprocessing in several chunks to bound the memory of one round, which adds rounds."}
	return t
}

func genericTable(def, gen []scaling.Row) table {
	t := table{
		title: "Generic path (all 2n − 1 comparisons under MPC, `assess.Config{ThresholdUnderMPC: true}`) against DESIGN's table",
		head: []string{"n", "DESIGN MB (k = 14)", "model MB (k = 15)", "measured MB", "payload MB", "payload ÷ model",
			"DESIGN rounds", "rounds", "time (s)", "default ÷ generic bytes"},
	}
	byN := make(map[int]scaling.Row)
	for _, r := range def {
		byN[r.N] = r
	}
	for _, r := range gen {
		design := "–"
		dr := "–"
		if d, ok := scaling.DesignAt(r.N); ok {
			design = mbf(d.TotalBytes)
			dr = fmt.Sprintf("≤ %d", d.Rounds)
		}
		share := "–"
		if d, ok := byN[r.N]; ok {
			share = fmt.Sprintf("%.2f", float64(d.BytesTotal)/float64(r.BytesTotal))
		}
		t.rows = append(t.rows, []string{fmt.Sprint(r.N), design, mbf(r.ModelBytes), mb(r.BytesTotal), mbf(payload(r)),
			ratio(payload(r), r.ModelBytes), dr, fmt.Sprint(r.Rounds), secs(r.Seconds), share})
	}
	t.notes = []string{"DESIGN's table assumes k = 14; the default bounds (scores up to 9 900) need k = 15, one more random bit " +
		"per comparison, which the model column accounts for."}
	return t
}

func fitTable(def, gen []scaling.Row) table {
	t := table{
		title: "Growth: least-squares fit of log y = log A + B·log n",
		head:  []string{"series", "n", "B (exponent)", "A", "R²"},
	}
	add := func(name string, ns []int, ys []float64, minN int) {
		var fn []int
		var fy []float64
		for i, n := range ns {
			if n >= minN {
				fn, fy = append(fn, n), append(fy, ys[i])
			}
		}
		f, err := scaling.FitPower(fn, fy)
		if err != nil {
			return
		}
		t.rows = append(t.rows, []string{name, fmt.Sprintf("%d–%d (%d points)", f.From, f.To, f.Len),
			fmt.Sprintf("%.2f", f.B), fmt.Sprintf("%.3g", f.A), fmt.Sprintf("%.4f", f.R2)})
	}
	series := func(rows []scaling.Row, y func(scaling.Row) float64) ([]int, []float64) {
		var ns []int
		var ys []float64
		for _, r := range rows {
			ns, ys = append(ns, r.N), append(ys, y(r))
		}
		return ns, ys
	}
	global := func(r scaling.Row) float64 { return float64(r.BytesTotal) }
	perParty := func(r scaling.Row) float64 { return float64(r.BytesPartyMax) }
	wall := func(r scaling.Row) float64 { return r.Seconds }
	cpu := func(r scaling.Row) float64 { return r.CPUPerParty }
	for _, minN := range []int{3, 25} {
		ns, ys := series(def, global)
		add("Cohort global bytes", ns, ys, minN)
		ns, ys = series(def, perParty)
		add("Cohort party-max bytes", ns, ys, minN)
		ns, ys = series(def, wall)
		add("Cohort time", ns, ys, minN)
		ns, ys = series(def, cpu)
		add("Cohort CPU per party", ns, ys, minN)
	}
	ns, ys := series(def, func(r scaling.Row) float64 { return r.ModelBytes })
	add("DESIGN model global bytes", ns, ys, 3)
	if len(gen) > 0 {
		ns, ys := series(gen, global)
		add("Cohort generic global bytes", ns, ys, 3)
	}
	var tn []int
	var tb, ts []float64
	for _, r := range scaling.Thesis {
		if !r.CouldNotRun {
			tn, tb, ts = append(tn, r.N), append(tb, r.GlobalMB*1e6), append(ts, r.Seconds)
		}
	}
	add("thesis global bytes", tn, tb, 3)
	add("thesis time", tn, ts, 3)
	t.notes = []string{"A comparison costs O(n) elements in total except for its mask r″: summed from t + 1 contributions it costs " +
		"(t+1)(n−t−1) ≈ n²/4 elements, which is used while it cannot wrap around the field (n ≤ 126 at k = 15); above that the mask " +
		"is built from 41 random bits, O(n) again with a larger constant. With n − 1 comparisons, global bytes therefore grow " +
		"between n² and n³ over this range, and per party between n and n²; the model's own exponent over the same n is shown. " +
		"In one process, wall time is the CPU time of all n parties shared by the machine's cores, so it grows about as " +
		"n × (CPU per party). The thesis's global traffic grows about as n³: MP-SPDZ's Shamir multiplication costs " +
		"(2t+1)(n−t−1) elements and its openings are all-to-all."}
	return t
}

// opsTable renders 'go test -bench' output of the building blocks.
func opsTable(data []byte) table {
	t := table{
		title: "Building blocks (`go test -bench . ./ops`), all n parties in one process, preprocessing on demand included",
		head:  []string{"benchmark", "n", "batch", "time/op", "B-sent/op", "B-sent/value", "rounds/op"},
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		parts := strings.Split(name, "/")
		op, n, batch := parts[0], "", ""
		for _, p := range parts[1:] {
			switch {
			case strings.HasPrefix(p, "n="):
				n = strings.TrimPrefix(p, "n=")
			case strings.HasPrefix(p, "batch="):
				batch = strings.TrimPrefix(p, "batch=")
			}
		}
		if batch == "" {
			batch = n + " values"
		}
		metrics := make(map[string]float64)
		for i := 2; i+1 < len(f); i += 2 {
			var v float64
			if _, err := fmt.Sscan(f[i], &v); err == nil {
				metrics[f[i+1]] = v
			}
		}
		t.rows = append(t.rows, []string{op, n, batch, duration(metrics["ns/op"]),
			fmt.Sprintf("%.0f", metrics["B-sent/op"]), fmt.Sprintf("%.0f", metrics["B-sent/value"]),
			fmt.Sprintf("%.1f", metrics["rounds/op"])})
	}
	return t
}

func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}
