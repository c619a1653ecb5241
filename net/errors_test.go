package net_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/net"
)

func TestPeerErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *net.PeerError
		want string
	}{
		{&net.PeerError{Party: 3, Op: "recv", Err: errors.New("tcp: frame of 80000000 bytes exceeds limit")},
			"tcp: party 3: recv: frame of 80000000 bytes exceeds limit"},
		{&net.PeerError{Party: 2, Op: "recv", Err: net.ErrPeerClosed}, "net: party 2: recv: peer closed the connection"},
		{&net.PeerError{Party: 1, Op: "send", Err: context.Canceled}, "net: party 1: send: context canceled"},
		{&net.PeerError{Party: 7, Op: "round 3 of Mul", Err: fmt.Errorf("ops: short frame")}, "ops: party 7: round 3 of Mul: short frame"},
		{&net.PeerError{Party: 4, Err: errors.New("dial tcp 1.2.3.4:5: refused")}, "net: party 4: dial tcp 1.2.3.4:5: refused"},
	} {
		require.Equal(t, tc.want, tc.err.Error())
	}
	err := fmt.Errorf("wrapped: %w", &net.PeerError{Party: 5, Op: "recv", Err: net.ErrPeerClosed})
	var pe *net.PeerError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 5, pe.Party)
	require.ErrorIs(t, err, net.ErrPeerClosed)
}
