package assess

import (
	"errors"
	"fmt"
)

var (
	// ErrTooFewParties is returned when the group is smaller than 3 (no honest
	// majority is possible) or smaller than Config.MinParties (the outputs
	// would reveal too much about individual organisations).
	ErrTooFewParties = errors.New("assess: too few parties")

	// ErrConfig is returned for an invalid Config: bad weights, bounds,
	// threshold, alert level, field or timeout.
	ErrConfig = errors.New("assess: invalid configuration")

	// ErrInputOutOfRange is returned when an organisation's input lies outside
	// the public bounds. The error is an [*InputError] that wraps it.
	ErrInputOutOfRange = errors.New("assess: input out of range")
)

// InputError reports an input value outside its public bounds.
type InputError struct {
	Org      int    // organisation (party id, 1..n)
	Field    string // cvss_score, critical_vulnerabilities, patch_delay or asset_exposure
	Value    int    // the offending value
	Min, Max int    // the bounds it violates
}

func (e *InputError) Error() string {
	return fmt.Sprintf("assess: organisation %d: %s %d is outside %d..%d", e.Org, e.Field, e.Value, e.Min, e.Max)
}

// Unwrap returns [ErrInputOutOfRange].
func (e *InputError) Unwrap() error { return ErrInputOutOfRange }

// kindError carries a full message and matches one of the sentinel errors
// with errors.Is, without repeating the sentinel's text.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func configErrorf(format string, args ...any) error {
	return &kindError{msg: "assess: " + fmt.Sprintf(format, args...), kind: ErrConfig}
}

func tooFewErrorf(format string, args ...any) error {
	return &kindError{msg: "assess: " + fmt.Sprintf(format, args...), kind: ErrTooFewParties}
}
