package scaling

import (
	"encoding/json"
	"fmt"
	"os"
)

// Row is one measured run of the assessment.
type Row struct {
	N             int     `json:"n"`
	T             int     `json:"t"`
	Generic       bool    `json:"generic"` // threshold bits under MPC (DESIGN's table)
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

// Results is the content of a measurement file (bench/results.json).
type Results struct {
	Machine Machine     `json:"machine"`
	Rows    []Row       `json:"rows"`
	Thesis  []ThesisRow `json:"thesis"`
}

// Default returns the rows of the default path.
func (r Results) Default() []Row { return r.filter(false) }

// Generic returns the rows of the generic path.
func (r Results) Generic() []Row { return r.filter(true) }

func (r Results) filter(generic bool) []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Generic == generic {
			out = append(out, row)
		}
	}
	return out
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
