package derive

import (
	"fmt"
	"time"

	"github.com/cohortmpc/cohort/assess"
)

// KnownProfile reports whether s names a profile this package derives by:
// [Profile], or Profile+"+p95".
func KnownProfile(s string) bool {
	return s == Profile || s == Profile+"+p95"
}

// An Explanation is what a party needs from the JSON explanation
// ([Result.JSON]) written beside its row: the profile it was derived by,
// the as-of day and the four values, so that it can check them against
// the campaign's configuration and its row.
type Explanation struct {
	Profile string
	AsOf    time.Time
	Input   assess.Input
}

// ReadExplanation reads the profile, as-of day and values of a JSON
// explanation.
func ReadExplanation(path string, maxSize int64) (*Explanation, error) {
	in, err := readFile(path, orDefault(maxSize))
	if err != nil {
		return nil, err
	}
	return parseExplanation(in)
}

// ParseExplanation parses a JSON explanation; name is used in messages.
func ParseExplanation(name string, data []byte) (*Explanation, error) {
	in, err := newInput(name, data, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	return parseExplanation(in)
}

func parseExplanation(in *input) (*Explanation, error) {
	p := &parser{name: in.name, data: in.data}
	var doc struct {
		Profile string          `json:"profile"`
		AsOf    string          `json:"as_of"`
		Values  map[string]*int `json:"values"`
	}
	if err := p.decodeJSON(&doc); err != nil {
		return nil, err
	}
	if !KnownProfile(doc.Profile) {
		return nil, p.at([]any{"profile"}, "unknown profile %q (want %s or %s+p95)", doc.Profile, Profile, Profile)
	}
	asOf, err := time.Parse("2006-01-02", doc.AsOf)
	if err != nil {
		return nil, p.at([]any{"as_of"}, "%q is not a day (YYYY-MM-DD)", doc.AsOf)
	}
	e := &Explanation{Profile: doc.Profile, AsOf: asOf}
	for _, v := range []struct {
		name string
		dst  *int
	}{{"cvss_score", &e.Input.CVSS}, {"critical_vulnerabilities", &e.Input.Critical}, {"patch_delay", &e.Input.PatchDelay}, {"asset_exposure", &e.Input.Exposure}} {
		n := doc.Values[v.name]
		if n == nil {
			return nil, p.at([]any{"values"}, "no %s", v.name)
		}
		*v.dst = *n
	}
	return e, nil
}

// String describes the explanation in a few words.
func (e *Explanation) String() string {
	return fmt.Sprintf("%s as of %s: %d,%d,%d,%d", e.Profile, dayString(e.AsOf), e.Input.CVSS, e.Input.Critical, e.Input.PatchDelay, e.Input.Exposure)
}
