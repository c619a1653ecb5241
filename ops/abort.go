package ops

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// When a party fails, it tells every peer why in an abort frame: the tag
// abortTag, then
//
//	kind (1 byte) ‖ origin (4 bytes, little-endian) ‖ reason (UTF-8, ≤ maxReason bytes)
//
// where origin is the party that observed the cause (the sender itself, or
// the party whose abort it relays) and kind says whether the cause was a
// cancellation or a deadline rather than a fault. A peer that receives the
// frame stops with an [*AbortError]; it never blames the sender for what the
// sender only reported.

const maxReason = 512

const (
	abortFault byte = iota
	abortCanceled
	abortDeadline
)

// AbortError reports that this party stopped because a peer reported an
// error of its own: Origin observed it, and From sent the report (they
// differ when From relayed another party's report). Reason is the origin's
// own account, as text; a corrupt peer can write anything there, so it is
// evidence of what the origin said, not of what happened. It matches
// [ErrPeerAborted], and [context.Canceled] or [context.DeadlineExceeded]
// when the origin stopped for that reason.
type AbortError struct {
	From   int
	Origin int
	Reason string
	kind   byte
}

func (e *AbortError) Error() string {
	if e.Origin != e.From {
		return fmt.Sprintf("ops: stopped because party %d reported (relayed by party %d): %s", e.Origin, e.From, e.Reason)
	}
	return fmt.Sprintf("ops: stopped because party %d reported: %s", e.Origin, e.Reason)
}

// Is matches ErrPeerAborted, and the context errors when the origin was
// cancelled or ran out of time.
func (e *AbortError) Is(target error) bool {
	switch target {
	case ErrPeerAborted:
		return true
	case context.Canceled:
		return e.kind == abortCanceled
	case context.DeadlineExceeded:
		return e.kind == abortDeadline
	}
	return false
}

// abortFrame encodes the abort frame that tells the peers about err.
func (s *Session[E]) abortFrame(err error) []byte {
	origin, kind, reason := s.id, abortFault, err.Error()
	var ae *AbortError
	switch {
	case errors.As(err, &ae):
		origin, kind, reason = ae.Origin, ae.kind, ae.Reason
	case errors.Is(err, context.DeadlineExceeded):
		kind = abortDeadline
	case errors.Is(err, context.Canceled):
		kind = abortCanceled
	}
	msg := append(make([]byte, 0, headerSize+5+maxReason), abortTag)
	msg = append(msg, kind)
	msg = binary.LittleEndian.AppendUint32(msg, uint32(origin))
	return append(msg, truncateUTF8(reason, maxReason)...)
}

// aborted turns the body of an abort frame from party from into this
// party's error. When this party's own context has ended, that is the
// reason it stops, whatever the peer says.
func (s *Session[E]) aborted(ctx context.Context, from int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ops: stopped: %w", err)
	}
	e := &AbortError{From: from, Origin: from, Reason: "no reason given"}
	if len(body) >= 5 {
		e.kind = body[0]
		if e.kind > abortDeadline {
			e.kind = abortFault
		}
		if o := int(binary.LittleEndian.Uint32(body[1:5])); o >= 1 && o < len(s.cnum) {
			e.Origin = o
		}
		if r := sanitize(body[5:]); r != "" {
			e.Reason = r
		}
	}
	return e
}

// sanitize makes a peer's text safe to print: valid UTF-8, at most
// maxReason bytes, with control and format characters (bidi overrides
// included) replaced.
func sanitize(b []byte) string {
	b = bytes.ToValidUTF8(b[:min(len(b), maxReason)], []byte("\uFFFD"))
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '?'
		}
		return r
	}, string(b))
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
