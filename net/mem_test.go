package net_test

import (
	"testing"

	"github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/nettest"
)

func TestMeshConformance(t *testing.T) {
	nettest.Run(t, net.NewMesh, nettest.Options{MaxN: 16, LargeSize: 8 << 20})
}
