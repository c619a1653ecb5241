package msgq

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFIFOAndGrowth(t *testing.T) {
	var q Queue
	ctx := context.Background()
	next := 0
	for round := range 50 {
		for i := range round {
			require.True(t, q.Push([]byte{byte(next + i)}))
		}
		require.Equal(t, round, q.Len())
		for range round {
			m, err := q.Pop(ctx)
			require.NoError(t, err)
			require.Equal(t, byte(next), m[0])
			next++
		}
	}
}

func TestBytes(t *testing.T) {
	var q Queue
	q.Push(make([]byte, 10))
	q.Push(nil)
	q.Push(make([]byte, 5))
	require.Equal(t, 15, q.Bytes())
	m, err := q.Pop(context.Background())
	require.NoError(t, err)
	require.Len(t, m, 10)
	require.Equal(t, 5, q.Bytes())
	q.Close(errors.New("closed"), false)
	require.Zero(t, q.Bytes())
}

func TestCloseDrain(t *testing.T) {
	var q Queue
	q.Push([]byte("a"))
	errGone := errors.New("gone")
	q.Close(errGone, true)
	require.False(t, q.Push([]byte("b")))
	m, err := q.Pop(context.Background())
	require.NoError(t, err)
	require.Equal(t, "a", string(m))
	_, err = q.Pop(context.Background())
	require.Equal(t, errGone, err)
}

func TestCloseWithoutDrainOverrides(t *testing.T) {
	var q Queue
	q.Push([]byte("a"))
	q.Close(errors.New("peer gone"), true)
	errClosed := errors.New("closed")
	q.Close(errClosed, false)
	q.Close(errors.New("ignored"), true)
	_, err := q.Pop(context.Background())
	require.Equal(t, errClosed, err)
	require.Zero(t, q.Len())
}

func TestCancel(t *testing.T) {
	var q Queue
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := q.Pop(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Nil(t, q.waiters)
	q.Push([]byte("x"))
	m, err := q.Pop(context.Background())
	require.NoError(t, err)
	require.Equal(t, "x", string(m))
}

// Many concurrent Pops on one queue, some giving up, must together receive
// every message exactly once.
func TestConcurrentPops(t *testing.T) {
	var q Queue
	const msgs = 20000
	got := make(chan byte, msgs)
	var wg sync.WaitGroup
	ctx, stop := context.WithCancel(context.Background())
	for w := range 8 {
		wg.Go(func() {
			for {
				pctx := ctx
				if w%2 == 0 {
					var cancel context.CancelFunc
					pctx, cancel = context.WithTimeout(ctx, time.Duration(w)*time.Microsecond)
					defer cancel()
				}
				m, err := q.Pop(pctx)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					continue
				}
				got <- m[0]
			}
		})
	}
	for i := range msgs {
		q.Push([]byte{byte(i)})
	}
	for range msgs {
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("messages lost")
		}
	}
	stop()
	wg.Wait()
	require.Zero(t, q.Len())
}

func BenchmarkPushPop(b *testing.B) {
	var q Queue
	ctx := context.Background()
	m := []byte("12345678")
	for b.Loop() {
		q.Push(m)
		q.Pop(ctx)
	}
}
