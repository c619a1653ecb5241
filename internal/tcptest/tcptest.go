// Package tcptest connects parties over real loopback TCP with mutual TLS,
// for tests of the layers above the transport.
package tcptest

import (
	"context"
	stdnet "net"
	"sync"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/tcp"
)

// Mesh connects n parties on 127.0.0.1 (ports from the OS, fresh
// identities) and returns their transports, element i being party i+1.
// timeout is the transports' liveness timeout.
func Mesh(ctx context.Context, n int, timeout time.Duration) ([]cnet.Transport, error) {
	cfgs, err := Configs(n, timeout)
	if err != nil {
		return nil, err
	}
	out := make([]cnet.Transport, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() {
			tr, err := tcp.Connect(ctx, cfg)
			if err == nil {
				out[i] = tr
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			Close(out)
			return nil, err
		}
	}
	return out, nil
}

// Configs returns the configurations of n parties on 127.0.0.1, each with
// an open listener and a fresh identity.
func Configs(n int, timeout time.Duration) ([]tcp.Config, error) {
	peers := make([]tcp.Peer, n)
	cfgs := make([]tcp.Config, n)
	for i := range n {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		if err == nil {
			cfgs[i].Certificate, err = tcp.LoadIdentity(certPEM, keyPEM)
		}
		if err == nil {
			cfgs[i].Listener, err = stdnet.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			for _, c := range cfgs[:i] {
				c.Listener.Close()
			}
			return nil, err
		}
		peers[i] = tcp.Peer{ID: i + 1, Addr: cfgs[i].Listener.Addr().String(), Fingerprint: tcp.Fingerprint(cfgs[i].Certificate.Leaf)}
	}
	for i := range cfgs {
		cfgs[i].ID = i + 1
		cfgs[i].Peers = peers
		cfgs[i].DialTimeout = 10 * time.Second
		cfgs[i].Timeout = timeout
	}
	return cfgs, nil
}

// Close closes the non-nil transports concurrently.
func Close(trs []cnet.Transport) {
	var wg sync.WaitGroup
	for _, tr := range trs {
		if tr != nil {
			wg.Go(func() { tr.Close() })
		}
	}
	wg.Wait()
}
