package assess

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/ops"
)

func TestResolveDefaults(t *testing.T) {
	c, err := Config{}.Resolve(10)
	require.NoError(t, err)
	assert.Equal(t, 500, c.Threshold)
	assert.Equal(t, 3, c.AlertLevel)
	assert.Equal(t, Weights{4, 2, 2, 2}, c.Weights)
	assert.Equal(t, Bounds{CVSS: Range{0, 100}, Critical: Range{0, 1000}, PatchDelay: Range{0, 3650}, Exposure: Range{0, 100}}, c.Bounds)
	assert.Equal(t, 5, c.MinParties)
	assert.Equal(t, FieldM61, c.Field)
	assert.Equal(t, "cohort-assess-v1", c.SessionID)
	assert.Equal(t, 10*time.Minute, c.Timeout)
	assert.False(t, c.ThresholdUnderMPC)

	// Resolving is idempotent and keeps explicit values.
	again, err := c.Config.Resolve(10)
	require.NoError(t, err)
	assert.Equal(t, c, again)

	c, err = Config{Threshold: 8000, AlertLevel: 10, MinParties: 3, SessionID: "s", Timeout: time.Second, Field: FieldM127,
		Bounds: Bounds{Critical: Range{1, 50}}}.Resolve(10)
	require.NoError(t, err)
	assert.Equal(t, 8000, c.Threshold)
	assert.Equal(t, 10, c.AlertLevel)
	assert.Equal(t, 3, c.MinParties)
	assert.Equal(t, "s", c.SessionID)
	assert.Equal(t, time.Second, c.Timeout)
	assert.Equal(t, FieldM127, c.Field)
	assert.Equal(t, Range{1, 50}, c.Bounds.Critical)
	assert.Equal(t, Range{0, 3650}, c.Bounds.PatchDelay)
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		n    int
		cfg  Config
		kind error
		msg  string // substring of the message
	}{
		{"two parties", 2, Config{}, ErrTooFewParties, "assess: 2 parties: at least 3 are needed"},
		{"two parties with low min", 2, Config{MinParties: 3}, ErrTooFewParties, "at least 3 are needed"},
		{"zero parties", 0, Config{}, ErrTooFewParties, "assess: 0 parties"},
		{"below default min", 4, Config{}, ErrTooFewParties, "smaller than 5 (MinParties) are refused because the outputs themselves reveal too much"},
		{"below custom min", 9, Config{MinParties: 10}, ErrTooFewParties, "at 3 parties each learns all scores"},
		{"min parties 2", 10, Config{MinParties: 2}, ErrConfig, "MinParties 2 is below 3"},
		{"min parties negative", 10, Config{MinParties: -1}, ErrConfig, "MinParties -1 is below 3"},
		{"negative weight", 5, Config{Weights: Weights{CVSS: 4, Critical: -1}}, ErrConfig, "weight of critical_vulnerabilities is -1"},
		{"negative min bound", 5, Config{Bounds: Bounds{PatchDelay: Range{-1, 10}}}, ErrConfig, "bounds of patch_delay: min -1 is negative"},
		{"min above max", 5, Config{Bounds: Bounds{Exposure: Range{50, 10}}}, ErrConfig, "bounds of asset_exposure: min 50 is greater than max 10"},
		{"negative max", 5, Config{Bounds: Bounds{CVSS: Range{0, -1}}}, ErrConfig, "bounds of cvss_score: min 0 is greater than max -1"},
		{"threshold negative", 5, Config{Threshold: -3}, ErrConfig, "threshold -3 is outside 1..9900"},
		{"threshold above max score", 5, Config{Threshold: 9901}, ErrConfig, "threshold 9901 is outside 1..9900"},
		{"threshold at min score", 5, Config{Threshold: 100, Bounds: Bounds{CVSS: Range{25, 100}}}, ErrConfig, "threshold 100 is outside 101..9900"},
		{"default threshold out of range", 5, Config{Bounds: Bounds{CVSS: Range{0, 50}, Critical: Range{0, 10}, PatchDelay: Range{0, 10}, Exposure: Range{0, 50}}}, ErrConfig,
			"the default threshold 500 is outside 1..340"},
		{"default threshold out of range, small", 5, Config{Weights: Weights{CVSS: 1}}, ErrConfig,
			"the default threshold 500 is outside 1..100, the thresholds that can separate the possible scores 0..100 of these bounds and weights: set Config.Threshold"},
		{"constant score", 5, Config{Threshold: 1, Weights: Weights{CVSS: 1}, Bounds: Bounds{CVSS: Range{7, 7}}}, ErrConfig, "threshold 1 is outside 8..7"},
		{"alert level negative", 5, Config{AlertLevel: -1}, ErrConfig, "alert level -1 is outside 1..5"},
		{"alert level above n", 5, Config{AlertLevel: 6}, ErrConfig, "alert level 6 is outside 1..5"},
		{"unknown field", 5, Config{Field: "m31"}, ErrConfig, `unknown field "m31"`},
		{"upper-case field", 5, Config{Field: "M61"}, ErrConfig, `unknown field "M61"`},
		{"m61 too small", 5, Config{Field: FieldM61, Bounds: Bounds{PatchDelay: Range{0, 1 << 20}}}, ErrConfig, "field m61 is too small"},
		{"sum overflows", 5, Config{Bounds: Bounds{PatchDelay: Range{0, math.MaxInt64 / 8}}}, ErrConfig, "overflow a 64-bit sum"},
		{"score overflows", 5, Config{Weights: Weights{CVSS: math.MaxInt}, Bounds: Bounds{CVSS: Range{0, math.MaxInt}}}, ErrConfig, "overflow a 64-bit sum"},
		{"negative timeout", 5, Config{Timeout: -time.Second}, ErrConfig, "timeout -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.Resolve(tt.n)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "assess: "), err.Error())
			for _, other := range []error{ErrTooFewParties, ErrConfig, ErrInputOutOfRange} {
				if other != tt.kind {
					assert.False(t, errors.Is(err, other), "%v also matches %v", err, other)
				}
			}
		})
	}
}

