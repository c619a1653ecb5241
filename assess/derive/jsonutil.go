package derive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// decodeJSON decodes the whole document into v.
func (p *parser) decodeJSON(v any) error {
	if err := json.Unmarshal(trimBOM(p.data), v); err != nil {
		return p.jsonErr(err, -1)
	}
	return nil
}

// jsonErr turns a decoding error into an *Error with the line; off is the
// decoder's offset, for errors that carry none (-1 when unknown).
func (p *parser) jsonErr(err error, off int64) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		if strings.Contains(syn.Error(), "unexpected end of JSON input") {
			return errorf(p.name, lineOf(p.data, int64(len(p.data))), "", "truncated: the JSON document ends early")
		}
		return errorf(p.name, lineOf(p.data, syn.Offset), "", "malformed JSON: %v", syn)
	case errors.As(err, &typ):
		place := typ.Field
		return errorf(p.name, lineOf(p.data, typ.Offset), place, "%s is not a valid %s", typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errorf(p.name, lineOf(p.data, int64(len(p.data))), "", "truncated: the JSON document ends early")
	}
	if off >= 0 {
		return errorf(p.name, lineOf(p.data, off), "", "malformed JSON: %v", err)
	}
	return errorf(p.name, 0, "", "malformed JSON: %v", err)
}

// at makes an error at a path in the JSON document, such as
// ("Results", 0, "Vulnerabilities", 3, "PublishedDate").
func (p *parser) at(path []any, format string, args ...any) error {
	return errorf(p.name, jsonLine(p.data, path), pathString(path), format, args...)
}

// pathString writes a JSON path as Results[0].Vulnerabilities[3].
func pathString(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// jsonLine returns the line on which the value at path starts, or 0 when
// it cannot be found. It reads the document again, so it is for errors
// only.
func jsonLine(data []byte, path []any) int {
	doc := trimBOM(data)
	dec := json.NewDecoder(bytes.NewReader(doc))
	for _, step := range path {
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			return 0
		}
		found := false
		switch s := step.(type) {
		case string:
			if delim != '{' {
				return 0
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return 0
				}
				if ks, _ := k.(string); strings.EqualFold(ks, s) {
					found = true
					break
				}
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return 0
				}
			}
		case int:
			if delim != '[' {
				return 0
			}
			for i := 0; dec.More(); i++ {
				if i == s {
					found = true
					break
				}
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return 0
				}
			}
		}
		if !found {
			return 0
		}
	}
	off := dec.InputOffset()
	for off < int64(len(doc)) && strings.IndexByte(" \t\r\n:,", doc[off]) >= 0 {
		off++
	}
	return lineOf(doc, off)
}

// flexString is a JSON value read as a string whether it was written as a
// string or a number (SARIF's security-severity is written both ways).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("%s is neither a string nor a number", b)
	}
	*f = flexString(b)
	return nil
}

// parseScore parses a score in 0..10.
func parseScore(s string) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("score %q is not a number", s)
	}
	if !(v >= 0 && v <= 10) {
		return 0, fmt.Errorf("score %s is outside 0..10", s)
	}
	return v, nil
}

// checkScore checks a score given as a JSON number.
func checkScore(v float64) error {
	if !(v >= 0 && v <= 10) {
		return fmt.Errorf("score %v is outside 0..10", v)
	}
	return nil
}
