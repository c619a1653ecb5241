package ops_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// Three parties each input a private number; they learn the product of the
// first two and whether the third is negative, and nothing else.
func Example() {
	const n = 3
	f := field.F61{}
	private := []int64{6, 7, -5}
	trs, err := cnet.NewMesh(n)
	if err != nil {
		panic(err)
	}
	results := make([][]field.M61, n)
	var wg sync.WaitGroup
	for i, tr := range trs {
		wg.Go(func() {
			defer tr.Close()
			ctx := context.Background()
			s, err := ops.NewSession(ctx, f, tr, ops.Options{SessionID: "example"})
			if err != nil {
				panic(err)
			}
			// Every party inputs one value and receives shares of all three.
			x, err := s.Input(ctx, []field.M61{f.FromInt64(private[i])}, 1)
			if err != nil {
				panic(err)
			}
			prod, err := s.Mul(ctx, x[0], x[1])
			if err != nil {
				panic(err)
			}
			neg, err := s.LTZ(ctx, x[2], 8) // values in [−128, 128)
			if err != nil {
				panic(err)
			}
			results[i], err = s.Open(ctx, append(prod, neg...))
			if err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()
	fmt.Println("product:", results[0][0], "third is negative:", results[0][1])
	// Output:
	// product: 42 third is negative: 1
}
