package deploy_test

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/deploy"
	"github.com/cohortmpc/cohort/net/tcp"
)

// identities writes n key pairs to dir as partyI.key and partyI.crt and
// returns their fingerprints (index 0 is party 1).
func identities(t *testing.T, dir string, n int) []string {
	t.Helper()
	pins := make([]string, n)
	for i := range n {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("party%d.crt", i+1)), certPEM, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("party%d.key", i+1)), keyPEM, 0o600))
		pins[i], err = tcp.FingerprintPEM(certPEM)
		require.NoError(t, err)
	}
	return pins
}

// validFile is a five-party configuration: parties 1..3 by certificate,
// 4 and 5 by fingerprint.
func validFile(pins []string) map[string]any {
	var parties []any
	for i, pin := range pins {
		p := map[string]any{"id": i + 1, "addr": fmt.Sprintf("host%d.example:%d", i+1, 7000+i)}
		if i < 3 {
			p["cert"] = fmt.Sprintf("party%d.crt", i+1)
		} else {
			p["fingerprint"] = pin
		}
		parties = append(parties, p)
	}
	return map[string]any{
		"session":         "march-2025",
		"parties":         parties,
		"threshold":       500,
		"alert_level":     2,
		"weights":         map[string]any{"cvss": 4, "critical": 2, "patch_delay": 2, "exposure": 2},
		"bounds":          map[string]any{"cvss": []int{0, 100}, "critical": []int{0, 1000}, "patch_delay": []int{0, 3650}, "exposure": []int{0, 100}},
		"min_parties":     5,
		"field":           "auto",
		"timeout":         "90s",
		"connect_timeout": "20s",
	}
}

func writeJSON(t *testing.T, dir string, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	path := filepath.Join(dir, "cohort.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func party(f map[string]any, i int) map[string]any {
	return f["parties"].([]any)[i].(map[string]any)
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 5)
	f := validFile(pins)
	party(f, 3)["fingerprint"] = strings.ToUpper(pins[3]) // pins are case-insensitive
	// The parties may be listed in any order.
	ps := f["parties"].([]any)
	ps[0], ps[4] = ps[4], ps[0]
	path := writeJSON(t, dir, f)

	c, err := deploy.Load(path)
	require.NoError(t, err)
	assert.Equal(t, path, c.Path)
	assert.Equal(t, "march-2025", c.Session)
	require.Equal(t, 5, c.N())
	for i, p := range c.Parties {
		assert.Equal(t, i+1, p.ID)
		assert.Equal(t, pins[i], p.Fingerprint)
		assert.Equal(t, fmt.Sprintf("host%d.example:%d", i+1, 7000+i), p.Addr)
	}
	assert.Equal(t, filepath.Join(dir, "party2.crt"), c.Parties[1].Cert)
	assert.Empty(t, c.Parties[3].Cert)
	assert.Equal(t, assess.Config{
		Threshold: 500, AlertLevel: 2, MinParties: 5, SessionID: "march-2025", Timeout: 90 * time.Second,
		Weights: assess.Weights{CVSS: 4, Critical: 2, PatchDelay: 2, Exposure: 2},
		Bounds: assess.Bounds{CVSS: assess.Range{Min: 0, Max: 100}, Critical: assess.Range{Min: 0, Max: 1000},
			PatchDelay: assess.Range{Min: 0, Max: 3650}, Exposure: assess.Range{Min: 0, Max: 100}},
	}, c.Assess)
	assert.Equal(t, 20*time.Second, c.ConnectTimeout)
	assert.Equal(t, 30*time.Second, c.LivenessTimeout())
	assert.Equal(t, assess.FieldM61, c.Field())

	// tcp configuration for party 4, whose entry has only a fingerprint.
	cert, err := c.LoadIdentity(4, filepath.Join(dir, "party4.key"), "")
	require.NoError(t, err)
	tc, err := c.TCP(4, cert, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, tc.ID)
	assert.Equal(t, c.SessionHash(), tc.SessionHash)
	assert.Equal(t, 20*time.Second, tc.DialTimeout)
	assert.Equal(t, 30*time.Second, tc.Timeout)
	assert.Equal(t, tcp.DefaultMaxFrame, tc.MaxFrame, "the deployment states its frame limit")
	assert.Equal(t, tcp.DefaultMaxQueued, tc.MaxQueued)
	require.Len(t, tc.Peers, 5)
	assert.Equal(t, tcp.Peer{ID: 2, Addr: "host2.example:7001", Fingerprint: pins[1]}, tc.Peers[1])
}

