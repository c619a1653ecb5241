package net_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/nettest"
)

func TestMetered(t *testing.T) {
	ts, err := net.NewMesh(3)
	require.NoError(t, err)
	m1, m2 := net.NewMetered(ts[0]), net.NewMetered(ts[1])
	ctx := context.Background()
	require.Equal(t, 1, m1.ID())
	require.Equal(t, 3, m1.N())
	require.NoError(t, m1.Send(ctx, 2, make([]byte, 10)))
	require.NoError(t, m1.Send(ctx, 2, nil))
	require.NoError(t, m1.Send(ctx, 3, make([]byte, 5)))
	require.Error(t, m1.Send(ctx, 1, make([]byte, 5)), "failed sends do not count")
	for range 2 {
		_, err := m2.Recv(ctx, 1)
		require.NoError(t, err)
	}
	m1.AddRound()
	m1.AddRound()
	require.Equal(t, net.Stats{BytesSent: 15, MsgsSent: 3, Rounds: 2}, m1.Stats())
	require.Equal(t, net.Stats{BytesRecv: 10, MsgsRecv: 2}, m2.Stats())
	require.Same(t, ts[0], m1.Unwrap())
	require.NoError(t, m1.Close())
	require.ErrorIs(t, m1.Send(ctx, 2, nil), net.ErrClosed)
}

// Metered is a transparent Transport.
func TestMeteredConformance(t *testing.T) {
	nettest.Run(t, func(n int) ([]net.Transport, error) {
		ts, err := net.NewMesh(n)
		for i := range ts {
			ts[i] = net.NewMetered(ts[i])
		}
		return ts, err
	}, nettest.Options{MaxN: 6})
}
