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
	"math"
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

// parseValue parses one non-negative integer value of column col. A
// number with decimals is refused with the column's unit, and for
// cvss_score (CVSS × 10) with the integer to write instead.
func parseValue(s, col string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is too large", s)
		}
		if s == "" {
			return 0, fmt.Errorf("empty value")
		}
		if x, ferr := strconv.ParseFloat(s, 64); ferr == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			unit := ""
			if i := colIndex(col); i >= 0 {
				unit = assess.InputFields[i].Unit
			}
			if col == valueCols[0] && x >= 0 && x <= 10 {
				return 0, fmt.Errorf("%q is not an integer: %s is the %s; write %d for CVSS %s", s, col, unit, int(math.Round(x*10)), s)
			}
			return 0, fmt.Errorf("%q is not an integer: %s is the %s", s, col, unit)
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

// Columns describes the input data for a program's usage message: the CSV
// columns with their units and default ranges, the MP-SPDZ order, and the
// default score formula and its range.
func Columns() string {
	var b strings.Builder
	b.WriteString("Input data: a CSV file with a header naming these columns (any order), one row per organisation,\n")
	b.WriteString("or MP-SPDZ input files with the four integers in this order:\n")
	fmt.Fprintf(&b, "  %-26s %s\n", ColOrg, "optional: the organisation's name (CSV only)")
	formula := make([]string, len(assess.InputFields))
	lo, hi := 0, 0
	for i, f := range assess.InputFields {
		fmt.Fprintf(&b, "  %-26s %s; default bounds %d..%d\n", f.Name, f.Unit, f.Default.Min, f.Default.Max)
		formula[i] = fmt.Sprintf("%d·%s", f.Weight, f.Name)
		lo += f.Weight * f.Default.Min
		hi += f.Weight * f.Default.Max
	}
	fmt.Fprintf(&b, "Values are non-negative integers. Risk score = %s: %d..%d with the default bounds.\n",
		strings.Join(formula, " + "), lo, hi)
	return b.String()
}
