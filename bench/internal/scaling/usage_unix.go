//go:build unix

package scaling

import (
	"runtime"
	"syscall"
	"time"
)

// Usage is this process's resource use so far.
type Usage struct {
	CPU    time.Duration // user + system CPU time
	MaxRSS int64         // peak resident set size, bytes
}

// ReadUsage returns this process's resource use (getrusage(RUSAGE_SELF)).
func ReadUsage() Usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		rss *= 1024 // kilobytes everywhere but on Apple systems
	}
	return Usage{
		CPU:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		MaxRSS: rss,
	}
}