func TestAllZeroWeightsMeanDefaults(t *testing.T) {
	c, err := Config{Weights: Weights{}}.Resolve(5)
	require.NoError(t, err)
	assert.Equal(t, defaultWeights, c.Weights)
	// A partial set of weights is kept as given: zero means zero there.
	c, err = Config{Weights: Weights{PatchDelay: 1}, Threshold: 30}.Resolve(5)
	require.NoError(t, err)
	assert.Equal(t, Weights{PatchDelay: 1}, c.Weights)
}

func TestScoreRangeAndCompareBits(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		lo, hi int64
		k      int
		field  Field
	}{
		{"defaults", Config{}, 0, 9900, 15, FieldM61},
		{"cvss only", Config{Weights: Weights{CVSS: 1}, Threshold: 50}, 0, 100, 8, FieldM61},
		{"span is a power of two", Config{Weights: Weights{CVSS: 1}, Bounds: Bounds{CVSS: Range{0, 64}}, Threshold: 1}, 0, 64, 8, FieldM61},
		{"span one below a power of two", Config{Weights: Weights{CVSS: 1}, Bounds: Bounds{CVSS: Range{0, 63}}, Threshold: 1}, 0, 63, 7, FieldM61},
		{"raised minimum", Config{Bounds: Bounds{CVSS: Range{50, 100}}}, 200, 9900, 15, FieldM61},
		{"largest for m61", Config{Weights: Weights{PatchDelay: 1}, Bounds: Bounds{PatchDelay: Range{0, 1<<18 - 1}}}, 0, 1<<18 - 1, 19, FieldM61},
		{"smallest for m127", Config{Weights: Weights{PatchDelay: 1}, Bounds: Bounds{PatchDelay: Range{0, 1 << 18}}}, 0, 1 << 18, 20, FieldM127},
		{"huge bounds", Config{Bounds: Bounds{Critical: Range{0, 1 << 40}}}, 0, 9900 - 2000 + 2<<40, 43, FieldM127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cfg.Resolve(5)
			require.NoError(t, err)
			assert.Equal(t, tt.lo, c.ScoreMin, "lo")
			assert.Equal(t, tt.hi, c.ScoreMax, "hi")
			assert.Equal(t, tt.field, c.Field)
			assert.Equal(t, tt.k, c.compareBits(), "k")
			// The tournament derives the same width from the typed bounds.
			span := c.ScoreMax - c.ScoreMin
			assert.Equal(t, tt.k, max(2, ops.Bound{Lo: -span, Hi: span}.Bits(), c.thresholdBound().Bits()), "typed k")
			// k is the smallest that holds every difference.
			half := int64(1) << (tt.k - 1)
			assert.True(t, span < half && -span >= -half)
			assert.True(t, span >= half/2, "k is not minimal")
		})
	}
}

