package share_test

import (
	"crypto/rand"
	"fmt"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/share"
)

func ExampleDeal() {
	var f field.F61
	const n, t = 5, 2

	// Share 1234 among 5 parties with a random polynomial of degree 2.
	shares, err := share.Deal(f, f.FromUint64(1234), t, n, rand.Reader)
	if err != nil {
		panic(err)
	}

	// Any t+1 = 3 parties reconstruct it, here parties 2, 4 and 5.
	points := []int{2, 4, 5}
	secret, err := share.Reconstruct(f, points, []field.M61{shares[1], shares[3], shares[4]}, t)
	if err != nil {
		panic(err)
	}
	fmt.Println(secret)

	// All five shares lie on one polynomial of degree 2.
	fmt.Println(share.Check(f, []int{1, 2, 3, 4, 5}, shares, t))
	// Output:
	// 1234
	// <nil>
}

func ExampleCompressedDealing() {
	var f field.F61
	const n, t = 7, 3

	// Dealer 7 fixes the secret (point 0) and the shares of parties 1..t,
	// which those parties derive from PRGs they share with the dealer; it
	// computes its own share and sends only the others at the Targets.
	dl, err := share.CompressedDealing(f, n, t, true, 7)
	if err != nil {
		panic(err)
	}
	vals := [][]field.M61{{42}, {11}, {22}, {33}} // secret, then f(1), f(2), f(3)
	out := make([][]field.M61, len(dl.Targets))
	for i := range out {
		out[i] = make([]field.M61, 1)
	}
	dl.Apply(f, out, vals)

	shares := []field.M61{11, 22, 33}
	for _, v := range out {
		shares = append(shares, v[0])
	}
	secret, _ := share.Reconstruct(f, []int{4, 5, 6, 7}, shares[3:], t)
	fmt.Println(dl.Fixed, dl.Targets, secret)
	// Output:
	// [0 1 2 3] [4 5 6 7] 42
}
