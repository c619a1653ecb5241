package ops_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// Three parties each input a private integer in [−100, 100]; they learn
// the product of the first two, whether the third is negative, and the
// largest of the three, and nothing else.
func Example() {
	const n = 3
	private := []int64{6, 7, -5}
	trs, err := cnet.NewMesh(n)
	if err != nil {
		panic(err)
	}
	results := make([][]int64, n)
	var wg sync.WaitGroup
	for i, tr := range trs {
		wg.Go(func() {
			defer tr.Close()
			ctx := context.Background()
			s, err := ops.NewSession(ctx, field.F61{}, tr, ops.Options{SessionID: "example"})
			if err != nil {
				panic(err)
			}
			// Every party inputs one value and receives shares of all three.
			in, err := s.InputInt(ctx, []int64{private[i]}, 1, ops.Bound{Lo: -100, Hi: 100})
			if err != nil {
				panic(err)
			}
			prod, err := s.MulInt(ctx, in[0], in[1])
			if err != nil {
				panic(err)
			}
			neg, err := s.LTZ(ctx, in[2]) // the bit width comes from the bound
			if err != nil {
				panic(err)
			}
			largest, err := s.Max(ctx, ops.ColumnInt(in, 0))
			if err != nil {
				panic(err)
			}
			results[i], err = s.OpenInt(ctx, ops.ConcatInts(prod, neg, largest))
			if err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()
	fmt.Println("product:", results[0][0], "third is negative:", results[0][1], "largest:", results[0][2])
	// Output:
	// product: 42 third is negative: 1 largest: 7
}
