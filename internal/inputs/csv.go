package inputs

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

const bom = "\uFEFF"

// ParseCSV reads organisations' inputs from CSV. The first non-blank row is
// the header; it must name the four input columns (cvss_score,
// critical_vulnerabilities, patch_delay, asset_exposure) in any order and
// may name an org column. Column names are case-insensitive. A UTF-8 byte
// order mark, blank lines, CRLF line endings and spaces around values are
// tolerated. Values must be non-negative integers; org names, when given,
// must be distinct. Errors are [*ParseError] values naming the line and
// column.
func ParseCSV(r io.Reader) ([]Row, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(bom)); err == nil && string(b) == bom {
		br.Discard(len(bom))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	// next returns the next record that is not blank, and its line.
	next := func() ([]string, int, error) {
		for {
			rec, err := cr.Read()
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, 0, &ParseError{Line: pe.Line, Err: pe.Err}
				}
				return nil, 0, err
			}
			line, _ := cr.FieldPos(0)
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
			if hasContent(rec) {
				return rec, line, nil
			}
		}
	}

	header, headerLine, err := next()
	if err == io.EOF {
		return nil, &ParseError{Err: errors.New("empty file: want a header row naming " + strings.Join(valueCols[:], ", "))}
	}
	if err != nil {
		return nil, err
	}
	cols, err := parseHeader(header, headerLine)
	if err != nil {
		return nil, err
	}

	var rows []Row
	orgLine := map[string]int{}
	for {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(cols) {
			return nil, &ParseError{Line: line, Err: fmt.Errorf("%d fields, want %d as in the header", len(rec), len(cols))}
		}
		row := Row{Line: line}
		for i, col := range cols {
			if col == ColOrg {
				row.Org = rec[i]
				continue
			}
			v, err := parseValue(rec[i], col)
			if err != nil {
				return nil, &ParseError{Line: line, Column: col, Err: err}
			}
			set(&row.Input, col, v)
		}
		if row.Org != "" {
			if prev, dup := orgLine[row.Org]; dup {
				return nil, &ParseError{Line: line, Column: ColOrg, Err: fmt.Errorf("organisation %q already appears on line %d", row.Org, prev)}
			}
			orgLine[row.Org] = line
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &ParseError{Line: headerLine, Err: errors.New("no data rows after the header")}
	}
	return rows, nil
}

func hasContent(rec []string) bool {
	for _, f := range rec {
		if f != "" {
			return true
		}
	}
	return false
}

// parseHeader maps each column of the header to its name.
func parseHeader(header []string, line int) ([]string, error) {
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, name := range header {
		name = strings.ToLower(name)
		switch {
		case name == ColOrg || colIndex(name) >= 0:
		case name == "":
			return nil, &ParseError{Line: line, Err: fmt.Errorf("header column %d is empty", i+1)}
		default:
			return nil, &ParseError{Line: line, Err: fmt.Errorf("unknown column %q in the header (want %s, and optionally %s)",
				header[i], strings.Join(valueCols[:], ", "), ColOrg)}
		}
		if seen[name] {
			return nil, &ParseError{Line: line, Err: fmt.Errorf("duplicate column %s in the header", name)}
		}
		seen[name] = true
		cols[i] = name
	}
	for _, want := range valueCols {
		if !seen[want] {
			return nil, &ParseError{Line: line, Err: fmt.Errorf("header lacks column %s", want)}
		}
	}
	return cols, nil
}

// ReadCSVFile reads a CSV file with [ParseCSV]; errors name the file.
func ReadCSVFile(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inputs: %w", err)
	}
	defer f.Close()
	rows, err := ParseCSV(f)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = path
			return nil, pe
		}
		return nil, fmt.Errorf("inputs: reading %s: %w", path, err)
	}
	return rows, nil
}

// WriteCSV writes rows in the format [ParseCSV] reads: a header and one line
// per row, with an org column when any row has an org name. Values must be
// non-negative; org names must be distinct, must not begin or end with
// white space and must not contain line breaks, so that they read back
// unchanged. Nothing is written when a row is invalid.
func WriteCSV(w io.Writer, rows []Row) error {
	if len(rows) == 0 {
		return errors.New("inputs: no rows to write")
	}
	withOrg := false
	seen := map[string]int{}
	for i, row := range rows {
		for j, v := range values(row.Input) {
			if v < 0 {
				return fmt.Errorf("inputs: row %d: %s %d is negative", i+1, valueCols[j], v)
			}
		}
		if row.Org == "" {
			continue
		}
		withOrg = true
		if strings.TrimSpace(row.Org) != row.Org || strings.ContainsAny(row.Org, "\r\n") {
			return fmt.Errorf("inputs: row %d: org name %q has surrounding white space or a line break", i+1, row.Org)
		}
		if prev, dup := seen[row.Org]; dup {
			return fmt.Errorf("inputs: row %d: org name %q already used in row %d", i+1, row.Org, prev)
		}
		seen[row.Org] = i + 1
	}

	cw := csv.NewWriter(w)
	var header []string
	if withOrg {
		header = append(header, ColOrg)
	}
	header = append(header, valueCols[:]...)
	cw.Write(header)
	rec := make([]string, 0, len(header))
	for _, row := range rows {
		rec = rec[:0]
		if withOrg {
			rec = append(rec, row.Org)
		}
		for _, v := range values(row.Input) {
			rec = append(rec, fmt.Sprint(v))
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("inputs: writing CSV: %w", err)
	}
	return nil
}
