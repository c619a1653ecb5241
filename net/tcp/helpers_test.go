package tcp

import (
	"context"
	"crypto/tls"
	stdnet "net"
	"os"
	"sync"
	"testing"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
)

type identity struct {
	cert tls.Certificate
	pin  string
}

// identities are generated once for all tests.
var identities = sync.OnceValue(func() []identity {
	ids := make([]identity, 10)
	for i := range ids {
		certPEM, keyPEM, err := GenerateIdentity()
		if err != nil {
			panic(err)
		}
		cert, err := LoadIdentity(certPEM, keyPEM)
		if err != nil {
			panic(err)
		}
		ids[i] = identity{cert: cert, pin: Fingerprint(cert.Leaf)}
	}
	return ids
})

var testHash = [32]byte{1, 2, 3}

// configs returns configurations for parties 1..n (element i is party i+1),
// each with a listener on 127.0.0.1:0.
func configs(tb testing.TB, n int, timeout time.Duration) ([]Config, error) {
	ids := identities()
	peers := make([]Peer, n)
	lns := make([]stdnet.Listener, n)
	for i := range n {
		ln, err := stdnet.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range lns[:i] {
				l.Close()
			}
			return nil, err
		}
		lns[i] = ln
		peers[i] = Peer{ID: i + 1, Addr: ln.Addr().String(), Fingerprint: ids[i].pin}
	}
	cfgs := make([]Config, n)
	for i := range n {
		cfgs[i] = Config{
			ID:          i + 1,
			Peers:       peers,
			Certificate: ids[i].cert,
			SessionHash: testHash,
			Listener:    lns[i],
			DialTimeout: 10 * time.Second,
			Timeout:     timeout,
		}
	}
	return cfgs, nil
}

// connectAll runs Connect for every configuration at once.
func connectAll(cfgs []Config) ([]*Transport, []error) {
	ts := make([]*Transport, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() { ts[i], errs[i] = Connect(context.Background(), cfg) })
	}
	wg.Wait()
	return ts, errs
}

// newMesh connects n parties on 127.0.0.1.
func newMesh(n int, timeout time.Duration) ([]cnet.Transport, error) {
	cfgs, err := configs(nil, n, timeout)
	if err != nil {
		return nil, err
	}
	ts, errs := connectAll(cfgs)
	out := make([]cnet.Transport, n)
	for i, err := range errs {
		if err != nil {
			for _, tr := range ts {
				if tr != nil {
					tr.Close()
				}
			}
			return nil, err
		}
		out[i] = ts[i]
	}
	return out, nil
}

func closeAll[T interface{ Close() error }](ts []T) {
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Go(func() { tr.Close() })
	}
	wg.Wait()
}

var errDeadline = os.ErrDeadlineExceeded
