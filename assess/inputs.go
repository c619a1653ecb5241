package assess

// InputField describes one of the four inputs of an organisation. The
// parsers, the configuration file, the data generator and the reports all
// iterate [InputFields], so that a name, unit or default is written once.
type InputField struct {
	// Name is the input's name in files (the CSV column) and in errors.
	Name string
	// Key is its short key in the weights and bounds of cohort.json.
	Key string
	// Unit says what the integer counts, with an example of the conversion
	// where one is needed.
	Unit string
	// Default is the default public bound.
	Default Range
	// Weight is the default weight in the score.
	Weight int
}

// InputFields are the four inputs in their canonical order: the order of
// [Input]'s fields, of the MP-SPDZ input format and of [Input.Values].
var InputFields = [4]InputField{
	{Name: "cvss_score", Key: "cvss", Unit: "CVSS base score × 10, an integer (CVSS 7.8 → 78)", Default: Range{0, 100}, Weight: 4},
	{Name: "critical_vulnerabilities", Key: "critical", Unit: "number of critical vulnerabilities", Default: Range{0, 1000}, Weight: 2},
	{Name: "patch_delay", Key: "patch_delay", Unit: "patch delay in days", Default: Range{0, 3650}, Weight: 2},
	{Name: "asset_exposure", Key: "exposure", Unit: "percentage of assets exposed", Default: Range{0, 100}, Weight: 2},
}

// Values returns the four inputs in the order of [InputFields].
func (in Input) Values() [4]int { return [4]int{in.CVSS, in.Critical, in.PatchDelay, in.Exposure} }

// InputOf returns the Input with the four values in the order of
// [InputFields].
func InputOf(v [4]int) Input {
	return Input{CVSS: v[0], Critical: v[1], PatchDelay: v[2], Exposure: v[3]}
}

// Values returns the four weights in the order of [InputFields].
func (w Weights) Values() [4]int { return [4]int{w.CVSS, w.Critical, w.PatchDelay, w.Exposure} }

// WeightsOf returns the Weights with the four values in the order of
// [InputFields].
func WeightsOf(v [4]int) Weights {
	return Weights{CVSS: v[0], Critical: v[1], PatchDelay: v[2], Exposure: v[3]}
}

// Ranges returns the four bounds in the order of [InputFields].
func (b Bounds) Ranges() [4]Range { return [4]Range{b.CVSS, b.Critical, b.PatchDelay, b.Exposure} }

// BoundsOf returns the Bounds with the four ranges in the order of
// [InputFields].
func BoundsOf(r [4]Range) Bounds {
	return Bounds{CVSS: r[0], Critical: r[1], PatchDelay: r[2], Exposure: r[3]}
}

var defaultWeights = func() Weights {
	var w [4]int
	for i, f := range InputFields {
		w[i] = f.Weight
	}
	return WeightsOf(w)
}()
