// Package pubcfg holds what the configuration files of a deployment share:
// cohort.json (package internal/deploy) and a committee's campaign file
// (package committee) give the assessment's parameters with the same
// entries, check addresses and names the same way, and parse durations
// alike. It is not meant for import outside this module.
package pubcfg

import (
	"errors"
	"fmt"
	stdnet "net"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/assess/derive"
)

// Assessment is the JSON form of the assessment's public parameters. Left
// out means the default of package assess; the minimum group size and the
// session id are the caller's (each file names them its own way).
type Assessment struct {
	Threshold  *int             `json:"threshold,omitempty"`
	AlertLevel *int             `json:"alert_level,omitempty"`
	Weights    map[string]*int  `json:"weights,omitempty"` // by input key; all four when present
	Bounds     map[string][]int `json:"bounds,omitempty"`  // by input key, each [min, max]
	Field      string           `json:"field,omitempty"`
	Security   string           `json:"security,omitempty"`
	// InputsProfile names the rules the organisations derived their rows
	// by (package derive).
	InputsProfile string    `json:"inputs_profile,omitempty"`
	Maximum       string    `json:"maximum,omitempty"` // "bitwise" (default) or "tournament"
	MaxBits       *int      `json:"max_bits,omitempty"`
	StepBits      *int      `json:"step_bits,omitempty"`
	Epsilon       *float64  `json:"epsilon,omitempty"`
	Percentiles   []float64 `json:"percentiles,omitempty"`
}

// Apply sets the parameters of a from the entries, checking what can be
// checked without the group's size (assess.Config.Resolve checks the rest).
func (e *Assessment) Apply(a *assess.Config) error {
	for _, v := range []struct {
		name string
		p    *int
		dst  *int
	}{{"threshold", e.Threshold, &a.Threshold}, {"alert_level", e.AlertLevel, &a.AlertLevel}} {
		if err := positive(v.name, v.p, v.dst); err != nil {
			return err
		}
	}
	if w := e.Weights; w != nil {
		if err := checkKeys("weights", w); err != nil {
			return err
		}
		var v [4]int
		for i, in := range assess.InputFields {
			p := w[in.Key]
			if p == nil {
				return fmt.Errorf("weights: %s is missing (give all four weights, or leave \"weights\" out for the defaults)", in.Key)
			}
			v[i] = *p
		}
		if a.Weights = assess.WeightsOf(v); a.Weights == (assess.Weights{}) {
			return errors.New("weights are all zero: the score would not depend on the inputs")
		}
	}
	if b := e.Bounds; b != nil {
		if err := checkKeys("bounds", b); err != nil {
			return err
		}
		r := a.Bounds.Ranges()
		for i, in := range assess.InputFields {
			v, ok := b[in.Key]
			if !ok {
				continue
			}
			if len(v) != 2 {
				return fmt.Errorf("bounds: %s has %d numbers, want [min, max]", in.Key, len(v))
			}
			if v[0] == 0 && v[1] == 0 {
				// assess reads a zero Range as "the default".
				return fmt.Errorf("bounds: %s [0, 0] is not supported: a value that is always 0 should get weight 0 instead", in.Key)
			}
			r[i] = assess.Range{Min: v[0], Max: v[1]}
		}
		a.Bounds = assess.BoundsOf(r)
	}
	if e.InputsProfile != "" && !derive.KnownProfile(e.InputsProfile) {
		return fmt.Errorf("inputs_profile %q: want %s or %s+p95 (the profiles examples/inputs derives by)", e.InputsProfile, derive.Profile, derive.Profile)
	}
	a.InputsProfile = e.InputsProfile
	switch e.Security {
	case "", "semi-honest":
		a.Security = assess.SemiHonest
	case "malicious":
		a.Security = assess.Malicious
	default:
		return fmt.Errorf("security %q: want \"semi-honest\" or \"malicious\"", e.Security)
	}
	switch e.Maximum {
	case "", "bitwise":
	case "tournament":
		a.Tournament = true
	default:
		return fmt.Errorf("maximum %q: want \"bitwise\" or \"tournament\"", e.Maximum)
	}
	if e.MaxBits != nil {
		if *e.MaxBits < 0 {
			return fmt.Errorf("max_bits %d is negative (0 or left out: the exact maximum)", *e.MaxBits)
		}
		a.MaxBits = *e.MaxBits
	}
	if e.StepBits != nil {
		if *e.StepBits < 1 {
			return fmt.Errorf("step_bits %d: want 1 to 4 (leave it out for 1)", *e.StepBits)
		}
		a.StepBits = *e.StepBits
	}
	if e.Epsilon != nil {
		if !(*e.Epsilon > 0) {
			return fmt.Errorf("epsilon %v is not positive (leave it out for no noise)", *e.Epsilon)
		}
		a.Epsilon = *e.Epsilon
	}
	if e.Percentiles != nil && len(e.Percentiles) == 0 {
		return errors.New("percentiles is an empty list (leave it out for none)")
	}
	a.Percentiles = e.Percentiles
	switch e.Field {
	case "", "auto":
		a.Field = assess.FieldAuto
	case string(assess.FieldM61), string(assess.FieldM127):
		a.Field = assess.Field(e.Field)
	default:
		return fmt.Errorf("field %q: want \"auto\", %q or %q", e.Field, assess.FieldM61, assess.FieldM127)
	}
	return nil
}

