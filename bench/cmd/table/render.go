package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
	"github.com/cohortmpc/cohort/ops"
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

// payload is the measured element traffic: bytes sent less the step tag
// of every message and the session setup.
func payload(r scaling.Row) float64 {
	return float64(r.BytesTotal) - ops.FrameHeader*float64(r.Messages) - scaling.NewModel(r.N).SetupBytes()
}

func maskName(n, k int) string {
	if scaling.NewModel(n).SummedMask(k) {
		return "summed"
	}
	return "41 bits"
}

func render(res scaling.Results) []section {
	bit, tour, gen, mal := res.Of(scaling.Bitwise), res.Of(scaling.Tournament), res.Of(scaling.Generic), res.Of(scaling.Malicious)
	sections := []section{
		{name: "machine", tables: []table{machineTable(res.Machine)}},
		{name: "scaling", tables: []table{
			mainTable("Cohort, bitwise maximum (the default; DESIGN-v2 §2: organisations answer bit by bit, k = 14)", bit, true),
			mainTable("Cohort, tournament (version 1's default, `-tournament`: n − 1 secure comparisons, k = 15)", tour, false),
			sideBySideTable(bit, tour, gen, mal),
			mainTable("Cohort, malicious security with abort (`-malicious`: verified bits, bitwise maximum under MPC)", mal, false),
		}},
		{name: "thesis", tables: []table{thesisTable(bit)}},
		{name: "model", tables: []table{bitwiseModelTable(bit), modelTable(tour), genericTable(tour, gen)}},
		{name: "fit", tables: []table{fitTable(bit, tour, gen)}},
	}
	if len(res.Latency) > 0 {
		sections = append(sections, section{name: "latency", tables: []table{latencyTable(res.Latency)}})
	}
	return sections
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

func mainTable(title string, rows []scaling.Row, pending1000 bool) table {
	t := table{
		title: title,
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
	if pending1000 && !has1000 {
		t.rows = append(t.rows, []string{"1000", "499", "*pending*", "", "", "", "", "", "", ""})
	}
	t.notes = []string{
		"time: wall time of `assess.Simulate` (all n parties in one process, in-memory mesh) after a warm-up run for n ≤ 100; " +
			"the median of five runs for n ≤ 50, one run above. " +
			"MB = 10^6 bytes of message payload sent (frame headers and session setup included, TLS/TCP not). " +
			"party-0 is the party with id 1 (the thesis's party 0). " +
			"CPU s/party: user + system CPU time of the process during the run, divided by n. " +
			"peak RSS: `getrusage` `ru_maxrss` of a fresh process measuring that n alone (Go runtime, warm-up run and inputs included).",
	}
	if pending1000 && !has1000 {
		t.notes = append(t.notes, "", "The n = 1000 row is added by the final run on a quiet machine (see *Reproducing*); it has not been measured yet.")
	}
	return t
}

// byN indexes rows by n.
func byN(rows []scaling.Row) map[int]scaling.Row {
	m := make(map[int]scaling.Row, len(rows))
	for _, r := range rows {
		m[r.N] = r
	}
	return m
}

func sideBySideTable(bit, tour, gen, mal []scaling.Row) table {
	t := table{
		title: "Both protocols side by side (and the generic path and malicious mode where measured); ratio = tournament ÷ bitwise",
		head: []string{"n", "bitwise MB", "tournament MB", "ratio", "bitwise party-max KB", "tournament party-max KB",
			"bitwise s", "tournament s", "ratio", "rounds (bitwise / tournament)", "generic MB", "malicious MB", "malicious s"},
	}
	tb, gb, mb2 := byN(tour), byN(gen), byN(mal)
	for _, b := range bit {
		row := []string{fmt.Sprint(b.N), mb(b.BytesTotal), "–", "", kb(b.BytesPartyMax), "–", secs(b.Seconds), "–", "", fmt.Sprint(b.Rounds), "–", "–", "–"}
		if r, ok := tb[b.N]; ok {
			row[2], row[3] = mb(r.BytesTotal), ratio(float64(r.BytesTotal), float64(b.BytesTotal))
			row[5] = kb(r.BytesPartyMax)
			row[7], row[8] = secs(r.Seconds), ratio(r.Seconds, b.Seconds)
			row[9] = fmt.Sprintf("%d / %d", b.Rounds, r.Rounds)
		}
		if r, ok := gb[b.N]; ok {
			row[10] = mb(r.BytesTotal)
		}
		if r, ok := mb2[b.N]; ok {
			row[11], row[12] = mb(r.BytesTotal), secs(r.Seconds)
		}
		t.rows = append(t.rows, row)
	}
	t.notes = []string{"Same inputs, same outputs (every run is checked against the plaintext computation). The bitwise maximum " +
		"needs no comparison and no random bits: every organisation deals its score, its threshold bit and one answer per bit " +
		"(n − t − 1 elements each), and each of the 14 steps opens one masked product; its rounds do not grow with n. " +
		"KB = 10^3 bytes."}
	return t
}

func kb(b int64) string {
	v := float64(b) / 1e3
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func bitwiseModelTable(rows []scaling.Row) table {
	t := table{
		title: "DESIGN-v2 §2 cost model of the bitwise maximum (k = 14) against the measured bytes",
		head: []string{"n", "model MB", "measured MB", "tags MB", "setup MB", "payload MB", "payload ÷ model",
			"model rounds (3k + 2)", "rounds", "per party: model KB", "payload KB", "measured KB (max)"},
	}
	for _, r := range rows {
		m := scaling.NewModel(r.N)
		n := float64(r.N)
		t.rows = append(t.rows, []string{fmt.Sprint(r.N), mbf(r.ModelBytes), mb(r.BytesTotal),
			mbf(ops.FrameHeader * float64(r.Messages)), mbf(m.SetupBytes()), mbf(payload(r)), ratio(payload(r), r.ModelBytes),
			fmt.Sprint(r.ModelRounds), fmt.Sprint(r.Rounds),
			kb(int64(r.ModelBytes / n)), kb(int64(payload(r) / n)), kb(r.BytesPartyMax)})
	}
	t.notes = []string{"model: field elements sent per DESIGN-v2 §2 (8 bytes each), summed over all parties: k + 2 dealings " +
		"per organisation (its score, its threshold bit and one answer per bit) at n − t − 1 elements each, k zero tests " +
		"(a random sharing at its amortised cost n(n−t−2)/(n−t), 2t + n − 1 elements and a sharing of zero each) and the " +
		"opening of sum and count with the first test. " +
		"payload = measured − one-byte step tags − session setup (hellos and seeds), which the model leaves out. " +
		"Preprocessing deals whole batches: every party deals one random sharing (n − t − 2 elements) whatever k, which the " +
		"amortised model undercounts at large n. Rounds: setup, one dealing round of preprocessing, 3 per bit (a dealing, " +
		"a king opening)."}
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
		title: "DESIGN §8 cost model of the tournament (n − 1 comparisons, k = 15) against the measured bytes",
		head: []string{"n", "r″ mask", "model MB", "measured MB", "tags MB", "setup MB", "payload MB", "payload ÷ model",
			"model rounds", "rounds"},
	}
	for _, r := range rows {
		m := scaling.NewModel(r.N)
		t.rows = append(t.rows, []string{fmt.Sprint(r.N), maskName(r.N, r.K), mbf(r.ModelBytes), mb(r.BytesTotal),
			mbf(ops.FrameHeader * float64(r.Messages)), mbf(m.SetupBytes()), mbf(payload(r)), ratio(payload(r), r.ModelBytes),
			fmt.Sprint(r.ModelRounds), fmt.Sprint(r.Rounds)})
	}
	t.notes = []string{"model: field elements sent per DESIGN §3–§8 (8 bytes each), summed over all parties: 2n input dealings, " +
		"n − 1 comparisons (those after the first level open their masked differences as degree-2t values), " +
		"n − 2 selections (the last stays a degree-2t product) and one opening of sum, count and maximum, " +
		"preprocessing included. The mask r″ is summed from t + 1 contributions while 2^k + (t+1)·2^(k+40) < 2^61 − 1 and that is cheaper, " +
		"else built from 41 random bits (n ≥ 127 at k = 15). " +
		"payload = measured − one-byte step tags − session setup (hellos and seeds), which the model leaves out. " +
		"model rounds: setup, preprocessing (3), inputs, ⌈log2 n⌉ levels of one comparison (10 rounds; each level's selection is " +
		"reduced in the same king round as the next level's masked opening), " +
		"final opening (2); at large n, ops deals the preprocessing in several chunks to bound the memory of one round, which adds rounds."}
	return t
}

func genericTable(def, gen []scaling.Row) table {
	t := table{
		title: "Generic path (all 2n − 1 comparisons under MPC, `assess.Config{ThresholdUnderMPC: true}`) against DESIGN's table",
		head: []string{"n", "DESIGN MB (k = 14)", "model MB (k = 15)", "measured MB", "payload MB", "payload ÷ model",
			"DESIGN rounds", "rounds", "time (s)", "tournament ÷ generic bytes"},
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

func fitTable(bit, tour, gen []scaling.Row) table {
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
	for _, p := range []struct {
		name string
		rows []scaling.Row
	}{{"bitwise", bit}, {"tournament", tour}} {
		for _, minN := range []int{3, 25} {
			ns, ys := series(p.rows, global)
			add("Cohort "+p.name+" global bytes", ns, ys, minN)
			ns, ys = series(p.rows, perParty)
			add("Cohort "+p.name+" party-max bytes", ns, ys, minN)
			ns, ys = series(p.rows, wall)
			add("Cohort "+p.name+" time", ns, ys, minN)
			ns, ys = series(p.rows, cpu)
			add("Cohort "+p.name+" CPU per party", ns, ys, minN)
		}
		ns, ys := series(p.rows, func(r scaling.Row) float64 { return r.ModelBytes })
		add("model "+p.name+" global bytes", ns, ys, 3)
	}
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
	t.notes = []string{"The bitwise maximum sends (k + 2)·(n − t − 1) ≈ 8n elements per organisation plus a session setup of " +
		"about 64 bytes per pair of parties, so its global bytes grow as n² and per party as n. " +
		"A tournament comparison costs O(n) elements in total except for its mask r″: summed from t + 1 contributions it costs " +
		"(t+1)(n−t−1) ≈ n²/4 elements, which is used while it cannot wrap around the field (n ≤ 126 at k = 15); above that the mask " +
		"is built from 41 random bits, O(n) again with a larger constant. With n − 1 comparisons, the tournament's global bytes grow " +
		"between n² and n³ over this range. " +
		"In one process, wall time is the CPU time of all n parties shared by the machine's cores, so it grows about as " +
		"n × (CPU per party). The thesis's global traffic grows about as n³: MP-SPDZ's Shamir multiplication costs " +
		"(2t+1)(n−t−1) elements and its openings are all-to-all."}
	return t
}

func latencyTable(rows []scaling.LatencyRow) table {
	t := table{
		title: "Over a wide-area network: every party behind a link with a one-way delay of RTT/2 and an uplink bandwidth limit (`net.WithLink`)",
		head: []string{"n", "protocol", "RTT", "uplink", "rounds", "party-max KB", "model s", "measured s", "measured ÷ model",
			"in-process s (no links)"},
	}
	for _, r := range rows {
		name := r.Protocol
		if r.StepBits > 1 {
			name = fmt.Sprintf("%s, %d bits per step", r.Protocol, r.StepBits)
		}
		t.rows = append(t.rows, []string{fmt.Sprint(r.N), name, fmt.Sprintf("%.0f ms", r.RTTSeconds*1e3),
			fmt.Sprintf("%g Mbit/s", r.BandwidthMbps), fmt.Sprint(r.Rounds), kb(r.BytesPartyMax),
			secs(r.ModelSeconds), secs(r.Seconds), ratio(r.Seconds, r.ModelSeconds), secs(r.LocalSeconds)})
	}
	t.notes = []string{"model: rounds × RTT/2 + (bytes sent by the busiest party) ÷ bandwidth: every round costs one one-way " +
		"delay, and a party's messages queue for its uplink (`net.WithLink` delays each message by RTT/2 after the uplink has " +
		"sent the party's earlier messages). All parties run in one process on this machine's cores, so the measured time also " +
		"holds the computation (last column: the same run without links), which overlaps the waiting only in part."}
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
