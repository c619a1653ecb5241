package net

import (
	"context"
	"sync"
	"time"
)

// Link describes the network between one party and the others, for
// measuring a protocol over a wide-area network on one machine (see
// [WithLink]): every message this party sends first waits for its uplink,
// which carries Bandwidth bytes per second whatever the destination, then
// travels for Delay.
type Link struct {
	// Delay is the one-way latency added to every message: half the round
	// trip time.
	Delay time.Duration
	// Bandwidth is the capacity of the party's uplink in bytes per second,
	// shared by its messages to all peers (100 Mbit/s is 12.5e6); 0 means
	// unlimited.
	Bandwidth float64
}

// WithLink returns tr with the link l on the messages it sends. A message
// of b bytes sent at time s leaves the uplink at u = max(s, u') + b/B,
// where u' is when the uplink finished the previous message, and is handed
// to tr at u + Delay; so a party's round of messages costs Delay plus its
// bytes over the bandwidth, and a protocol of r rounds whose busiest party
// sends S bytes takes about r·Delay + S/B beyond its computation. Receiving
// is not limited: wrap every party's transport.
//
// The wrapper keeps the semantics of [Transport]: messages to one peer
// arrive in order, each exactly once; Send never blocks. A failure of tr's
// Send (a peer that closed, say) is reported by a later Send to that peer.
// Close delivers the messages still on their way at once, then closes tr.
// Frame headers, TLS and TCP overhead are not counted against the
// bandwidth; only the message bytes are.
func WithLink(tr Transport, l Link) Transport {
	return &linked{Transport: tr, link: l, peers: make(map[int]*linkQueue), closed: make(chan struct{})}
}

type linked struct {
	Transport
	link Link

	mu     sync.Mutex
	free   time.Time // when the uplink has sent everything queued so far
	peers  map[int]*linkQueue
	done   bool
	closed chan struct{} // closed by Close: deliver everything at once
	wg     sync.WaitGroup
}

// linkQueue holds the messages on their way to one peer, in order.
type linkQueue struct {
	items []linkItem
	wake  chan struct{} // signalled when items are added
	err   error         // the first failure of the underlying Send
}

type linkItem struct {
	msg []byte
	at  time.Time // when to hand it to the underlying transport
}

// Send queues msg for party to; it is delivered after the link's delay and
// the uplink's queue.
func (l *linked) Send(ctx context.Context, to int, msg []byte) error {
	if to < 1 || to > l.N() || to == l.ID() {
		return &PeerError{Party: to, Op: "send", Err: ErrInvalidParty}
	}
	if err := ctx.Err(); err != nil {
		return &PeerError{Party: to, Op: "send", Err: err}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return ErrClosed
	}
	q := l.peers[to]
	if q == nil {
		q = &linkQueue{wake: make(chan struct{}, 1)}
		l.peers[to] = q
		l.wg.Add(1)
		go l.deliver(to, q)
	}
	if q.err != nil {
		return q.err
	}
	now := time.Now()
	if l.free.Before(now) {
		l.free = now
	}
	if l.link.Bandwidth > 0 {
		l.free = l.free.Add(time.Duration(float64(len(msg)) / l.link.Bandwidth * float64(time.Second)))
	}
	q.items = append(q.items, linkItem{msg: msg, at: l.free.Add(l.link.Delay)})
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// deliver hands the messages for party to to the underlying transport at
// their time, until Close; then it delivers what is left at once.
func (l *linked) deliver(to int, q *linkQueue) {
	defer l.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		l.mu.Lock()
		if len(q.items) == 0 {
			done := l.done
			l.mu.Unlock()
			if done {
				return
			}
			select {
			case <-q.wake:
			case <-l.closed:
			}
			continue
		}
		it := q.items[0]
		l.mu.Unlock()
		if wait := time.Until(it.at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-l.closed:
			}
		}
		err := l.Transport.Send(context.Background(), to, it.msg)
		l.mu.Lock()
		q.items[0] = linkItem{}
		q.items = q.items[1:]
		if err != nil && q.err == nil {
			q.err = err
		}
		l.mu.Unlock()
	}
}

// Close delivers the messages still on their way, then closes the
// underlying transport. It is idempotent.
func (l *linked) Close() error {
	l.mu.Lock()
	if !l.done {
		l.done = true
		close(l.closed)
	}
	l.mu.Unlock()
	l.wg.Wait()
	return l.Transport.Close()
}
