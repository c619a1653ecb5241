package net

import (
	"errors"
	"strconv"
	"strings"
)

var (
	// ErrClosed is returned by the calls on a transport after its Close.
	ErrClosed = errors.New("net: transport closed")
	// ErrPeerClosed is the cause in a [PeerError] when the peer closed its
	// transport or its end of the connection (including a process that
	// ended: its system closes its connections).
	ErrPeerClosed = errors.New("net: peer closed the connection")
	// ErrPeerReset is the cause in a [PeerError] when the connection was
	// reset (the peer's system aborted it, or something on the way did).
	ErrPeerReset = errors.New("net: connection reset")
	// ErrPeerSilent is the cause in a [PeerError] when the peer stopped
	// responding: nothing arrived from it for the liveness timeout, a
	// message from it did not complete in time, or it stopped reading what
	// this party sends.
	ErrPeerSilent = errors.New("net: peer went silent")
	// ErrBadFrame is the cause in a [PeerError] when the peer broke the
	// transport's wire protocol: a frame of an unknown type, larger than
	// allowed, or more unreceived data than this party holds for it.
	ErrBadFrame = errors.New("net: peer sent a bad frame")
	// ErrInvalidParty is the cause in a [PeerError] for a Send or Recv naming
	// this party itself or an id outside 1..n.
	ErrInvalidParty = errors.New("net: invalid party id (self or outside 1..n)")
)

// PeerError reports a failure that concerns one peer: sending to it,
// receiving from it, or connecting to it. Match it with [errors.As]; Err
// gives the cause, which [errors.Is] also sees through. What the peer did,
// as far as this party observed it, is one of [ErrPeerClosed],
// [ErrPeerReset], [ErrPeerSilent] and [ErrBadFrame]; when this party's own
// context ended, the cause matches [context.Canceled] or
// [context.DeadlineExceeded] instead, and the peer is not at fault.
type PeerError struct {
	Party int    // the peer's id
	Op    string // the operation: "send", "recv", "connect", or a protocol step
	Err   error  // the cause
}

// Error formats the error as "pkg: party 3: recv: cause". The package name
// is taken from the cause when its message starts with one ("tcp: frame of
// 80000000 bytes exceeds limit" gives "tcp: party 3: recv: frame of 80000000
// bytes exceeds limit"); otherwise it is "net".
func (e *PeerError) Error() string {
	pkg, msg := "net", "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
		if p, rest, ok := strings.Cut(msg, ": "); ok && isPackageName(p) {
			pkg, msg = p, rest
		}
	}
	var b strings.Builder
	b.WriteString(pkg)
	b.WriteString(": party ")
	b.WriteString(strconv.Itoa(e.Party))
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns the cause.
func (e *PeerError) Unwrap() error { return e.Err }

func isPackageName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9' || i == 0) {
			return false
		}
	}
	return true
}