func TestHugeBoundsAreRefused(t *testing.T) {
	c := Config{Weights: Weights{CVSS: math.MaxInt}, Bounds: Bounds{CVSS: Range{0, math.MaxInt}}}
	_, err := c.Resolve(5)
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorContains(t, err, "overflow a 64-bit sum")
}

func TestScore(t *testing.T) {
	in := Input{CVSS: 98, Critical: 12, PatchDelay: 90, Exposure: 85}
	assert.Equal(t, int64(0), score(in, Weights{}), "zero weights score zero; Resolve applies the defaults")
	assert.Equal(t, int64(766), score(in, defaultWeights))
	assert.Equal(t, int64(98+3*90), score(in, Weights{CVSS: 1, PatchDelay: 3}))
	assert.Equal(t, int64(9900), score(Input{100, 1000, 3650, 100}, defaultWeights))
	r, err := Config{}.Resolve(5)
	require.NoError(t, err)
	assert.Equal(t, int64(766), r.Score(in))
}

func TestCheckInput(t *testing.T) {
	c, err := Config{}.Resolve(5)
	require.NoError(t, err)
	require.NoError(t, c.CheckInput(1, Input{}))
	require.NoError(t, c.CheckInput(1, Input{100, 1000, 3650, 100}))
	for _, tt := range []struct {
		in  Input
		msg string
	}{
		{Input{CVSS: 101}, "assess: organisation 3: cvss_score 101 is outside 0..100"},
		{Input{Critical: 1001}, "assess: organisation 3: critical_vulnerabilities 1001 is outside 0..1000"},
		{Input{PatchDelay: -1}, "assess: organisation 3: patch_delay -1 is outside 0..3650"},
		{Input{Exposure: 200}, "assess: organisation 3: asset_exposure 200 is outside 0..100"},
	} {
		err := c.CheckInput(3, tt.in)
		assert.EqualError(t, err, tt.msg)
		assert.ErrorIs(t, err, ErrInputOutOfRange)
	}
	c, err = Config{Bounds: Bounds{CVSS: Range{10, 20}}}.Resolve(5)
	require.NoError(t, err)
	assert.EqualError(t, c.CheckInput(7, Input{CVSS: 9}), "assess: organisation 7: cvss_score 9 is outside 10..20")
	assert.NoError(t, c.CheckInput(7, Input{CVSS: 10}))
}

// hashOf resolves c for n organisations and returns its hash.
func hashOf(t *testing.T, c Config, n int) [32]byte {
	t.Helper()
	r, err := c.Resolve(n)
	require.NoError(t, err)
	return r.Hash()
}

