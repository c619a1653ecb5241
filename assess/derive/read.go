package derive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// DefaultMaxSize bounds every file read, and what a gzip file expands to,
// unless the caller sets another bound: 256 MiB.
const DefaultMaxSize = 256 << 20

// ReadOptions say how to read a report.
type ReadOptions struct {
	// Format forces a format; FormatAuto detects it from the content.
	Format Format
	// TZ is the time zone of report times written without one (Nessus'
	// HOST_END). Nil refuses such times.
	TZ *time.Location
	// MaxSize bounds the file and its decompressed content; 0 means
	// DefaultMaxSize.
	MaxSize int64
}

func (o ReadOptions) maxSize() int64 {
	if o.MaxSize > 0 {
		return o.MaxSize
	}
	return DefaultMaxSize
}

// input is a file's content, decompressed, with its digest.
type input struct {
	name   string
	raw    int64 // bytes in the file
	sha256 string
	gzip   bool
	data   []byte
}

// readFile reads at most max bytes of path, refusing larger files before
// reading them.
func readFile(path string, max int64) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
		if st.IsDir() {
			return nil, errorf(path, 0, "", "is a directory, not a report")
		}
		if st.Mode().IsRegular() && st.Size() > max {
			return nil, errorf(path, 0, "", "%s is larger than the limit of %s: refusing to read it (raise the limit if this is really one report)",
				sizeString(st.Size()), sizeString(max))
		}
	}
	var buf bytes.Buffer
	if size > 0 && size <= max {
		buf.Grow(int(size) + 512)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, &Error{File: path, Err: unwrapPathError(err)}
	}
	data := buf.Bytes()
	if int64(len(data)) > max {
		return nil, errorf(path, 0, "", "more than the limit of %s: refusing to read further", sizeString(max))
	}
	return newInput(path, data, max)
}

// newInput digests data and decompresses it when it is gzip.
func newInput(name string, data []byte, max int64) (*input, error) {
	sum := sha256.Sum256(data)
	in := &input{name: name, raw: int64(len(data)), sha256: hex.EncodeToString(sum[:]), data: data}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, errorf(name, 0, "", "gzip: %v", err)
		}
		zr.Multistream(true)
		out, err := io.ReadAll(io.LimitReader(zr, max+1))
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errorf(name, 0, "", "gzip: truncated: the compressed file ends early")
			}
			return nil, errorf(name, 0, "", "gzip: %v", err)
		}
		if int64(len(out)) > max {
			return nil, errorf(name, 0, "", "expands to more than the limit of %s: refusing to read further", sizeString(max))
		}
		in.data, in.gzip = out, true
	}
	return in, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadReport reads and parses the report at path.
func ReadReport(path string, opt ReadOptions) (*Report, error) {
	in, err := readFile(path, opt.maxSize())
	if err != nil {
		return nil, err
	}
	return parseInput(in, opt)
}

// ParseReport parses a report's content; name is used in messages.
func ParseReport(name string, data []byte, opt ReadOptions) (*Report, error) {
	if int64(len(data)) > opt.maxSize() {
		return nil, errorf(name, 0, "", "%s is larger than the limit of %s", sizeString(int64(len(data))), sizeString(opt.maxSize()))
	}
	in, err := newInput(name, data, opt.maxSize())
	if err != nil {
		return nil, err
	}
	return parseInput(in, opt)
}

func parseInput(in *input, opt ReadOptions) (*Report, error) {
	format := opt.Format
	if format == FormatAuto {
		var err error
		if format, err = detect(in.name, in.data); err != nil {
			return nil, err
		}
	}
	p := &parser{name: in.name, data: in.data, tz: opt.TZ}
	r := &Report{Name: in.name, Format: format, SHA256: in.sha256, Size: in.raw, Gzip: in.gzip}
	var err error
	switch format {
	case Trivy:
		err = p.trivy(r)
	case Grype:
		err = p.grype(r)
	case OSV:
		err = p.osv(r)
	case CycloneDX:
		err = p.cyclonedx(r)
	case SARIF:
		err = p.sarif(r)
	case Nessus:
		err = p.nessus(r)
	case GreenboneXML:
		err = p.greenboneXML(r)
	case GreenboneCSV:
		err = p.greenboneCSV(r)
	default:
		_, err = ParseFormat(string(format))
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// parser holds what every format parser needs.
type parser struct {
	name string
	data []byte
	tz   *time.Location
}

// firstLine returns the first non-blank line of data, without a byte order
// mark, trimmed.
func firstLine(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			return s
		}
	}
	return ""
}

// lineOf returns the 1-based line of byte offset off in data.
func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
