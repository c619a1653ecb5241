package scaling

// ThesisRow is one measurement of the thesis this project follows
// (MP-SPDZ, semi-honest Shamir protocol, all parties on one machine).
type ThesisRow struct {
	N           int     `json:"n"`
	Seconds     float64 `json:"seconds"`
	Party0MB    float64 `json:"party0_mb"` // data sent by party 0
	GlobalMB    float64 `json:"global_mb"` // data sent by all parties
	CouldNotRun bool    `json:"could_not_run,omitempty"`
}

// Thesis lists the thesis's measurements; at n = 100 the run failed.
var Thesis = []ThesisRow{
	{N: 3, Seconds: 0.0108, Party0MB: 0.049, GlobalMB: 0.127},
	{N: 5, Seconds: 0.0286, Party0MB: 0.19, GlobalMB: 0.85},
	{N: 10, Seconds: 0.1008, Party0MB: 0.82, GlobalMB: 4.53},
	{N: 25, Seconds: 1.1657, Party0MB: 4.59, GlobalMB: 62.2},
	{N: 50, Seconds: 5.9474, Party0MB: 18.14, GlobalMB: 474.6},
	{N: 100, CouldNotRun: true},
}

// ThesisAt returns the thesis's row for n, if there is one.
func ThesisAt(n int) (ThesisRow, bool) {
	for _, r := range Thesis {
		if r.N == n {
			return r, true
		}
	}
	return ThesisRow{}, false
}

// DesignRow is a row of DESIGN §8's table: the modelled cost of the generic
// path with k = 14.
type DesignRow struct {
	N          int
	TotalBytes float64
	Rounds     int // upper bound
}

// Design lists DESIGN §8's table.
var Design = []DesignRow{
	{N: 3, TotalBytes: 4.3e3, Rounds: 29},
	{N: 10, TotalBytes: 108e3, Rounds: 53},
	{N: 50, TotalBytes: 3.6e6, Rounds: 77},
	{N: 100, TotalBytes: 16.6e6, Rounds: 89},
	{N: 1000, TotalBytes: 3.25e9, Rounds: 125},
}

// DesignAt returns DESIGN's row for n, if there is one.
func DesignAt(n int) (DesignRow, bool) {
	for _, r := range Design {
		if r.N == n {
			return r, true
		}
	}
	return DesignRow{}, false
}
