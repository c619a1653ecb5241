// Package leaktest checks that a test leaves no goroutines behind.
package leaktest

import (
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// Check records the goroutines running now and returns a function that, when
// deferred, fails t if goroutines started since are still running after a
// grace period (goroutines often need a moment to exit after Close).
//
//	defer leaktest.Check(t)()
func Check(t testing.TB) func() {
	t.Helper()
	before := goroutines()
	return func() {
		t.Helper()
		var leaked []string
		deadline := time.Now().Add(grace)
		for {
			leaked = leaked[:0]
			for id, stack := range goroutines() {
				if _, ok := before[id]; !ok {
					leaked = append(leaked, stack)
				}
			}
			if len(leaked) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if len(leaked) > 0 {
			sort.Strings(leaked)
			t.Errorf("leaktest: %d goroutine(s) leaked:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
	}
}

// grace is how long Check waits for new goroutines to exit.
var grace = 5 * time.Second

// ignored lists functions of goroutines that belong to the runtime or the
// testing package rather than to the code under test.
var ignored = []string{
	"testing.(*T).Run",
	"testing.(*T).Parallel",
	"testing.tRunner.func1",
	"testing.runTests",
	"testing.(*M).",
	"runtime.goexit",
	"os/signal.signal_recv",
	"runtime/trace.Start",
	"created by runtime.gc",
	"runtime.ReadTrace",
}

// goroutines returns the stacks of the running goroutines, keyed by the
// goroutine header line ("goroutine 7 [running]:" minus its state).
func goroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[string]string)
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		id, _, _ := strings.Cut(header, " [")
		if id == "" || isIgnored(g) {
			continue
		}
		out[id] = g
	}
	return out
}

func isIgnored(stack string) bool {
	// The goroutine calling runtime.Stack is the test itself.
	if strings.Contains(stack, "leaktest.goroutines") {
		return true
	}
	lines := strings.Split(stack, "\n")
	if len(lines) < 2 {
		return true
	}
	top := lines[1]
	for _, f := range ignored {
		if strings.HasPrefix(top, f) {
			return true
		}
	}
	return false
}
