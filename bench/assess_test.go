package bench_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/bench/internal/scaling"
	"github.com/cohortmpc/cohort/internal/inputs"
)

var large = flag.Bool("large", false, "also run BenchmarkAssess at n = 1000")

// partyCounts are the sizes BenchmarkAssess runs; those in largeCounts
// only with -large or when the -bench pattern names them (n=1000).
var (
	partyCounts = []int{3, 5, 10, 25, 50, 100, 250, 1000}
	largeCounts = map[int]bool{1000: true}
)

// selected reports whether the -bench pattern names the sub-benchmark
// explicitly: a pattern such as 'Assess/n=1000' selects n = 1000 on
// purpose, whereas '.' matches it only by accident.
func selected(name string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), name)
}

func BenchmarkAssess(b *testing.B) {
	for _, n := range partyCounts {
		name := fmt.Sprintf("n=%d", n)
		b.Run(name, func(b *testing.B) {
			if largeCounts[n] && !*large && !selected(name) {
				b.Skipf("n = %d runs only with -large or -bench 'Assess/%s'", n, name)
			}
			benchAssess(b, n)
		})
	}
}

func benchAssess(b *testing.B, n int) {
	in, err := inputs.Generate(n, "mixed", 1)
	if err != nil {
		b.Fatal(err)
	}
	cfg := assess.Config{MinParties: 3, Timeout: 2 * time.Hour}
	want, err := assess.Expected(in, cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var sent, party0, partyMax, msgs, rounds int64
	var cpu time.Duration
	runs := 0
	for b.Loop() {
		before := scaling.ReadUsage()
		res, err := assess.Simulate(ctx, in, cfg)
		cpu += scaling.ReadUsage().CPU - before.CPU
		if err != nil {
			b.Fatal(err)
		}
		if res.Sum != want.Sum || res.AtOrAbove != want.AtOrAbove || res.Max != want.Max {
			b.Fatalf("n=%d: got sum %d, count %d, max %d; want %d, %d, %d",
				n, res.Sum, res.AtOrAbove, res.Max, want.Sum, want.AtOrAbove, want.Max)
		}
		c := res.Cost
		sent += c.BytesSent
		party0 += c.PerParty[0].BytesSent
		partyMax += c.BytesPerPartyMax
		msgs += c.Messages
		rounds += c.Rounds
		runs++
	}
	per := func(v int64) float64 { return float64(v) / float64(runs) }
	b.ReportMetric(per(sent), "B-sent/op")
	b.ReportMetric(per(party0), "B-party0/op")
	b.ReportMetric(per(partyMax), "B-party-max/op")
	b.ReportMetric(per(msgs), "msgs/op")
	b.ReportMetric(per(rounds), "rounds/op")
	b.ReportMetric(cpu.Seconds()/float64(runs)/float64(n), "cpu-s/party")
}
