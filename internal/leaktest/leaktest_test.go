package leaktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheckPassesWhenGoroutinesExit(t *testing.T) {
	rec := &recorder{TB: t}
	done := Check(rec)
	stop := make(chan struct{})
	go func() { <-stop }()
	close(stop)
	done()
	require.False(t, rec.failed)
}

func TestCheckCatchesLeak(t *testing.T) {
	defer func(g time.Duration) { grace = g }(grace)
	grace = 100 * time.Millisecond
	rec := &recorder{TB: t}
	done := Check(rec)
	stop := make(chan struct{})
	go func() { <-stop }()
	done()
	close(stop)
	require.True(t, rec.failed)
	time.Sleep(10 * time.Millisecond)
}
