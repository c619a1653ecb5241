package share

import (
	"encoding/binary"
	"errors"
	"sync"
)

// cache is a process-wide, concurrency-safe memo table. Concurrent requests
// for the same key compute the value once; the other callers wait for it.
// When the table holds max entries, the finished ones are dropped (values
// handed out earlier stay valid: they are never modified).
type cache struct {
	mu  sync.Mutex
	m   map[string]*cacheEntry
	max int
}

type cacheEntry struct {
	done chan struct{}
	val  any
	err  error
}

var errPanicked = errors.New("share: cached computation panicked")

func newCache(max int) *cache {
	return &cache{m: make(map[string]*cacheEntry), max: max}
}

// get returns the value for key, calling compute at most once per key while
// the entry is cached. Errors are returned to every caller waiting for the
// same computation but are not cached.
func (c *cache) get(key []byte, compute func() (any, error)) (any, error) {
	c.mu.Lock()
	if e, hit := c.m[string(key)]; hit {
		c.mu.Unlock()
		<-e.done
		return e.val, e.err
	}
	if len(c.m) >= c.max {
		for k, e := range c.m {
			select {
			case <-e.done:
				delete(c.m, k)
			default:
			}
		}
	}
	e := &cacheEntry{done: make(chan struct{}), err: errPanicked}
	skey := string(key)
	c.m[skey] = e
	c.mu.Unlock()

	defer func() {
		if e.err != nil {
			c.mu.Lock()
			if c.m[skey] == e {
				delete(c.m, skey)
			}
			c.mu.Unlock()
		}
		close(e.done)
	}()
	e.val, e.err = compute()
	return e.val, e.err
}

// key builds a cache key from a field name, a kind tag and integers.
func key(name string, kind byte, ints ...int) []byte {
	b := make([]byte, 0, len(name)+2+3*len(ints))
	b = append(b, name...)
	b = append(b, 0, kind)
	for _, x := range ints {
		b = appendVarint(b, x)
	}
	return b
}

func appendVarint(b []byte, x int) []byte { return binary.AppendVarint(b, int64(x)) }

var (
	lagrangeCache = newCache(1 << 12)
	dealingCache  = newCache(1 << 12)
	matrixCache   = newCache(1 << 6) // Vandermonde and extraction matrices
)