func TestHash(t *testing.T) {
	base := Config{}
	h := hashOf(t, base, 10)

	// Equal for equivalent configurations.
	explicit := Config{
		Threshold: 500, AlertLevel: 3, Weights: Weights{4, 2, 2, 2},
		Bounds:     Bounds{CVSS: Range{0, 100}, Critical: Range{0, 1000}, PatchDelay: Range{0, 3650}, Exposure: Range{0, 100}},
		MinParties: 5, Field: FieldM61, SessionID: "cohort-assess-v1",
	}
	assert.Equal(t, h, hashOf(t, explicit, 10))
	resolved, err := base.Resolve(10)
	require.NoError(t, err)
	assert.Equal(t, h, hashOf(t, resolved.Config, 10))
	// StepBits 0 means 1.
	assert.Equal(t, h, hashOf(t, Config{StepBits: 1}, 10))
	// Local settings are not part of it.
	assert.Equal(t, h, hashOf(t, Config{Timeout: time.Hour, Progress: func(string, int, int) {}}, 10))

	// Different whenever a public parameter differs.
	changes := map[string]func(*Config){
		"threshold":       func(c *Config) { c.Threshold = 501 },
		"alert level":     func(c *Config) { c.AlertLevel = 4 },
		"weight cvss":     func(c *Config) { c.Weights = Weights{5, 2, 2, 2} },
		"weight critical": func(c *Config) { c.Weights = Weights{4, 3, 2, 2} },
		"weight patch":    func(c *Config) { c.Weights = Weights{4, 2, 3, 2} },
		"weight exposure": func(c *Config) { c.Weights = Weights{4, 2, 2, 3} },
		"cvss min":        func(c *Config) { c.Bounds.CVSS = Range{1, 100} },
		"cvss max":        func(c *Config) { c.Bounds.CVSS = Range{0, 99} },
		"critical min":    func(c *Config) { c.Bounds.Critical = Range{1, 1000} },
		"critical max":    func(c *Config) { c.Bounds.Critical = Range{0, 999} },
		"patch min":       func(c *Config) { c.Bounds.PatchDelay = Range{1, 3650} },
		"patch max":       func(c *Config) { c.Bounds.PatchDelay = Range{0, 3651} },
		"exposure min":    func(c *Config) { c.Bounds.Exposure = Range{1, 100} },
		"exposure max":    func(c *Config) { c.Bounds.Exposure = Range{0, 101} },
		"min parties":     func(c *Config) { c.MinParties = 6 },
		"field":           func(c *Config) { c.Field = FieldM127 },
		"session id":      func(c *Config) { c.SessionID = "campaign-2" },
		"generic path":    func(c *Config) { c.ThresholdUnderMPC = true },
		"malicious":       func(c *Config) { c.Security = Malicious },
		"inputs profile":  func(c *Config) { c.InputsProfile = "cohort-inputs/v1" },
		"tournament":      func(c *Config) { c.Tournament = true },
		"max bits":        func(c *Config) { c.MaxBits = 4 },
		"max bits 5":      func(c *Config) { c.MaxBits = 5 },
		"step bits":       func(c *Config) { c.StepBits = 2 },
		"epsilon":         func(c *Config) { c.Epsilon = 1 },
		"epsilon 0.5":     func(c *Config) { c.Epsilon = 0.5 },
		"median":          func(c *Config) { c.Percentiles = []float64{0.5} },
		"two percentiles": func(c *Config) { c.Percentiles = []float64{0.5, 0.9} },
		"other order":     func(c *Config) { c.Percentiles = []float64{0.9, 0.5} },
	}
	seen := map[[32]byte]string{h: "base"}
	for name, change := range changes {
		c := base
		change(&c)
		got := hashOf(t, c, 10)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: hash equals that of %s", name, prev)
		}
		seen[got] = name
	}
	// The number of parties is part of it, even when K is explicit.
	assert.NotEqual(t, hashOf(t, Config{AlertLevel: 3}, 10), hashOf(t, Config{AlertLevel: 3}, 11))
	// Strings are length-prefixed: moving bytes between fields changes the hash.
	assert.NotEqual(t, hashOf(t, Config{Field: "m61", SessionID: "mx"}, 10), hashOf(t, Config{Field: "m127", SessionID: "x"}, 10))
}

// TestHashCoversConfig fails when Config gains a field, so that whoever adds
// it decides whether the parties must agree on it (and updates hash).
func TestHashCoversConfig(t *testing.T) {
	covered := map[string]bool{
		"Threshold": true, "AlertLevel": true, "Weights": true, "Bounds": true, "MinParties": true,
		"Field": true, "SessionID": true, "ThresholdUnderMPC": true, "Security": true, "InputsProfile": true,
		"Tournament": true, "MaxBits": true, "StepBits": true, "Epsilon": true, "Percentiles": true,
		"Timeout": false, "Progress": false, // local to each party
	}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if _, ok := covered[name]; !ok {
			t.Errorf("Config.%s is new: decide whether Resolved.Hash must cover it and list it here", name)
		}
	}
	assert.Equal(t, len(covered), typ.NumField())
}
