package committee_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
)

func TestCampaignFileErrors(t *testing.T) {
	h := newHarness(t, 3, 5, nil)
	var f map[string]any
	server := func(i int) map[string]any { return f["servers"].([]map[string]any)[i] }
	org := func(i int) map[string]any { return f["organisations"].([]map[string]any)[i] }
	for _, c := range []struct {
		name string
		edit func(f map[string]any)
		msg  string
	}{
		{"no campaign", func(f map[string]any) { delete(f, "campaign") }, `"campaign" is missing`},
		{"no deadline", func(f map[string]any) { delete(f, "deadline") }, `"deadline" is missing`},
		{"bad deadline", func(f map[string]any) { f["deadline"] = "tomorrow" }, `deadline "tomorrow" is not an RFC 3339 time`},
		{"unknown entry", func(f map[string]any) { f["colour"] = "blue" }, `unknown field "colour"`},
		{"unknown organisation entry", func(f map[string]any) { org(0)["addr"] = "x:1" }, `unknown field "addr"`},
		{"even servers", func(f map[string]any) { f["servers"] = f["servers"].([]map[string]any)[:2] }, `lists 2 servers: want an odd number from 3 to 15`},
		{"server id", func(f map[string]any) { server(1)["id"] = 1 }, `servers[1] (id 1): id 1 is listed twice`},
		{"same address", func(f map[string]any) { server(1)["mesh"] = server(0)["api"] }, `mesh address`},
		{"unspecified address", func(f map[string]any) { server(1)["api"] = "0.0.0.0:443" }, `is the unspecified address`},
		{"server key twice", func(f map[string]any) { server(1)["fingerprint"] = server(0)["fingerprint"] }, `has the same key as server 1`},
		{"bad pin", func(f map[string]any) { server(1)["fingerprint"] = "sha256:beef" }, `is not of the form sha256:<64 hex digits>`},
		{"no organisations", func(f map[string]any) { f["organisations"] = []any{} }, `"organisations" is missing or empty`},
		{"organisation id", func(f map[string]any) { org(0)["id"] = "acme corp" }, `id "acme corp" is not 1..64 letters`},
		{"organisation twice", func(f map[string]any) { org(1)["id"] = "org1" }, `id "org1" is already used by organisations[0]`},
		{"organisation with a server's key", func(f map[string]any) { org(1)["fingerprint"] = server(2)["fingerprint"] }, `has the key of server 3`},
		{"shared organisation key", func(f map[string]any) { org(1)["fingerprint"] = org(0)["fingerprint"] }, `has the same key as "org1"`},
		{"too few listed", func(f map[string]any) { f["min_organisations"] = 6 }, `5 organisations are listed: assess: 5 parties: groups smaller than 6`},
		{"quorum", func(f map[string]any) { f["quorum"] = 6 }, `quorum 6 is more than the 5 organisations listed`},
		{"weights", func(f map[string]any) { f["weights"] = map[string]int{"cvss": 1} }, `weights: critical is missing`},
		{"bounds", func(f map[string]any) { f["bounds"] = map[string][]int{"speed": {0, 1}} }, `bounds: unknown input "speed"`},
		{"security", func(f map[string]any) { f["security"] = "paranoid" }, `security "paranoid"`},
		{"threshold", func(f map[string]any) { f["threshold"] = 99999 }, `threshold 99999 is outside`},
		{"timeout", func(f map[string]any) { f["connect_timeout"] = "-1s" }, `connect_timeout "-1s" is not positive`},
		{"percentiles", func(f map[string]any) { f["percentiles"] = []float64{0.5} }, "percentiles and StepBits need organisations that answer for their own scores"},
		{"step bits", func(f map[string]any) { f["step_bits"] = 2 }, "percentiles and StepBits need organisations that answer for their own scores"},
		{"noise in malicious mode", func(f map[string]any) { f["epsilon"], f["security"] = 1.0, "malicious" }, "not available in malicious mode"},
		{"unknown maximum", func(f map[string]any) { f["maximum"] = "fastest" }, `maximum "fastest": want "bitwise" or "tournament"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f = cloneFile(h.file)
			c.edit(f)
			data, err := json.Marshal(f)
			require.NoError(t, err)
			_, err = committee.Parse(data)
			require.ErrorContains(t, err, c.msg)
		})
	}
}

// cloneFile deep-copies a campaign's JSON map, keeping the slice types
// that the tests' edits expect.
func cloneFile(f map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range f {
		switch v := v.(type) {
		case []map[string]any:
			var l []map[string]any
			for _, e := range v {
				c := map[string]any{}
				for k2, v2 := range e {
					c[k2] = v2
				}
				l = append(l, c)
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}

func TestCampaignHash(t *testing.T) {
	h := newHarness(t, 3, 5, nil)
	base := h.c.Hash()

	// Written out and read back, a campaign is the same campaign.
	data, err := h.c.Marshal()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "campaign.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	back, err := committee.Load(path)
	require.NoError(t, err)
	require.Equal(t, base, back.Hash())

	// Local settings do not change it; anything public does.
	for _, c := range []struct {
		name string
		edit func(f map[string]any)
		same bool
	}{
		{"timeout", func(f map[string]any) { f["timeout"] = "1h" }, true},
		{"connect timeout", func(f map[string]any) { f["connect_timeout"] = "1h" }, true},
		{"default written out", func(f map[string]any) {
			f["weights"] = map[string]int{"cvss": 4, "critical": 2, "patch_delay": 2, "exposure": 2}
		}, true},
		{"campaign", func(f map[string]any) { f["campaign"] = "other" }, false},
		{"deadline", func(f map[string]any) { f["deadline"] = "2026-04-01T00:00:00Z" }, false},
		{"quorum", func(f map[string]any) { f["quorum"] = 5 }, false},
		{"threshold", func(f map[string]any) { f["threshold"] = 501 }, false},
		{"alert level", func(f map[string]any) { f["alert_level"] = 2 }, false},
		{"security", func(f map[string]any) { f["security"] = "malicious" }, false},
		{"server address", func(f map[string]any) {
			f["servers"].([]map[string]any)[0]["api"] = "localhost:1"
		}, false},
		{"organisation", func(f map[string]any) {
			f["organisations"].([]map[string]any)[0]["id"] = "renamed"
		}, false},
		{"organisation order", func(f map[string]any) {
			o := f["organisations"].([]map[string]any)
			o[0], o[1] = o[1], o[0]
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := cloneFile(h.file)
			c.edit(f)
			data, err := json.Marshal(f)
			require.NoError(t, err)
			c2, err := committee.Parse(data)
			require.NoError(t, err)
			if c.same {
				require.Equal(t, base, c2.Hash())
			} else {
				require.NotEqual(t, base, c2.Hash())
			}
		})
	}
}
