package field_test

import (
	"fmt"
	"math/big"

	"github.com/cohortmpc/cohort/field"
)

func Example() {
	var f field.F61
	a, b := f.FromUint64(6), f.FromInt64(-7)
	fmt.Println(f.Mul(a, b), f.Add(a, b))

	inv, _ := f.Inv(a)
	fmt.Println(f.Mul(inv, a))

	// Elements travel as 8-byte little-endian words.
	enc := f.AppendEncode(nil, []field.M61{a, b})
	dec := make([]field.M61, 2)
	if err := f.Decode(dec, enc); err != nil {
		panic(err)
	}
	c, _ := f.Int64(dec[1])
	fmt.Println(len(enc), c)

	// A PRG shared by two parties yields the same elements for both.
	key := [field.KeySize]byte{1}
	x := make([]field.M61, 3)
	y := make([]field.M61, 3)
	_ = f.RandomVec(field.NewPRG(key, []byte("session"), field.DomainUint64(1)), x)
	_ = f.RandomVec(field.NewPRG(key, []byte("session"), field.DomainUint64(1)), y)
	fmt.Println(x[0] == y[0] && x[1] == y[1] && x[2] == y[2])

	var g field.F127
	fmt.Println(g.Exp(g.FromUint64(2), big.NewInt(127)))
	// Output:
	// 2305843009213693909 2305843009213693950
	// 1
	// 16 -7
	// true
	// 1
}
