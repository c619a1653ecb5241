package scaling

import (
	"encoding/json"
	"fmt"
	"os"
)

// The protocols a row measures.
const (
	Bitwise    = "bitwise"    // the default: bitwise maximum answered by owners (DESIGN-v2 §2)
	Tournament = "tournament" // version 1's default: tournament, owners deal their threshold bits
	Generic    = "generic"    // tournament and threshold bits under MPC (DESIGN's table)
	Malicious  = "malicious"  // malicious security with abort (bitwise maximum under MPC)
)

// Protocols lists the protocols in the order of the tables.
var Protocols = []string{Bitwise, Tournament, Generic, Malicious}

// Row is one measured run of the assessment.
type Row struct {
	N        int    `json:"n"`
	T        int    `json:"t"`
	Protocol string `json:"protocol"`
	// Generic is the protocol field of measurement files written before
	// there was one: the generic path when set, else the tournament.
	Generic       bool    `json:"generic,omitempty"`
	K             int     `json:"k"`       // comparison bit length
	Seconds       float64 `json:"seconds"` // wall time of assess.Simulate
	BytesTotal    int64   `json:"bytes_total"`
	BytesParty0   int64   `json:"bytes_party0"`
	BytesPartyMax int64   `json:"bytes_party_max"`
	Messages      int64   `json:"messages"`
	Rounds        int64   `json:"rounds"`
	CPUPerParty   float64 `json:"cpu_s_per_party"` // process CPU seconds / n
	MaxRSS        int64   `json:"max_rss_bytes"`   // peak RSS of the measuring process
	Reps          int     `json:"reps"`            // runs measured; times are their median
	Verified      bool    `json:"verified"`        // outputs matched the plaintext oracle
	ModelBytes    float64 `json:"model_bytes"`     // DESIGN cost model: elements × 8
	ModelRounds   int     `json:"model_rounds"`
}

// Machine describes where the measurements ran.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemoryGiB int    `json:"memory_gib"`
	Go        string `json:"go"`
	OS        string `json:"os"`
	Date      string `json:"date"`
}

// LatencyRow is one run of the assessment over links with a delay and a
// bandwidth limit ([net.WithLink] on every party of an in-memory mesh).
type LatencyRow struct {
	N             int     `json:"n"`
	Protocol      string  `json:"protocol"`
	StepBits      int     `json:"step_bits,omitempty"` // bits per step of the bitwise maximum (0: 1)
	RTTSeconds    float64 `json:"rtt_seconds"`         // round trip time: twice the one-way delay
	BandwidthMbps float64 `json:"bandwidth_mbps"`      // uplink of each party, Mbit/s
	Seconds       float64 `json:"seconds"`             // wall time of the run
	LocalSeconds  float64 `json:"local_seconds"`       // the same run without the links
	Rounds        int64   `json:"rounds"`
	BytesPartyMax int64   `json:"bytes_party_max"`
	ModelSeconds  float64 `json:"model_seconds"` // rounds × RTT/2 + party-max bytes / bandwidth
	Verified      bool    `json:"verified"`
}

// Results is the content of a measurement file (bench/results.json).
type Results struct {
	Machine Machine      `json:"machine"`
	Rows    []Row        `json:"rows"`
	Latency []LatencyRow `json:"latency,omitempty"`
	Thesis  []ThesisRow  `json:"thesis"`
}

// Default returns the rows of the default protocol, the bitwise maximum.
func (r Results) Default() []Row { return r.Of(Bitwise) }

// Of returns the rows of one protocol.
func (r Results) Of(protocol string) []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Protocol == protocol {
			out = append(out, row)
		}
	}
	return out
}

// normalise fills in the protocol of rows from files written before there
// was one.
func (r *Results) normalise() {
	for i := range r.Rows {
		if r.Rows[i].Protocol == "" {
			r.Rows[i].Protocol = Tournament
			if r.Rows[i].Generic {
				r.Rows[i].Protocol = Generic
			}
			r.Rows[i].Generic = false
		}
	}
}

// ReadResults reads a measurement file.
func ReadResults(path string) (Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Results{}, fmt.Errorf("scaling: %w", err)
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return Results{}, fmt.Errorf("scaling: %s: %w", path, err)
	}
	r.normalise()
	return r, nil
}

// WriteResults writes a measurement file.
func WriteResults(path string, r Results) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("scaling: %w", err)
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
