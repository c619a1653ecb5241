package inputs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/atomicfile"
)

// maxInputFile bounds the size of an MP-SPDZ input file; four integers need
// far less.
const maxInputFile = 1 << 16

// MPSPDZFile is the name of party i's MP-SPDZ input file (parties are
// numbered from 0).
func MPSPDZFile(i int) string { return fmt.Sprintf("Input-P%d-0", i) }

var mpspdzName = regexp.MustCompile(`^Input-P(0|[1-9][0-9]{0,8})-0$`)

// ParseMPSPDZ reads one MP-SPDZ input file: four non-negative integers
// separated by white space, in the order cvss_score,
// critical_vulnerabilities, patch_delay, asset_exposure. Errors are
// [*ParseError] values.
func ParseMPSPDZ(r io.Reader) (assess.Input, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInputFile+1))
	if err != nil {
		return assess.Input{}, fmt.Errorf("inputs: %w", err)
	}
	if len(data) > maxInputFile {
		return assess.Input{}, &ParseError{Err: fmt.Errorf("more than %d bytes: not an input file of four integers", maxInputFile)}
	}
	text := strings.TrimPrefix(string(data), bom)
	var in assess.Input
	found := 0
	for i, line := range strings.Split(text, "\n") {
		for _, tok := range strings.Fields(line) {
			if found == len(valueCols) {
				return assess.Input{}, &ParseError{Line: i + 1, Err: fmt.Errorf("unexpected %q after the four values %s", tok, strings.Join(valueCols[:], ", "))}
			}
			col := valueCols[found]
			v, err := parseValue(tok, col)
			if err != nil {
				return assess.Input{}, &ParseError{Line: i + 1, Column: col, Err: err}
			}
			set(&in, col, v)
			found++
		}
	}
	if found < len(valueCols) {
		return assess.Input{}, &ParseError{Err: fmt.Errorf("found %d values, want 4: %s", found, strings.Join(valueCols[:], ", "))}
	}
	return in, nil
}

// ReadDir reads the MP-SPDZ input files Input-P0-0, Input-P1-0, … from dir,
// one per organisation; organisation i+1 is party i. It is an error when
// there is no Input-P0-0 or when the numbering has a gap.
func ReadDir(dir string) ([]assess.Input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("inputs: %w", err)
	}
	var present []int
	for _, e := range entries {
		if m := mpspdzName.FindStringSubmatch(e.Name()); m != nil {
			i, _ := strconv.Atoi(m[1])
			present = append(present, i)
		}
	}
	sort.Ints(present)
	if len(present) == 0 || present[0] != 0 {
		return nil, fmt.Errorf("inputs: %s: no %s (want %s, %s, … one per organisation, numbered from 0)",
			dir, MPSPDZFile(0), MPSPDZFile(0), MPSPDZFile(1))
	}
	for i, p := range present {
		if p != i {
			return nil, fmt.Errorf("inputs: %s: %s is present but %s is missing (parties are numbered from 0 without gaps)",
				dir, MPSPDZFile(p), MPSPDZFile(i))
		}
	}
	inputs := make([]assess.Input, len(present))
	for i := range inputs {
		path := filepath.Join(dir, MPSPDZFile(i))
		in, err := readMPSPDZFile(path)
		if err != nil {
			return nil, err
		}
		inputs[i] = in
	}
	return inputs, nil
}

func readMPSPDZFile(path string) (assess.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return assess.Input{}, fmt.Errorf("inputs: %w", err)
	}
	defer f.Close()
	in, err := ParseMPSPDZ(f)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File = path
		return assess.Input{}, pe
	}
	if err != nil {
		return assess.Input{}, fmt.Errorf("inputs: reading %s: %w", path, err)
	}
	return in, nil
}

// CSVFile is the name of the CSV file [WriteDir] writes.
const CSVFile = "inputs.csv"

// ErrNotEmpty is returned by [WriteDir] for a directory that is not empty
// when replacing is not allowed.
var ErrNotEmpty = errors.New("not empty")

// WriteDir writes inputs to dir (created if needed) in both formats:
// inputs.csv, and one MP-SPDZ file Input-P<i>-0 per organisation (inputs[i]
// is party i). Unless replace is set, dir must be empty (or new); with
// replace, the files WriteDir writes replace regular files of the same
// names, and other files are left alone. It never follows a symbolic link
// (neither dir nor a file in it may be one) and never deletes anything: an
// Input-P file beyond the set, which would be read back with it, is an
// error. Each file is written to a temporary file and renamed into place.
func WriteDir(dir string, inputs []assess.Input, replace bool) error {
	if len(inputs) == 0 {
		return errors.New("inputs: no inputs to write")
	}
	rows := make([]Row, len(inputs))
	for i, in := range inputs {
		rows[i] = Row{Input: in}
	}
	var buf strings.Builder
	if err := WriteCSV(&buf, rows); err != nil {
		return err
	}
	switch st, err := os.Lstat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("inputs: %w", err)
		}
	case err != nil:
		return fmt.Errorf("inputs: %w", err)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("inputs: %s is a symbolic link: give the directory itself", dir)
	case !st.IsDir():
		return fmt.Errorf("inputs: %s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	if len(entries) > 0 && !replace {
		return fmt.Errorf("inputs: %s is %w (%d entries)", dir, ErrNotEmpty, len(entries))
	}
	for _, e := range entries {
		if m := mpspdzName.FindStringSubmatch(e.Name()); m != nil {
			if i, _ := strconv.Atoi(m[1]); i >= len(inputs) {
				return fmt.Errorf("inputs: %s holds %s, which is not part of these %d organisations' data but would be read with it: remove it, or use another directory",
					dir, e.Name(), len(inputs))
			}
		}
	}
	files := []atomicfile.File{{Path: filepath.Join(dir, CSVFile), Data: []byte(buf.String()), Perm: 0o644}}
	for i, in := range inputs {
		v := values(in)
		line := fmt.Sprintf("%d %d %d %d\n", v[0], v[1], v[2], v[3])
		files = append(files, atomicfile.File{Path: filepath.Join(dir, MPSPDZFile(i)), Data: []byte(line), Perm: 0o644})
	}
	for _, f := range files {
		if err := atomicfile.Replace(f); err != nil {
			return fmt.Errorf("inputs: %w", err)
		}
	}
	return nil
}
