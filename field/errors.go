package field

import "errors"

// Sentinel errors. Errors returned by this package wrap them with context, so
// match them with [errors.Is].
var (
	// ErrZeroInverse is returned when zero is inverted.
	ErrZeroInverse = errors.New("field: inverse of zero")
	// ErrLength is returned by Decode when the input length does not match
	// the number of elements requested.
	ErrLength = errors.New("field: wrong encoding length")
	// ErrNotCanonical is returned by Decode when an encoded value is ≥ p.
	ErrNotCanonical = errors.New("field: non-canonical encoding")
	// ErrRange is returned by Uint64 and Int64 when a value does not fit.
	ErrRange = errors.New("field: value out of range")
)
