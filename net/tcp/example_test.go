package tcp_test

import (
	"context"
	"fmt"
	stdnet "net"
	"sync"

	"github.com/cohortmpc/cohort/net/tcp"
)

// Two parties on one machine: each makes an identity, the pins go into a
// shared configuration, and both connect.
func Example() {
	const n = 2
	peers := make([]tcp.Peer, n)
	certs := make([]tcp.Config, n)
	for i := range n {
		certPEM, keyPEM, err := tcp.GenerateIdentity()
		if err != nil {
			panic(err)
		}
		cert, err := tcp.LoadIdentity(certPEM, keyPEM)
		if err != nil {
			panic(err)
		}
		pin, err := tcp.FingerprintPEM(certPEM)
		if err != nil {
			panic(err)
		}
		ln, err := stdnet.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		peers[i] = tcp.Peer{ID: i + 1, Addr: ln.Addr().String(), Fingerprint: pin}
		certs[i] = tcp.Config{ID: i + 1, Certificate: cert, Listener: ln}
	}

	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cfg := certs[i]
			cfg.Peers = peers
			cfg.SessionHash = [32]byte{'d', 'e', 'm', 'o'}
			t, err := tcp.Connect(ctx, cfg)
			if err != nil {
				panic(err)
			}
			defer t.Close()
			if t.ID() == 1 {
				t.Send(ctx, 2, []byte("hello from party 1"))
				return
			}
			msg, err := t.Recv(ctx, 1)
			if err != nil {
				panic(err)
			}
			fmt.Println(string(msg))
		})
	}
	wg.Wait()
	// Output: hello from party 1
}
