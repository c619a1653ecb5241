// Package msgq is the unbounded FIFO message queue behind every receive
// direction of Cohort's transports: Push never blocks, Pop blocks until a
// message, an error or the end of its context.
package msgq

import (
	"context"
	"sync"
)

// Queue is an unbounded FIFO of messages from one sender to one receiver.
// The zero value is an empty, open queue. A Queue must not be copied after
// first use.
//
// A queue costs one small allocation when it is created and none per message
// while the number of queued messages does not exceed what it held before:
// messages live in a ring buffer that only grows. The first slot is inline, so
// a queue that never holds more than one message needs no ring at all.
type Queue struct {
	mu      sync.Mutex
	inline  [1][]byte
	ring    [][]byte // len is the capacity; nil until first Push
	head    int32
	count   int32
	bytes   int  // total length of the queued messages
	drain   bool // with err: queued messages are still delivered
	waiters *waiter
	err     error // set by Close
}

// waiter is one blocked Pop. A waker removes it from the list and sends on
// ch while holding the queue's lock, so ch never holds more than one token.
type waiter struct {
	ch   chan struct{}
	next *waiter
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan struct{}, 1)} }}

// Push appends m. It reports false, dropping m, if the queue is closed.
func (q *Queue) Push(m []byte) bool {
	q.mu.Lock()
	if q.err != nil {
		q.mu.Unlock()
		return false
	}
	if q.ring == nil {
		q.ring = q.inline[:]
	}
	if int(q.count) == len(q.ring) {
		q.grow()
	}
	i := int(q.head) + int(q.count)
	if i >= len(q.ring) {
		i -= len(q.ring)
	}
	q.ring[i] = m
	q.count++
	q.bytes += len(m)
	if q.waiters != nil {
		q.wakeOne()
	}
	q.mu.Unlock()
	return true
}

func (q *Queue) grow() {
	c := 2 * len(q.ring)
	if c < 4 {
		c = 4
	}
	r := make([][]byte, c)
	n := copy(r, q.ring[q.head:])
	copy(r[n:], q.ring[:q.head])
	clear(q.ring)
	q.ring = r
	q.head = 0
}

// wakeOne signals the first waiter; q.mu is held.
func (q *Queue) wakeOne() {
	w := q.waiters
	q.waiters = w.next
	w.next = nil
	w.ch <- struct{}{}
}

// Pop removes and returns the oldest message. It blocks until there is one,
// the queue is closed or ctx is done. Once the queue is closed, Pop returns
// the close error, after the queued messages if the queue was closed with
// drain. If ctx is done, Pop returns ctx.Err().
func (q *Queue) Pop(ctx context.Context) ([]byte, error) {
	q.mu.Lock()
	for {
		if q.err != nil && !q.drain {
			err := q.err
			q.mu.Unlock()
			return nil, err
		}
		if q.count > 0 {
			m := q.ring[q.head]
			q.ring[q.head] = nil
			q.head++
			if int(q.head) == len(q.ring) {
				q.head = 0
			}
			q.count--
			q.bytes -= len(m)
			if q.count > 0 && q.waiters != nil {
				// Another Pop may be waiting on this queue: pass the wake-up on.
				q.wakeOne()
			}
			q.mu.Unlock()
			return m, nil
		}
		if q.err != nil {
			err := q.err
			q.mu.Unlock()
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			q.mu.Unlock()
			return nil, err
		}
		w := waiterPool.Get().(*waiter)
		w.next = q.waiters
		q.waiters = w
		q.mu.Unlock()
		select {
		case <-w.ch:
		case <-ctx.Done():
		}
		q.mu.Lock()
		if !q.remove(w) {
			// A waker already dequeued w and left a token in w.ch (it sends
			// while holding q.mu). Consume it so w can be reused; the loop
			// then takes the message the token announced, or passes the
			// wake-up on if it goes.
			select {
			case <-w.ch:
			default:
			}
		}
		waiterPool.Put(w)
	}
}

// remove unlinks w from the waiter list and reports whether it was there.
func (q *Queue) remove(w *waiter) bool {
	for p := &q.waiters; *p != nil; p = &(*p).next {
		if *p == w {
			*p = w.next
			w.next = nil
			return true
		}
	}
	return false
}

// Close closes the queue with err (which must not be nil): later Pushes are
// dropped and Pops return err. If drain is set, messages already queued are
// still returned first; otherwise they are released at once. Only the first
// Close has an effect, except that a Close without drain overrides an
// earlier one with drain (discarding what is left).
func (q *Queue) Close(err error, drain bool) {
	q.mu.Lock()
	if q.err != nil && (drain || !q.drain) {
		q.mu.Unlock()
		return
	}
	q.err = err
	q.drain = drain
	if !drain {
		clear(q.ring)
		q.ring, q.head, q.count, q.bytes = nil, 0, 0, 0
		q.inline[0] = nil
	}
	for q.waiters != nil {
		q.wakeOne()
	}
	q.mu.Unlock()
}

// Bytes returns the total length of the queued messages.
func (q *Queue) Bytes() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// Len returns the number of queued messages.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return int(q.count)
}
