//go:build !unix

package scaling

import "time"

// Usage is this process's resource use so far.
type Usage struct {
	CPU    time.Duration // user + system CPU time
	MaxRSS int64         // peak resident set size, bytes
}

// ReadUsage returns zero: process counters are read only on Unix systems.
func ReadUsage() Usage { return Usage{} }