func TestLoadMinimal(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 5)
	var parties []map[string]any
	for i, pin := range pins {
		parties = append(parties, map[string]any{"id": i + 1, "addr": fmt.Sprintf("127.0.0.1:%d", 9000+i), "fingerprint": pin})
	}
	c, err := deploy.Load(writeJSON(t, dir, map[string]any{"session": "s", "parties": parties}))
	require.NoError(t, err)
	assert.Equal(t, assess.Config{SessionID: "s", Timeout: assess.DefaultTimeout}, c.Assess)
	assert.Equal(t, deploy.DefaultConnectTimeout, c.ConnectTimeout)
	assert.Equal(t, 500, c.Threshold())
	assert.Equal(t, 2, c.AlertLevel())

	short := map[string]any{"session": "s", "parties": parties, "timeout": "5s"}
	c, err = deploy.Load(writeJSON(t, dir, short))
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, c.LivenessTimeout())
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 6)
	other := filepath.Join(dir, "other")
	require.NoError(t, os.Mkdir(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "garbage.crt"), []byte("not a certificate"), 0o644))

	tests := []struct {
		name   string
		edit   func(f map[string]any)
		raw    string // file contents instead of the edited valid file
		errMsg string
	}{
		{name: "empty file", raw: "", errMsg: "empty file"},
		{name: "syntax", raw: "{\n  \"session\": \"s\",\n  \"parties\": [}\n", errMsg: "line 3: invalid character '}'"},
		{name: "truncated", raw: `{"session": "s"`, errMsg: "unexpected end of file"},
		{name: "trailing data", raw: `{"session": "s"} {}`, errMsg: "unexpected data after the JSON object"},
		{name: "unknown field", edit: func(f map[string]any) { f["treshold"] = 400 }, errMsg: `line 54: unknown entry "treshold"`},
		{name: "unknown party field", edit: func(f map[string]any) { party(f, 1)["address"] = "x:1" }, errMsg: `line 32: unknown entry "address"`},
		{name: "wrong type", edit: func(f map[string]any) { f["threshold"] = "500" }, errMsg: "threshold: string is not a valid int"},
		{name: "wrong id type", edit: func(f map[string]any) { party(f, 2)["id"] = 2.5 }, errMsg: "parties.id: number 2.5 is not a valid int"},
		{name: "no session", edit: func(f map[string]any) { delete(f, "session") }, errMsg: `"session" is missing`},
		{name: "session with spaces", edit: func(f map[string]any) { f["session"] = " s" }, errMsg: `session " s" has surrounding white space`},
		{name: "no parties", edit: func(f map[string]any) { delete(f, "parties") }, errMsg: `"parties" is missing or empty`},
		{name: "id zero", edit: func(f map[string]any) { party(f, 2)["id"] = 0 }, errMsg: "parties[2] (id 0): id 0 is outside 1..5"},
		{name: "id too large", edit: func(f map[string]any) { party(f, 4)["id"] = 6 }, errMsg: "parties[4] (id 6): id 6 is outside 1..5"},
		{name: "duplicate id", edit: func(f map[string]any) { party(f, 3)["id"] = 2 }, errMsg: "parties[3] (id 2): id 2 is already used by parties[1]"},
		{name: "missing addr", edit: func(f map[string]any) { delete(party(f, 1), "addr") }, errMsg: `parties[1] (id 2): addr is missing`},
		{name: "addr without port", edit: func(f map[string]any) { party(f, 1)["addr"] = "host2.example" }, errMsg: `parties[1] (id 2): addr "host2.example" is not host:port`},
		{name: "addr without host", edit: func(f map[string]any) { party(f, 1)["addr"] = ":7000" }, errMsg: `parties[1] (id 2): addr ":7000" has no host`},
		{name: "port zero", edit: func(f map[string]any) { party(f, 1)["addr"] = "h:0" }, errMsg: `parties[1] (id 2): addr "h:0": port "0" is not a number in 1..65535`},
		{name: "port name", edit: func(f map[string]any) { party(f, 1)["addr"] = "h:http" }, errMsg: `port "http" is not a number`},
		{name: "duplicate addr", edit: func(f map[string]any) { party(f, 4)["addr"] = "HOST2.example:7001" }, errMsg: "parties[4] (id 5): address HOST2.example:7001 is already used by party 2"},
		{name: "duplicate addr trailing dot", edit: func(f map[string]any) { party(f, 4)["addr"] = "host2.example.:7001" }, errMsg: "parties[4] (id 5): address host2.example.:7001 is already used by party 2"},
		{name: "duplicate loopback", edit: func(f map[string]any) { party(f, 3)["addr"] = "localhost:9000"; party(f, 4)["addr"] = "127.0.0.1:9000" }, errMsg: "parties[4] (id 5): address 127.0.0.1:9000 is already used by party 4"},
		{name: "duplicate IPv6 spelling", edit: func(f map[string]any) { party(f, 3)["addr"] = "[::1]:9000"; party(f, 4)["addr"] = "[0:0::1]:9000" }, errMsg: "parties[4] (id 5): address [0:0::1]:9000 is already used by party 4"},
		{name: "duplicate IPv4-mapped", edit: func(f map[string]any) {
			party(f, 3)["addr"] = "10.0.0.1:9000"
			party(f, 4)["addr"] = "[::ffff:10.0.0.1]:9000"
		}, errMsg: "is already used by party 4"},
		{name: "unspecified IPv4", edit: func(f map[string]any) { party(f, 1)["addr"] = "0.0.0.0:7000" }, errMsg: `parties[1] (id 2): addr "0.0.0.0:7000" is the unspecified address: give an address the others can reach`},
		{name: "unspecified IPv6", edit: func(f map[string]any) { party(f, 1)["addr"] = "[::]:7000" }, errMsg: "is the unspecified address"},
		{name: "control in addr", edit: func(f map[string]any) { party(f, 1)["addr"] = "host\u0007.example:7000" }, errMsg: "has control or format characters"},
		{name: "bidi in session", edit: func(f map[string]any) { f["session"] = "q3-\u202Egnp.exe" }, errMsg: "has surrounding white space, control or format characters"},
		{name: "zero width in session", edit: func(f map[string]any) { f["session"] = "q3\u200B" }, errMsg: "control or format characters"},
		{name: "C1 control in session", edit: func(f map[string]any) { f["session"] = "q3\u0085" }, errMsg: "control or format characters"},
		{name: "no key", edit: func(f map[string]any) { delete(party(f, 4), "fingerprint") }, errMsg: `parties[4] (id 5): neither "cert" nor "fingerprint" is given`},
		{name: "bad fingerprint", edit: func(f map[string]any) { party(f, 4)["fingerprint"] = "sha256:abc" }, errMsg: `parties[4] (id 5): fingerprint "sha256:abc" is not of the form sha256:<64 hex digits>`},
		{name: "md5 fingerprint", edit: func(f map[string]any) { party(f, 4)["fingerprint"] = "md5:" + strings.Repeat("0", 64) }, errMsg: "is not of the form"},
		{name: "missing cert", edit: func(f map[string]any) { party(f, 0)["cert"] = "party9.crt" }, errMsg: "parties[0] (id 1): cert: open " + filepath.Join(dir, "party9.crt")},
		{name: "cert is garbage", edit: func(f map[string]any) { party(f, 0)["cert"] = "garbage.crt" }, errMsg: "parties[0] (id 1): cert " + filepath.Join(dir, "garbage.crt") + ": tcp: no PEM certificate found"},
		{name: "cert and fingerprint disagree", edit: func(f map[string]any) { party(f, 0)["fingerprint"] = pins[5] }, errMsg: "parties[0] (id 1): cert " + filepath.Join(dir, "party1.crt") + " has fingerprint " + pins[0] + `, but "fingerprint" says ` + pins[5]},
		{name: "same key twice", edit: func(f map[string]any) { party(f, 3)["fingerprint"] = pins[0] }, errMsg: "parties[3] (id 4): has the same key as party 1"},
		{name: "threshold zero", edit: func(f map[string]any) { f["threshold"] = 0 }, errMsg: "threshold 0 is not positive"},
		{name: "threshold too high", edit: func(f map[string]any) { f["threshold"] = 10000 }, errMsg: "assess: threshold 10000 is outside 1..9900"},
		{name: "alert level too high", edit: func(f map[string]any) { f["alert_level"] = 6 }, errMsg: "assess: alert level 6 is outside 1..5"},
		{name: "min parties", edit: func(f map[string]any) { f["min_parties"] = 6 }, errMsg: "assess: 5 parties: groups smaller than 6"},
		{name: "partial weights", edit: func(f map[string]any) { delete(f["weights"].(map[string]any), "exposure") }, errMsg: "weights: exposure is missing"},
		{name: "zero weights", edit: func(f map[string]any) {
			f["weights"] = map[string]any{"cvss": 0, "critical": 0, "patch_delay": 0, "exposure": 0}
		}, errMsg: "weights are all zero"},
		{name: "negative weight", edit: func(f map[string]any) { f["weights"].(map[string]any)["critical"] = -1 }, errMsg: "assess: weight of critical_vulnerabilities is -1"},
		{name: "bound of three", edit: func(f map[string]any) { f["bounds"].(map[string]any)["cvss"] = []int{0, 1, 2} }, errMsg: "bounds: cvss has 3 numbers, want [min, max]"},
		{name: "bound zero", edit: func(f map[string]any) { f["bounds"].(map[string]any)["exposure"] = []int{0, 0} }, errMsg: "bounds: exposure [0, 0] is not supported"},
		{name: "bound reversed", edit: func(f map[string]any) { f["bounds"].(map[string]any)["patch_delay"] = []int{10, 5} }, errMsg: "assess: bounds of patch_delay: min 10 is greater than max 5"},
		{name: "unknown bound", edit: func(f map[string]any) { f["bounds"].(map[string]any)["age"] = []int{0, 5} }, errMsg: `bounds: unknown input "age" (want cvss, critical, patch_delay, exposure)`},
		{name: "field", edit: func(f map[string]any) { f["field"] = "m31" }, errMsg: `field "m31": want "auto", "m61" or "m127"`},
		{name: "security", edit: func(f map[string]any) { f["security"] = "paranoid" }, errMsg: `security "paranoid": want "semi-honest" or "malicious"`},
		{name: "inputs profile", edit: func(f map[string]any) { f["inputs_profile"] = "by-hand" }, errMsg: `inputs_profile "by-hand": want cohort-inputs/v1 or cohort-inputs/v1+p95`},
		{name: "maximum", edit: func(f map[string]any) { f["maximum"] = "fastest" }, errMsg: `maximum "fastest": want "bitwise" or "tournament"`},
		{name: "negative max bits", edit: func(f map[string]any) { f["max_bits"] = -1 }, errMsg: "max_bits -1 is negative"},
		{name: "max bits too many", edit: func(f map[string]any) { f["max_bits"] = 14 }, errMsg: "assess: MaxBits 14 does not coarsen"},
		{name: "max bits with tournament", edit: func(f map[string]any) { f["max_bits"], f["maximum"] = 3, "tournament" }, errMsg: "needs the bitwise maximum"},
		{name: "step bits 0", edit: func(f map[string]any) { f["step_bits"] = 0 }, errMsg: "step_bits 0: want 1 to 4"},
		{name: "step bits 5", edit: func(f map[string]any) { f["step_bits"] = 5 }, errMsg: "assess: StepBits 5"},
		{name: "epsilon 0", edit: func(f map[string]any) { f["epsilon"] = 0 }, errMsg: "epsilon 0 is not positive"},
		{name: "noise in malicious mode", edit: func(f map[string]any) { f["epsilon"], f["security"] = 1, "malicious" }, errMsg: "not available in malicious mode"},
		{name: "empty percentiles", edit: func(f map[string]any) { f["percentiles"] = []float64{} }, errMsg: "percentiles is an empty list"},
		{name: "percentiles in a small group", edit: func(f map[string]any) { f["percentiles"] = []float64{0.5} }, errMsg: "percentiles need at least 10 organisations"},
		{name: "bad timeout", edit: func(f map[string]any) { f["timeout"] = "10 minutes" }, errMsg: `timeout "10 minutes" is not a duration`},
		{name: "zero timeout", edit: func(f map[string]any) { f["timeout"] = "0s" }, errMsg: `timeout "0s" is not positive`},
		{name: "bad connect timeout", edit: func(f map[string]any) { f["connect_timeout"] = "30" }, errMsg: `connect_timeout "30" is not a duration`},
		{name: "negative connect timeout", edit: func(f map[string]any) { f["connect_timeout"] = "-1s" }, errMsg: `connect_timeout "-1s" is not positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.edit == nil {
				path = filepath.Join(other, "cohort.json")
				require.NoError(t, os.WriteFile(path, []byte(tt.raw), 0o644))
			} else {
				f := validFile(pins[:5])
				tt.edit(f)
				path = writeJSON(t, dir, f)
			}
			_, err := deploy.Load(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.errMsg)
			assert.True(t, strings.HasPrefix(err.Error(), "deploy: "+path+": "), err.Error())
		})
	}

	_, err := deploy.Load(filepath.Join(dir, "nope.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deploy: open ")
}

func TestAssessErrorsMatch(t *testing.T) {
	dir := t.TempDir()
	f := validFile(identities(t, dir, 5))
	f["min_parties"] = 6
	_, err := deploy.Load(writeJSON(t, dir, f))
	assert.ErrorIs(t, err, assess.ErrTooFewParties)
	f["min_parties"] = 5
	f["threshold"] = 20000
	_, err = deploy.Load(writeJSON(t, dir, f))
	assert.ErrorIs(t, err, assess.ErrConfig)
}

func TestCheckInput(t *testing.T) {
	dir := t.TempDir()
	f := validFile(identities(t, dir, 5))
	f["bounds"].(map[string]any)["cvss"] = []int{10, 100}
	c, err := deploy.Load(writeJSON(t, dir, f))
	require.NoError(t, err)
	assert.NoError(t, c.CheckInput(assess.Input{CVSS: 10, Critical: 3, PatchDelay: 4, Exposure: 5}))
	err = c.CheckInput(assess.Input{CVSS: 5})
	var ie *assess.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, assess.InputError{Org: 0, Field: "cvss_score", Value: 5, Min: 10, Max: 100}, *ie)
	err = c.CheckInput(assess.Input{CVSS: 50, Exposure: 101})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "asset_exposure", ie.Field)
}

func TestLoadIdentity(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 5)
	c, err := deploy.Load(writeJSON(t, dir, validFile(pins)))
	require.NoError(t, err)

	// Party 2's certificate comes from its "cert" entry, party 5's from next
	// to the key, or from an explicit path.
	_, err = c.LoadIdentity(2, filepath.Join(dir, "party2.key"), "")
	assert.NoError(t, err)
	_, err = c.LoadIdentity(5, filepath.Join(dir, "party5.key"), "")
	assert.NoError(t, err)
	_, err = c.LoadIdentity(5, filepath.Join(dir, "party5.key"), filepath.Join(dir, "party5.crt"))
	assert.NoError(t, err)

	_, err = c.LoadIdentity(3, filepath.Join(dir, "party2.key"), filepath.Join(dir, "party2.crt"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has fingerprint "+pins[1]+", but the configuration lists "+pins[2]+" for party 3")

	_, err = c.LoadIdentity(2, filepath.Join(dir, "party3.key"), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tcp: loading identity")

	_, err = c.LoadIdentity(6, filepath.Join(dir, "party2.key"), "")
	assert.EqualError(t, err, "deploy: party 6 is not in the configuration (ids 1..5)")

	require.NoError(t, os.Rename(filepath.Join(dir, "party5.key"), filepath.Join(dir, "secret")))
	_, err = c.LoadIdentity(5, filepath.Join(dir, "secret"), "")
	assert.ErrorContains(t, err, "does not end in .key")
	_, err = c.LoadIdentity(4, filepath.Join(dir, "party4.nokey"), filepath.Join(dir, "party4.crt"))
	assert.ErrorContains(t, err, "deploy: reading key: ")

	_, err = c.TCP(0, tls.Certificate{}, nil)
	assert.Error(t, err)
}

func TestSessionHash(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 6)
	load := func(edit func(f map[string]any)) *deploy.Config {
		t.Helper()
		f := validFile(pins[:5])
		if edit != nil {
			edit(f)
		}
		c, err := deploy.Load(writeJSON(t, dir, f))
		require.NoError(t, err)
		return c
	}
	base := load(nil).SessionHash()
	assert.Equal(t, base, load(nil).SessionHash(), "deterministic")

	same := map[string]func(f map[string]any){
		"party order": func(f map[string]any) {
			ps := f["parties"].([]any)
			ps[1], ps[3] = ps[3], ps[1]
		},
		"fingerprint instead of cert": func(f map[string]any) {
			delete(party(f, 0), "cert")
			party(f, 0)["fingerprint"] = strings.ToUpper(pins[0])
		},
		"timeouts":             func(f map[string]any) { f["timeout"], f["connect_timeout"] = "1h", "5s" },
		"host case":            func(f map[string]any) { party(f, 2)["addr"] = "HOST3.example:7002" },
		"trailing dot":         func(f map[string]any) { party(f, 2)["addr"] = "host3.example.:7002" },
		"default explicit":     func(f map[string]any) { delete(f, "threshold"); delete(f, "min_parties"); f["field"] = "m61" },
		"semi-honest explicit": func(f map[string]any) { f["security"] = "semi-honest" },
		"bitwise explicit":     func(f map[string]any) { f["maximum"] = "bitwise" },
		"exact explicit":       func(f map[string]any) { f["max_bits"] = 0; f["step_bits"] = 1 },
		"alert level default":  func(f map[string]any) { delete(f, "alert_level") },
	}
	for name, edit := range same {
		assert.Equal(t, base, load(edit).SessionHash(), name)
	}

	differ := map[string]func(f map[string]any){
		"session":     func(f map[string]any) { f["session"] = "april-2025" },
		"address":     func(f map[string]any) { party(f, 2)["addr"] = "host3.example:7003" },
		"key":         func(f map[string]any) { delete(party(f, 4), "fingerprint"); party(f, 4)["fingerprint"] = pins[5] },
		"ids swapped": func(f map[string]any) { party(f, 0)["id"], party(f, 1)["id"] = 2, 1 },
		"threshold":   func(f map[string]any) { f["threshold"] = 501 },
		"alert level": func(f map[string]any) { f["alert_level"] = 3 },
		"min parties": func(f map[string]any) { f["min_parties"] = 4 },
		"field":       func(f map[string]any) { f["field"] = "m127" },
		"security":    func(f map[string]any) { f["security"] = "malicious" },
		"profile":     func(f map[string]any) { f["inputs_profile"] = "cohort-inputs/v1" },
		"weight":      func(f map[string]any) { f["weights"].(map[string]any)["exposure"] = 3 },
		"bound min":   func(f map[string]any) { f["bounds"].(map[string]any)["critical"] = []int{1, 1000} },
		"bound max":   func(f map[string]any) { f["bounds"].(map[string]any)["cvss"] = []int{0, 99} },
		"tournament":  func(f map[string]any) { f["maximum"] = "tournament" },
		"max bits":    func(f map[string]any) { f["max_bits"] = 4 },
		"step bits":   func(f map[string]any) { f["step_bits"] = 2 },
		"epsilon":     func(f map[string]any) { f["epsilon"] = 1.5 },
		"sixth party": func(f map[string]any) {
			f["parties"] = append(f["parties"].([]any), map[string]any{"id": 6, "addr": "host6.example:7005", "fingerprint": pins[5]})
		},
	}
	seen := map[[32]byte]string{base: "base"}
	for name, edit := range differ {
		h := load(edit).SessionHash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s: same hash as %s", name, prev)
		}
		seen[h] = name
	}
}

func TestParse(t *testing.T) {
	_, err := deploy.Parse([]byte(`{"session": "s", "parties": []}`), ".")
	assert.EqualError(t, err, `deploy: "parties" is missing or empty`)
	assert.False(t, errors.Is(err, assess.ErrConfig))
}

func TestLoadOptions(t *testing.T) {
	dir := t.TempDir()
	pins := identities(t, dir, 10)
	load := func(edit func(f map[string]any)) *deploy.Config {
		t.Helper()
		f := validFile(pins)
		if edit != nil {
			edit(f)
		}
		c, err := deploy.Load(writeJSON(t, dir, f))
		require.NoError(t, err)
		return c
	}
	c := load(func(f map[string]any) {
		f["max_bits"], f["step_bits"], f["epsilon"], f["percentiles"] = 4, 2, 0.5, []float64{0.5, 0.9}
	})
	assert.Equal(t, 4, c.Assess.MaxBits)
	assert.Equal(t, 2, c.Assess.StepBits)
	assert.Equal(t, 0.5, c.Assess.Epsilon)
	assert.Equal(t, []float64{0.5, 0.9}, c.Assess.Percentiles)
	assert.Equal(t, []int{6, 2}, c.Resolved().Ranks)
	assert.True(t, load(func(f map[string]any) { f["maximum"] = "tournament" }).Assess.Tournament)
	assert.Equal(t, int64(766), c.Score(assess.Input{CVSS: 98, Critical: 12, PatchDelay: 90, Exposure: 85}))

	base := load(nil).SessionHash()
	seen := map[[32]byte]string{base: "base"}
	for name, edit := range map[string]func(f map[string]any){
		"median":          func(f map[string]any) { f["percentiles"] = []float64{0.5} },
		"two percentiles": func(f map[string]any) { f["percentiles"] = []float64{0.5, 0.9} },
		"epsilon":         func(f map[string]any) { f["epsilon"] = 1 },
	} {
		h := load(edit).SessionHash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s: same hash as %s", name, prev)
		}
		seen[h] = name
	}
}
