package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/inputs"
)

// maxInputSize bounds an input file: one organisation's four values.
const maxInputSize = 1 << 16

// partyInput is this organisation's data and where it came from.
type partyInput struct {
	input   assess.Input
	source  string // for the report
	warning string // something worth logging, or empty
}

var mpspdzName = regexp.MustCompile(`^Input-P([0-9]+)-0$`)

// readInput reads party id's input file: MP-SPDZ when the file is named
// Input-P<i>-0 or its first non-blank line has no comma (so cannot be a
// CSV header), CSV with exactly one data row otherwise.
func readInput(path string, id int) (partyInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return partyInput{}, fmt.Errorf("input: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInputSize+1))
	if err != nil {
		return partyInput{}, fmt.Errorf("input: reading %s: %w", path, err)
	}
	if len(data) > maxInputSize {
		return partyInput{}, fmt.Errorf("input: %s is larger than %d bytes: not one organisation's data", path, maxInputSize)
	}
	m := mpspdzName.FindStringSubmatch(filepath.Base(path))
	if m != nil || !looksLikeCSV(data) {
		in, err := inputs.ParseMPSPDZ(bytes.NewReader(data))
		if err != nil {
			return partyInput{}, named(err, path)
		}
		pi := partyInput{input: in, source: path + " (MP-SPDZ input file)"}
		if m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i != id-1 {
				pi.warning = fmt.Sprintf("input file %s is MP-SPDZ party %d's, which is party id %d here, not %d (ids count from 1, MP-SPDZ parties from 0)",
					path, i, i+1, id)
			}
		}
		return pi, nil
	}
	rows, err := inputs.ParseCSV(bytes.NewReader(data))
	if err != nil {
		return partyInput{}, named(err, path)
	}
	if len(rows) != 1 {
		return partyInput{}, fmt.Errorf("input: %s has %d data rows: a party's file holds its own organisation's row only", path, len(rows))
	}
	src := path + " (CSV)"
	if rows[0].Org != "" {
		src = fmt.Sprintf("%s (CSV, org %s)", path, rows[0].Org)
	}
	return partyInput{input: rows[0].Input, source: src}, nil
}

// looksLikeCSV reports whether the first non-blank line has a comma, as a
// CSV header of four or five columns does and a line of MP-SPDZ input
// (integers separated by white space) does not.
func looksLikeCSV(data []byte) bool {
	for line := range bytes.Lines(data) {
		if len(bytes.TrimSpace(line)) > 0 {
			return bytes.ContainsRune(line, ',')
		}
	}
	return false
}

// named adds the file name to a parse error.
func named(err error, path string) error {
	var pe *inputs.ParseError
	if errors.As(err, &pe) {
		pe.File = path
		return pe
	}
	return fmt.Errorf("input: %s: %w", path, err)
}
