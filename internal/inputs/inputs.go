// Package inputs reads and writes the organisations' input data for the
// assessment, and generates synthetic data sets.
//
// Two formats are supported:
//
//   - CSV with a header row naming the columns cvss_score,
//     critical_vulnerabilities, patch_delay and asset_exposure in any order,
//     and optionally org (a name for the organisation), one row per
//     organisation;
//   - MP-SPDZ input files, as read by MP-SPDZ's Player-Data directory: file
//     Input-P<i>-0 holds the four integers of party i (numbered from 0),
//     separated by white space, in the order cvss_score,
//     critical_vulnerabilities, patch_delay, asset_exposure.
//
// The parsers check the syntax and that no value is negative; the public
// bounds are checked by package assess.
package inputs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cohortmpc/cohort/assess"
)

// ColOrg is the optional column that names the organisation.
const ColOrg = "org"

// valueCols are the four input columns ([assess.InputFields]) in the order of
// the MP-SPDZ format.
var valueCols = func() [4]string {
	var c [4]string
	for i, f := range assess.InputFields {
		c[i] = f.Name
	}
	return c
}()

// Row is one organisation's data as read from a CSV file.
type Row struct {
	Org   string // the org column, or empty
	Input assess.Input
	Line  int // line of the file the row starts on (1-based); 0 when not read from a file
}

// ParseError reports a syntax or value error in input data.
type ParseError struct {
	File   string // file name, when known
	Line   int    // 1-based line, or 0 when the error concerns the whole file
	Column string // column name, when the error concerns one value
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("inputs: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Column != "" {
			fmt.Fprintf(&b, ", column %s", e.Column)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// parseValue parses one non-negative integer value.
func parseValue(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is too large", s)
		}
		if s == "" {
			return 0, fmt.Errorf("empty value")
		}
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%d is negative", v)
	}
	return v, nil
}

// values returns the input's fields in the order of valueCols.
func values(in assess.Input) [4]int { return in.Values() }

// set stores v in the field named by col.
func set(in *assess.Input, col string, v int) {
	vals := in.Values()
	i := colIndex(col)
	if i < 0 {
		panic("inputs: unknown column " + col)
	}
	vals[i] = v
	*in = assess.InputOf(vals)
}

// colIndex is the index of input column col in valueCols, or −1.
func colIndex(col string) int {
	for i, c := range valueCols {
		if c == col {
			return i
		}
	}
	return -1
}