// Positive sets *dst to *p when p is given, refusing values below 1.
func positive(name string, p, dst *int) error {
	if p == nil {
		return nil
	}
	if *p < 1 {
		return fmt.Errorf("%s %d is not positive (leave it out for the default)", name, *p)
	}
	*dst = *p
	return nil
}

// Positive is the check of an optional positive integer entry (such as a
// minimum group size): *dst is set when p is given.
func Positive(name string, p, dst *int) error { return positive(name, p, dst) }

// checkKeys refuses keys that name no input.
func checkKeys[V any](entry string, m map[string]V) error {
	for k := range m {
		known := false
		for _, f := range assess.InputFields {
			known = known || f.Key == k
		}
		if !known {
			keys := make([]string, len(assess.InputFields))
			for i, f := range assess.InputFields {
				keys[i] = f.Key
			}
			return fmt.Errorf("%s: unknown input %q (want %s)", entry, k, strings.Join(keys, ", "))
		}
	}
	return nil
}

// Invisible reports characters that may not appear in names: control
// characters, format characters (bidirectional overrides, zero-width
// characters) and line or paragraph separators, which can make two
// different names look the same or a name look like something else.
func Invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || r == utf8.RuneError
}

// Duration parses an optional positive duration entry; empty means def.
func Duration(name, s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration (want for example \"90s\" or \"10m\")", name, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s %q is not positive", name, s)
	}
	return d, nil
}

// CanonicalAddr checks a host:port that others must reach and returns it in
// canonical form: the host in lowercase without a trailing dot, an IP
// address in its shortest form (IPv4-mapped IPv6 addresses as IPv4), the
// port in decimal. An unspecified address (0.0.0.0, [::]) is refused.
func CanonicalAddr(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("is missing (want host:port)")
	}
	if strings.ContainsFunc(addr, Invisible) {
		return "", fmt.Errorf("%+q has control or format characters", addr)
	}
	host, port, err := stdnet.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%q is not host:port", addr)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return "", fmt.Errorf("%q has no host: the others must be able to reach it", addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return "", fmt.Errorf("%q: port %q is not a number in 1..65535", addr, port)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsUnspecified() {
			return "", fmt.Errorf("%q is the unspecified address: give an address the others can reach (this one listens on it)", addr)
		}
		host = ip.String()
	}
	return stdnet.JoinHostPort(host, strconv.FormatUint(p, 10)), nil
}

// SameEndpoint returns the form of a canonical address under which
// addresses that reach the same listener on this machine's loopback
// interface coincide: localhost, 127.0.0.1 and ::1 on one port.
func SameEndpoint(canonical string) string {
	host, port, _ := stdnet.SplitHostPort(canonical)
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return "loopback:" + port
	}
	return canonical
}

// AssessmentOf returns the entries that give the parameters of a: those
// left at their zero value are left out (the defaults), so that Apply of
// the result gives a back.
func AssessmentOf(a assess.Config) Assessment {
	opt := func(v int) *int {
		if v == 0 {
			return nil
		}
		return &v
	}
	e := Assessment{
		Threshold:     opt(a.Threshold),
		AlertLevel:    opt(a.AlertLevel),
		Field:         string(a.Field),
		Security:      "semi-honest",
		InputsProfile: a.InputsProfile,
		MaxBits:       opt(a.MaxBits),
		StepBits:      opt(a.StepBits),
		Percentiles:   a.Percentiles,
	}
	if e.Field == "" {
		e.Field = "auto"
	}
	if a.Security == assess.Malicious {
		e.Security = "malicious"
	}
	if a.Tournament {
		e.Maximum = "tournament"
	}
	if a.Epsilon != 0 {
		eps := a.Epsilon
		e.Epsilon = &eps
	}
	if a.Weights != (assess.Weights{}) {
		e.Weights = map[string]*int{}
		for i, w := range a.Weights.Values() {
			e.Weights[assess.InputFields[i].Key] = &w
		}
	}
	for i, r := range a.Bounds.Ranges() {
		if r != (assess.Range{}) {
			if e.Bounds == nil {
				e.Bounds = map[string][]int{}
			}
			e.Bounds[assess.InputFields[i].Key] = []int{r.Min, r.Max}
		}
	}
	return e
}
