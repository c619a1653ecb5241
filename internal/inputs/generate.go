package inputs

import (
	"fmt"
	"math/rand/v2"

	"github.com/cohortmpc/cohort/assess"
)

// profile gives the ranges of a synthetic organisation's values, in the
// order of [assess.InputFields].
type profile [4]assess.Range

var (
	lowRisk  = profile{{Min: 0, Max: 40}, {Min: 0, Max: 3}, {Min: 0, Max: 14}, {Min: 0, Max: 40}}
	highRisk = profile{{Min: 70, Max: 100}, {Min: 5, Max: 20}, {Min: 30, Max: 120}, {Min: 60, Max: 100}}
)

// Scenarios lists the scenarios [Generate] accepts.
func Scenarios() []string { return []string{"low", "mixed", "high"} }

// Generate returns n synthetic inputs for a scenario:
//
//   - low: cvss 0..40, critical 0..3, patch delay 0..14, exposure 0..40;
//   - high: cvss 70..100, critical 5..20, patch delay 30..120, exposure 60..100;
//   - mixed: each organisation low or high at random, with equal odds.
//
// Values are uniform in their ranges. The result depends only on n, the
// scenario and the seed.
func Generate(n int, scenario string, seed int64) ([]assess.Input, error) {
	if n < 1 {
		return nil, fmt.Errorf("inputs: cannot generate %d organisations", n)
	}
	pick := func(*rand.Rand) profile { return lowRisk }
	switch scenario {
	case "low":
	case "high":
		pick = func(*rand.Rand) profile { return highRisk }
	case "mixed":
		pick = func(r *rand.Rand) profile {
			if r.IntN(2) == 0 {
				return lowRisk
			}
			return highRisk
		}
	default:
		return nil, fmt.Errorf("inputs: unknown scenario %q (valid: low, mixed, high)", scenario)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x636f686f72742d69)) // "cohort-i"
	in := make([]assess.Input, n)
	for i := range in {
		p := pick(r)
		var v [4]int
		for j := range v {
			v[j] = uniform(r, p[j])
		}
		in[i] = assess.InputOf(v)
	}
	return in, nil
}

func uniform(r *rand.Rand, rg assess.Range) int {
	return rg.Min + r.IntN(rg.Max-rg.Min+1)
}
