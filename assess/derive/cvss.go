package derive

import (
	"fmt"
	"math"
	"strings"
	"sync"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// CVSS versions as recorded in [Score.Version].
const (
	CVSS2  = "2.0"
	CVSS30 = "3.0"
	CVSS31 = "3.1"
	CVSS40 = "4.0"
)

// normalizeVector returns the vector with its version prefix and the
// version. A vector without a prefix ("AV:N/AC:L/…", as CycloneDX and some
// scanners write it) takes the version hint; without one, the version is
// inferred from its metrics: AT (4.0), Au (2.0), else 3.1. NVD's v2 form in
// parentheses and Nessus' "CVSS2#" prefix are accepted.
func normalizeVector(vec, hint string) (string, string, error) {
	v := strings.TrimSpace(vec)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "("), ")")
	v = strings.TrimPrefix(v, "CVSS2#")
	if v == "" {
		return "", "", fmt.Errorf("empty CVSS vector")
	}
	switch {
	case strings.HasPrefix(v, "CVSS:3.0/"):
		return v, CVSS30, nil
	case strings.HasPrefix(v, "CVSS:3.1/"):
		return v, CVSS31, nil
	case strings.HasPrefix(v, "CVSS:4.0/"):
		return v, CVSS40, nil
	case strings.HasPrefix(v, "CVSS:"):
		return "", "", fmt.Errorf("CVSS vector %q has an unknown version", vec)
	}
	version := hint
	if version == "" {
		switch {
		case hasMetric(v, "AT"):
			version = CVSS40
		case hasMetric(v, "Au"):
			version = CVSS2
		default:
			version = CVSS31
		}
	}
	switch version {
	case CVSS2:
		return v, CVSS2, nil
	case CVSS30, CVSS31, CVSS40:
		return "CVSS:" + version + "/" + v, version, nil
	}
	return "", "", fmt.Errorf("CVSS version %q is not 2.0, 3.0, 3.1 or 4.0", hint)
}

func hasMetric(v, name string) bool {
	for m := range strings.SplitSeq(v, "/") {
		if strings.HasPrefix(m, name+":") {
			return true
		}
	}
	return false
}

// scored is a vector's score, remembered: reports repeat a few vectors many
// times.
type scored struct {
	score   float64
	version string
	err     error
}

var (
	scoredMu sync.Mutex
	scoredBy = map[[2]string]scored{}
)

// vectorScore computes the base score of a CVSS vector; see
// [normalizeVector] for the forms accepted.
func vectorScore(vec, hint string) (float64, string, error) {
	k := [2]string{vec, hint}
	scoredMu.Lock()
	s, ok := scoredBy[k]
	scoredMu.Unlock()
	if !ok {
		s.score, s.version, s.err = computeVectorScore(vec, hint)
		scoredMu.Lock()
		if len(scoredBy) >= 1<<16 {
			clear(scoredBy)
		}
		scoredBy[k] = s
		scoredMu.Unlock()
	}
	return s.score, s.version, s.err
}

func computeVectorScore(vec, hint string) (float64, string, error) {
	v, version, err := normalizeVector(vec, hint)
	if err != nil {
		return 0, "", err
	}
	var score float64
	switch version {
	case CVSS2:
		c, err := gocvss20.ParseVector(v)
		if err != nil {
			return 0, "", fmt.Errorf("CVSS v2 vector %q: %v", vec, err)
		}
		score = c.BaseScore()
	case CVSS30:
		c, err := gocvss30.ParseVector(v)
		if err != nil {
			return 0, "", fmt.Errorf("CVSS v3.0 vector %q: %v", vec, err)
		}
		score = c.BaseScore()
	case CVSS31:
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return 0, "", fmt.Errorf("CVSS v3.1 vector %q: %v", vec, err)
		}
		score = c.BaseScore()
	case CVSS40:
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return 0, "", fmt.Errorf("CVSS v4.0 vector %q: %v", vec, err)
		}
		score = c.Score()
	}
	if math.IsNaN(score) || score < 0 || score > 10 {
		return 0, "", fmt.Errorf("CVSS vector %q scores %v, outside 0..10", vec, score)
	}
	return score, version, nil
}

// tenths rounds a score in 0..10 to tenths.
func tenths(score float64) int {
	return int(math.Round(score * 10))
}

// Severity bands of the labels: the lower bound of each band, in tenths.
var labelBand = map[string]int{
	"critical":  90,
	"high":      70,
	"important": 70, // Red Hat
	"medium":    40,
	"moderate":  40, // GitHub, Red Hat
	"low":       10,
}

// informationalLabels are labels of findings that are not vulnerabilities
// to count.
var informationalLabels = map[string]bool{
	"none": true, "info": true, "informational": true, "information": true,
	"log": true, "debug": true, "negligible": true, "unimportant": true,
}

// normLabel lowercases and trims a severity label.
func normLabel(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// isInformational reports whether a label marks an informational finding.
func isInformational(label string) bool { return informationalLabels[normLabel(label)] }

// bandOf returns the lower bound in tenths of a label's band, or false for
// an unknown or empty label.
func bandOf(label string) (int, bool) {
	t, ok := labelBand[normLabel(label)]
	return t, ok
}

// labelOfScore returns the CVSS v3 qualitative rating of a score in tenths.
func labelOfScore(t int) string {
	switch {
	case t >= 90:
		return "critical"
	case t >= 70:
		return "high"
	case t >= 40:
		return "medium"
	case t >= 1:
		return "low"
	}
	return "none"
}
