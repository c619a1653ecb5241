// Package net defines how Cohort parties exchange messages: the [Transport]
// interface, an in-memory mesh for running many parties in one process, and
// byte/message counters. The TCP transport with mutual TLS lives in package
// [github.com/cohortmpc/cohort/net/tcp].
//
// Parties are numbered 1..n (party i's Shamir evaluation point is i).
//
// # Errors
//
// A failure that concerns one peer is a [*PeerError] naming the party and
// the operation; its cause can be matched with [errors.Is] ([ErrPeerClosed],
// [ErrInvalidParty], [context.Canceled], ...). Calls on a closed transport
// return [ErrClosed].
//
// # Counting and links
//
// [Metered] wraps any Transport and counts bytes, messages and rounds.
// [WithLink] wraps one and gives it a one-way delay and an uplink
// bandwidth, to measure on one machine what a wide-area network costs.
package net

import "context"

// Transport connects one party to the n−1 others. Messages between an ordered
// pair of parties are delivered in order, each exactly once, and with their
// boundaries preserved. Implementations are safe for concurrent use: Send and
// Recv may be called from different goroutines, for different peers at once.
type Transport interface {
	// ID is this party's id in 1..N.
	ID() int
	// N is the number of parties.
	N() int
	// Send queues msg for party to and returns without waiting for the peer to
	// receive it (a Send never blocks on the peer's Recv, so that all parties can
	// send before they receive). The transport takes ownership of msg: the
	// caller must not modify it afterwards.
	Send(ctx context.Context, to int, msg []byte) error
	// Recv returns the next message from party from. It blocks until one
	// arrives, ctx ends, the peer is gone or the transport is closed; the
	// returned error then names the peer. The caller owns the returned slice.
	Recv(ctx context.Context, from int) ([]byte, error)
	// Close releases the transport's resources; blocked and later calls
	// return errors. Close is idempotent.
	Close() error
}
