package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/bench/internal/scaling"
	"github.com/cohortmpc/cohort/internal/inputs"
)

// BenchmarkAssessModes runs the assessment at n = 50 in each mode on the
// same inputs, for the malicious mode's targets (bytes, and time against
// the semi-honest protocol of version 1, the tournament, in the same run):
// semi-honest (default path, tournament, generic path) and malicious (default: the maximum from verified bits;
// generic: the tournament on authenticated values).
func BenchmarkAssessModes(b *testing.B) {
	for _, n := range []int{5, 50, 100, 250} {
		for _, m := range []struct {
			name string
			cfg  assess.Config
		}{
			{"semi-honest", assess.Config{}},
			{"semi-honest-tournament", assess.Config{Tournament: true}},
			{"semi-honest-generic", assess.Config{ThresholdUnderMPC: true}},
			{"malicious", assess.Config{Security: assess.Malicious}},
			{"malicious-generic", assess.Config{Security: assess.Malicious, ThresholdUnderMPC: true}},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, m.name), func(b *testing.B) {
				in, err := inputs.Generate(n, "mixed", 1)
				if err != nil {
					b.Fatal(err)
				}
				cfg := m.cfg
				cfg.MinParties, cfg.Timeout = 3, 2*time.Hour
				want, err := assess.Expected(in, cfg)
				if err != nil {
					b.Fatal(err)
				}
				var sent, rounds int64
				var cpu time.Duration
				runs := 0
				for b.Loop() {
					before := scaling.ReadUsage()
					res, err := assess.Simulate(context.Background(), in, cfg)
					cpu += scaling.ReadUsage().CPU - before.CPU
					if err != nil {
						b.Fatal(err)
					}
					if res.Sum != want.Sum || res.AtOrAbove != want.AtOrAbove || res.Max != want.Max {
						b.Fatalf("wrong result")
					}
					sent += res.Cost.BytesSent
					rounds += res.Cost.Rounds
					runs++
				}
				b.ReportMetric(float64(sent)/float64(runs), "B-sent/op")
				b.ReportMetric(float64(rounds)/float64(runs), "rounds/op")
				b.ReportMetric(cpu.Seconds()/float64(runs)/float64(n), "cpu-s/party")
			})
		}
	}
}
