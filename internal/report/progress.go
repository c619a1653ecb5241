package report

import (
	"fmt"
	"io"
	"sync"
)

// Progress prints a computation's progress, one line per phase and per 10
// percent. Its Report method fits [assess.Config].Progress.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	phase string
	step  int
}

// NewProgress returns a Progress that prints to w.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w, step: -1} }

// Report records that phase is done of total steps along.
func (p *Progress) Report(phase string, done, total int) {
	pct := 100
	if total > 0 {
		pct = min(100, max(0, done*100/total))
	}
	step := pct / 10 * 10
	p.mu.Lock()
	defer p.mu.Unlock()
	if phase == p.phase && step <= p.step {
		return
	}
	p.phase, p.step = phase, step
	fmt.Fprintf(p.w, "progress: %s %d%%\n", phase, step)
}
