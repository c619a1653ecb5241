// Command plot draws the scaling figure of BENCHMARKS.md from the
// measurements that bench/cmd/table writes: global bytes sent against n and
// time against n, on log–log axes, for Cohort (default and generic path),
// the DESIGN cost model and the thesis (MP-SPDZ semi-honest Shamir).
//
// Usage:
//
//	go run ./bench/cmd/plot [-in bench/results.json] [-out bench/scaling.svg]
//
// The SVG is written by hand, without dependencies.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
)

func main() {
	in := flag.String("in", "bench/results.json", "measurements written by bench/cmd/table -json")
	out := flag.String("out", "bench/scaling.svg", "SVG file to write")
	flag.Parse()
	res, err := scaling.ReadResults(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(figure(res)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

type point struct{ x, y float64 }

type series struct {
	name   string
	color  string
	dash   string // stroke-dasharray, "" for solid
	marker string // "circle", "square", "triangle" or "" for none
	points []point
}

// panel is one log–log chart.
type panel struct {
	title  string
	ylabel string
	yfmt   func(float64) string
	series []series
	note   string // drawn at the top right, e.g. "thesis: n = 100 could not run"
}

const (
	panelW, panelH = 440, 330
	marginL        = 80
	marginT        = 60
	gap            = 100 // between the panels, room for the second y axis
	width          = marginL + 2*panelW + gap + 30
	height         = 460
)

func figure(res scaling.Results) string {
	def, tour := res.Default(), res.Of(scaling.Tournament)
	var cohortBytes, tourBytes, modelBytes, cohortTime, tourTime, thesisBytes, thesisTime []point
	for _, r := range def {
		cohortBytes = append(cohortBytes, point{float64(r.N), float64(r.BytesTotal)})
		modelBytes = append(modelBytes, point{float64(r.N), r.ModelBytes})
		cohortTime = append(cohortTime, point{float64(r.N), r.Seconds})
	}
	for _, r := range tour {
		tourBytes = append(tourBytes, point{float64(r.N), float64(r.BytesTotal)})
		tourTime = append(tourTime, point{float64(r.N), r.Seconds})
	}
	thesis := res.Thesis
	if len(thesis) == 0 {
		thesis = scaling.Thesis
	}
	failed := ""
	for _, r := range thesis {
		if r.CouldNotRun {
			failed = fmt.Sprintf("thesis: n = %d could not run", r.N)
			continue
		}
		thesisBytes = append(thesisBytes, point{float64(r.N), r.GlobalMB * 1e6})
		thesisTime = append(thesisTime, point{float64(r.N), r.Seconds})
	}
	const (
		blue, orange, red, grey = "#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f"
	)
	bytesPanel := panel{
		title: "Global bytes sent (all parties)", ylabel: "bytes", yfmt: bytesLabel, note: failed,
		series: []series{
			{name: "thesis (MP-SPDZ Shamir)", color: red, marker: "triangle", points: thesisBytes},
			{name: "Cohort, tournament (v1)", color: orange, dash: "6 4", marker: "square", points: tourBytes},
			{name: "Cohort, bitwise (default)", color: blue, marker: "circle", points: cohortBytes},
			{name: "DESIGN-v2 model, bitwise", color: grey, dash: "2 3", points: modelBytes},
		},
	}
	timePanel := panel{
		title: "Time, all parties in one process", ylabel: "seconds", yfmt: secondsLabel, note: failed,
		series: []series{
			{name: "thesis (MP-SPDZ Shamir)", color: red, marker: "triangle", points: thesisTime},
			{name: "Cohort, tournament (v1)", color: orange, dash: "6 4", marker: "square", points: tourTime},
			{name: "Cohort, bitwise (default)", color: blue, marker: "circle", points: cohortTime},
		},
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" text-anchor="middle" font-size="16">Cohort scalability: joint vulnerability assessment, n parties (log–log)</text>`+"\n", width/2)
	bytesPanel.draw(&b, marginL, marginT)
	timePanel.draw(&b, marginL+panelW+gap, marginT)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", width/2, height-12,
		escape(fmt.Sprintf("Cohort measured %s on %s (%d cores); thesis figures from its own machine.", res.Machine.Date, res.Machine.CPU, res.Machine.Cores)))
	b.WriteString("</svg>\n")
	return b.String()
}

// bounds returns the decades that enclose all points of the series.
func bounds(ss []series, coord func(point) float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.points {
			v := coord(p)
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 1, 10
	}
	lo, hi = math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if hi == lo {
		hi++
	}
	return lo, hi
}

func (p panel) draw(b *strings.Builder, x0, y0 int) {
	xlo, xhi := bounds(p.series, func(q point) float64 { return q.x })
	xlo = min(xlo, 0)
	xhi = max(xhi, 3)
	ylo, yhi := bounds(p.series, func(q point) float64 { return q.y })
	sx := func(x float64) float64 { return float64(x0) + (math.Log10(x)-xlo)/(xhi-xlo)*panelW }
	sy := func(y float64) float64 { return float64(y0+panelH) - (math.Log10(y)-ylo)/(yhi-ylo)*panelH }

	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="14">%s</text>`+"\n", x0+panelW/2, y0-12, escape(p.title))
	// Grid and ticks.
	for d := xlo; d <= xhi; d++ {
		for m := 1; m <= 9; m++ {
			v := math.Pow(10, d) * float64(m)
			if math.Log10(v) > xhi+1e-9 {
				break
			}
			x := sx(v)
			stroke, sw := "#eee", 1.0
			if m == 1 {
				stroke = "#ccc"
				fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, y0+panelH+18, fmtNum(v))
			}
			fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%.1f"/>`+"\n", x, y0, x, y0+panelH, stroke, sw)
		}
	}
	for d := ylo; d <= yhi; d++ {
		for m := 1; m <= 9; m++ {
			v := math.Pow(10, d) * float64(m)
			if math.Log10(v) > yhi+1e-9 {
				break
			}
			y := sy(v)
			stroke := "#eee"
			if m == 1 {
				stroke = "#ccc"
				fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", x0-6, y, escape(p.yfmt(v)))
			}
			fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`+"\n", x0, y, x0+panelW, y, stroke)
		}
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", x0, y0, panelW, panelH)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">number of parties n</text>`+"\n", x0+panelW/2, y0+panelH+38)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>`+"\n",
		x0-62, y0+panelH/2, x0-62, y0+panelH/2, escape(p.ylabel))

	// Series.
	for _, s := range p.series {
		if len(s.points) == 0 {
			continue
		}
		var path strings.Builder
		for i, q := range s.points {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, sx(q.x), sy(q.y))
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.TrimSpace(path.String()), s.color, dash)
		for _, q := range s.points {
			marker(b, s.marker, sx(q.x), sy(q.y), s.color)
		}
	}
	// Legend.
	ly := y0 + 16
	for _, s := range p.series {
		if len(s.points) == 0 {
			continue
		}
		lx := float64(x0 + 12)
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", lx, ly, lx+28, ly, s.color, dash)
		marker(b, s.marker, lx+14, float64(ly), s.color)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" dominant-baseline="middle">%s</text>`+"\n", lx+36, ly, escape(s.name))
		ly += 18
	}
	if p.note != "" {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" fill="%s">%s</text>`+"\n", x0+panelW-8, y0+panelH-10, "#d62728", escape(p.note))
	}
}

func marker(b *strings.Builder, kind string, x, y float64, color string) {
	switch kind {
	case "circle":
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`+"\n", x, y, color)
	case "square":
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="8" height="8" fill="%s"/>`+"\n", x-4, y-4, color)
	case "triangle":
		fmt.Fprintf(b, `<path d="M%.1f %.1f L%.1f %.1f L%.1f %.1f Z" fill="%s"/>`+"\n", x, y-5, x-5, y+4, x+5, y+4, color)
	}
}

func fmtNum(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

func bytesLabel(v float64) string {
	for _, u := range []struct {
		size float64
		name string
	}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "KB"}} {
		if v >= u.size {
			return fmt.Sprintf("%.0f %s", v/u.size, u.name)
		}
	}
	return fmt.Sprintf("%.0f B", v)
}

func secondsLabel(v float64) string {
	switch {
	case v >= 1:
		return fmt.Sprintf("%.0f s", v)
	case v >= 1e-3:
		return fmt.Sprintf("%.0f ms", v*1e3)
	default:
		return fmt.Sprintf("%.0f µs", v*1e6)
	}
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
