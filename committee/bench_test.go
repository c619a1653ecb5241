package committee_test

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/committee"
	gen "github.com/cohortmpc/cohort/internal/inputs"
)

// BenchmarkComputation measures the servers' side of a campaign in this
// process: m = 3 servers, on loopback TCP with TLS, from their stores full
// of N submissions to the results at every server: connecting, agreeing on
// the set, the computation and storing the outcome. B-servers/op is what
// the servers sent each other in all.
func BenchmarkComputation(b *testing.B) {
	for _, n := range []int{1000, 10_000, 100_000} {
		for _, sec := range []string{"semi-honest", "malicious"} {
			b.Run(fmt.Sprintf("N=%d/%s", n, sec), func(b *testing.B) {
				in, err := gen.Generate(n, "mixed", 1)
				require.NoError(b, err)
				var bytes int64
				var elapsed time.Duration
				for b.Loop() {
					b.StopTimer()
					h := newHarness(b, 3, n, func(f map[string]any) { f["security"] = sec })
					fill(b, h, in)
					h.startAll()
					b.StartTimer()
					start := time.Now()
					h.finish()
					elapsed += time.Since(start)
					b.StopTimer()
					for _, nd := range h.nodes {
						o := nd.srv.Outcome()
						require.Equal(b, committee.StateDone, o.State, o.Error)
						bytes += o.Cost.BytesSent
					}
					want, err := assess.Expected(in, h.c.Assess)
					require.NoError(b, err)
					require.Equal(b, want.Sum, h.nodes[0].srv.Outcome().Result.Sum)
					h.stopAll()
					b.StartTimer()
				}
				b.ReportMetric(float64(bytes)/float64(b.N), "B-servers/op")
				b.ReportMetric(elapsed.Seconds()/float64(b.N), "s-compute/op")
			})
		}
	}
}

// fill stores organisation i's submission of in[i] at every server.
func fill(b *testing.B, h *harness, in []assess.Input) {
	per := make([][]committee.Submission, h.c.M())
	now := h.clock.Now()
	for i, x := range in {
		shares, err := h.c.Assess.Submission(x, h.c.M(), rand.Reader)
		require.NoError(b, err)
		var id committee.SubmissionID
		rand.Read(id[:])
		for j := range per {
			per[j] = append(per[j], committee.Submission{Org: h.orgs[i], ID: id, Received: now, Shares: shares[j]})
		}
	}
	for j := range per {
		st, err := committee.OpenStore(h.storePath(j+1), h.c)
		require.NoError(b, err)
		require.NoError(b, committee.PutAll(st, per[j]))
		require.NoError(b, st.Close())
	}
}
