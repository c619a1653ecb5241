package assess

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// attackInputs are n organisations' inputs, scores spread over the range.
func attackInputs(n int) []Input {
	in := make([]Input, n)
	for i := range in {
		in[i] = Input{CVSS: 10 + 13*i%90, Critical: 3 * i, PatchDelay: 20 + 37*i, Exposure: 15 * i % 100}
	}
	return in
}

// runForged runs every party in its own Run, party cheater dealing what
// forge makes of its values; it returns the honest parties' results and
// errors by id.
func runForged(t *testing.T, in []Input, cfg Config, cheater int, forge func([]int64) []int64) ([]Result, []error) {
	t.Helper()
	trs, err := cnet.NewMesh(len(in))
	require.NoError(t, err)
	res := make([]Result, len(in))
	errs := make([]error, len(in))
	var wg sync.WaitGroup
	for i := range in {
		p := Party{ID: i + 1, Input: in[i], Transport: trs[i]}
		if i+1 == cheater {
			p.forge = forge
		}
		wg.Go(func() {
			defer trs[i].Close()
			res[i], errs[i] = Run(context.Background(), []Party{p}, cfg)
		})
	}
	wg.Wait()
	return res, errs
}

// The attacks on the inputs that v1 could not stop: in malicious mode each
// makes every honest party fail, and names the cheater.
func TestMaliciousInputAttacksAbort(t *testing.T) {
	const n, cheater = 7, 3
	in := attackInputs(n)
	cfg := Config{Security: Malicious, Timeout: 20 * time.Second}
	r, err := cfg.Resolve(n)
	require.NoError(t, err)
	l := r.layout()
	top := l.k // index of c among the bits
	attacks := map[string]func(b []int64) []int64{
		"threshold bit n":       func(b []int64) []int64 { b[top] = n; return b },
		"threshold bit -n":      func(b []int64) []int64 { b[top] = -n; return b },
		"threshold bit 10^6":    func(b []int64) []int64 { b[top] = 1_000_000; return b },
		"threshold bit flipped": func(b []int64) []int64 { b[top] ^= 1; return b },
		"a score bit of 2":      func(b []int64) []int64 { b[0] = 2; return b },
		// Every bit of z set and c = 1: a score of T + 2^k − 1, above the
		// highest possible; z' (dealt honestly) no longer matches.
		"score above the bounds": func(b []int64) []int64 {
			for j := range l.k {
				b[j] = 1
			}
			b[top] = 1
			return b
		},
		// The v1 attack that read an honest opponent's score from the
		// maximum: a negative score, here as bits that are not bits.
		"negative score": func(b []int64) []int64 {
			for j := range l.k {
				b[j] = -1
			}
			return b
		},
		// z' forged to agree with an out-of-range z: z' then needs a
		// negative value, which bits cannot hold; a "bit" of −1 it is.
		"matching z' for an out-of-range z": func(b []int64) []int64 {
			for j := range l.k {
				b[j] = 1
			}
			b[top] = 0 // c = 0 claims s < T, yet z = 2^k − 1 ≥ T
			b[l.k+1] = -1
			return b
		},
	}
	for name, forge := range attacks {
		t.Run(name, func(t *testing.T) {
			_, errs := runForged(t, in, cfg, cheater, forge)
			for i, err := range errs {
				if i+1 == cheater {
					continue
				}
				require.Error(t, err, "party %d output a result", i+1)
				require.ErrorIs(t, err, ops.ErrCheck, "party %d", i+1)
				var ice *ops.InputCheckError
				var ae *ops.AbortError
				switch {
				case errors.As(err, &ice):
					require.Equal(t, cheater, ice.Party, "party %d blames", i+1)
				case errors.As(err, &ae):
					require.NotEqual(t, cheater, ae.Origin, "party %d", i+1)
				default:
					t.Fatalf("party %d: %v", i+1, err)
				}
			}
		})
	}
}

// In semi-honest mode the free sanity checks catch what makes the outputs
// contradict each other or the bounds; the docs say what they cannot catch,
// and this test shows it.
func TestSemiHonestSanityChecks(t *testing.T) {
	const n, cheater = 5, 2
	in := attackInputs(n)
	cfg := Config{Timeout: 20 * time.Second}
	want, err := Expected(in, cfg)
	require.NoError(t, err)
	caught := map[string]func(v []int64) []int64{
		"threshold bit n":    func(v []int64) []int64 { v[1] = n; return v },
		"threshold bit -n":   func(v []int64) []int64 { v[1] = -n; return v },
		"threshold bit 10^6": func(v []int64) []int64 { v[1] = 1_000_000; return v },
		"score far above":    func(v []int64) []int64 { v[0] = 1 << 20; return v },
		"negative score":     func(v []int64) []int64 { v[0] = -(1<<14 + 1); return v },
	}
	for name, forge := range caught {
		t.Run(name, func(t *testing.T) {
			_, errs := runForged(t, in, cfg, cheater, forge)
			for i, err := range errs {
				require.ErrorIs(t, err, ErrImplausible, "party %d", i+1)
			}
		})
	}
	// A threshold "bit" of 2 while the count stays plausible, or a score
	// changed within the bounds, goes unnoticed: semi-honest security
	// trusts the parties to follow the protocol.
	own := int(boolInt(score(in[cheater-1], defaultWeights) >= int64(want.Threshold)))
	res, errs := runForged(t, in, cfg, cheater, func(v []int64) []int64 { v[1] = 2; return v })
	for i, err := range errs {
		require.NoError(t, err, "party %d", i+1)
		require.Equal(t, want.AtOrAbove-own+2, res[i].AtOrAbove, fmt.Sprint("party ", i+1))
	}
}
