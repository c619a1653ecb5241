package assess_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
)

func repeat(in assess.Input, n int) []assess.Input {
	out := make([]assess.Input, n)
	for i := range out {
		out[i] = in
	}
	return out
}

func TestDefaultAlertLevel(t *testing.T) {
	for n, want := range map[int]int{3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 3, 10: 3, 25: 8, 50: 15, 100: 30, 1000: 300} {
		assert.Equal(t, want, assess.DefaultAlertLevel(n), "n = %d", n)
	}
}

func TestExpectedEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		inputs []assess.Input
		cfg    assess.Config
		want   assess.Result
	}{
		{
			name:   "all equal",
			inputs: repeat(assess.Input{CVSS: 70, Critical: 3, PatchDelay: 20, Exposure: 50}, 6), // 280+6+40+100 = 426
			want:   assess.Result{Organisations: 6, ComputeParties: 6, Corruptible: 2, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61, Sum: 6 * 426, Average: 426, AtOrAbove: 0, Max: 426},
		},
		{
			name: "all below threshold",
			inputs: []assess.Input{
				{CVSS: 10}, {CVSS: 20, Critical: 1}, {PatchDelay: 5}, {Exposure: 100}, {CVSS: 100, Critical: 9, PatchDelay: 20, Exposure: 20},
			}, // 40, 82, 10, 200, 400+18+40+40 = 498
			want: assess.Result{Organisations: 5, ComputeParties: 5, Corruptible: 2, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61, Sum: 830, Average: 166, AtOrAbove: 0, Max: 498},
		},
		{
			name:   "all exactly at threshold",
			inputs: repeat(assess.Input{CVSS: 100, Critical: 10, PatchDelay: 20, Exposure: 20}, 7), // 400+20+40+40 = 500
			want:   assess.Result{Organisations: 7, ComputeParties: 7, Corruptible: 3, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61, Sum: 3500, Average: 500, AtOrAbove: 7, Alert: true, Max: 500},
		},
		{
			name: "ties for the maximum",
			inputs: []assess.Input{
				{CVSS: 90, Critical: 5, PatchDelay: 60, Exposure: 80}, // 360+10+120+160 = 650
				{CVSS: 10}, // 40
				{CVSS: 90, Critical: 5, PatchDelay: 60, Exposure: 80},  // 650
				{CVSS: 40, PatchDelay: 100},                            // 360
				{CVSS: 80, Critical: 15, PatchDelay: 70, Exposure: 70}, // 320+30+140+140 = 630
			},
			cfg:  assess.Config{AlertLevel: 4},
			want: assess.Result{Organisations: 5, ComputeParties: 5, Corruptible: 2, Threshold: 500, AlertLevel: 4, Field: assess.FieldM61, Sum: 2330, Average: 466, AtOrAbove: 3, Max: 650},
		},
		{
			name:   "all inputs at their upper bounds",
			inputs: repeat(assess.Input{CVSS: 100, Critical: 1000, PatchDelay: 3650, Exposure: 100}, 5),
			want:   assess.Result{Organisations: 5, ComputeParties: 5, Corruptible: 2, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61, Sum: 5 * 9900, Average: 9900, AtOrAbove: 5, Alert: true, Max: 9900},
		},
		{
			name:   "all inputs zero",
			inputs: repeat(assess.Input{}, 5),
			want:   assess.Result{Organisations: 5, ComputeParties: 5, Corruptible: 2, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61},
		},
		{
			name: "custom weights, threshold and bounds",
			inputs: []assess.Input{
				{CVSS: 5, Critical: 1, PatchDelay: 2, Exposure: 3}, // 5+0+4+3 = 12
				{CVSS: 9, Critical: 1, PatchDelay: 9, Exposure: 9}, // 9+18+9 = 36
				{CVSS: 1, Critical: 1, PatchDelay: 1, Exposure: 1}, // 1+2+1 = 4
			},
			cfg: assess.Config{
				Threshold: 12, AlertLevel: 3, MinParties: 3,
				Weights: assess.Weights{CVSS: 1, PatchDelay: 2, Exposure: 1},
				Bounds:  assess.Bounds{CVSS: assess.Range{Max: 9}, PatchDelay: assess.Range{Max: 9}, Exposure: assess.Range{Max: 9}},
			},
			want: assess.Result{Organisations: 3, ComputeParties: 3, Corruptible: 1, Threshold: 12, AlertLevel: 3, Field: assess.FieldM61, Sum: 52, Average: 52.0 / 3, AtOrAbove: 2, Max: 36},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := assess.Expected(tt.inputs, tt.cfg)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestExpectedRejectsInputOutOfRange(t *testing.T) {
	inputs := repeat(assess.Input{CVSS: 50}, 7)
	inputs[6].CVSS = 120
	_, err := assess.Expected(inputs, assess.Config{})
	require.ErrorIs(t, err, assess.ErrInputOutOfRange)
	var ie *assess.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, assess.InputError{Org: 7, Field: "cvss_score", Value: 120, Min: 0, Max: 100}, *ie)
	assert.EqualError(t, err, "assess: organisation 7: cvss_score 120 is outside 0..100")

	inputs[6] = assess.Input{Exposure: -1}
	_, err = assess.Expected(inputs, assess.Config{})
	assert.EqualError(t, err, "assess: organisation 7: asset_exposure -1 is outside 0..100")

	inputs[6] = assess.Input{Critical: 3}
	_, err = assess.Expected(inputs, assess.Config{Bounds: assess.Bounds{Critical: assess.Range{Min: 5, Max: 10}}, Threshold: 100})
	assert.EqualError(t, err, "assess: organisation 1: critical_vulnerabilities 0 is outside 5..10")
}

func TestExpectedRejectsConfig(t *testing.T) {
	five := repeat(assess.Input{}, 5)
	_, err := assess.Expected(five[:2], assess.Config{})
	assert.ErrorIs(t, err, assess.ErrTooFewParties)
	_, err = assess.Expected(five[:4], assess.Config{})
	assert.ErrorIs(t, err, assess.ErrTooFewParties)
	_, err = assess.Expected(five, assess.Config{Threshold: -1})
	assert.ErrorIs(t, err, assess.ErrConfig)
	assert.False(t, errors.Is(err, assess.ErrTooFewParties))
}
