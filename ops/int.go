package ops

import (
	"context"
	"fmt"
	"math"
	"math/bits"
)

// Kappa is the statistical security parameter: comparisons hide their
// inputs up to a statistical distance of about 2^−Kappa.
const Kappa = 40

// CompareFits reports whether comparisons of k-bit values (differences in
// [−2^(k−1), 2^(k−1))) can run in a field of bitLen bits: the masked value
// a comparison opens needs k + Kappa + 2 bits. It is the one rule that
// decides which field a computation needs.
func CompareFits(bitLen, k int) bool { return k >= 1 && k+Kappa+2 <= bitLen }

// Bound is the public range [Lo, Hi] of the values of an [Int].
type Bound struct{ Lo, Hi int64 }

// Bits is the smallest k ≥ 1 such that every integer of the bound lies in
// [−2^(k−1), 2^(k−1)).
func (b Bound) Bits() int {
	k := 1
	for b.Lo < -(int64(1)<<(k-1)) || b.Hi >= int64(1)<<(k-1) {
		k++
		if k == 64 {
			break
		}
	}
	return k
}

// Contains reports whether v lies in the bound.
func (b Bound) Contains(v int64) bool { return b.Lo <= v && v <= b.Hi }

func (b Bound) String() string { return fmt.Sprintf("[%d, %d]", b.Lo, b.Hi) }

// union is the smallest bound containing a and b.
func (a Bound) union(b Bound) Bound { return Bound{min(a.Lo, b.Lo), max(a.Hi, b.Hi)} }

// Int is a vector of secret integers with one public bound: every value lies
// in Bound(). The bound travels with the values through every operation
// (a sum's bound is the sum of the bounds, and so on), so that comparisons
// derive their bit width from it and refuse, before anything is sent, a
// width the field cannot hold. Like [Shares], an Int is an immutable value;
// misuse yields an Int that carries the error.
//
// Bounds are int64 and must stay within ±(p−1)/2 for the session's field
// (±2^60 in M61), so that every value has one representative; arithmetic
// whose bound would leave that range yields an error. Values beyond it need
// [Shares].
type Int[E any] struct {
	x Shares[E]
	b Bound
}

// Shares returns the shares of the values.
func (a Int[E]) Shares() Shares[E] { return a.x }

// Bound is the public range of the values.
func (a Int[E]) Bound() Bound { return a.b }

// Len is the number of values.
func (a Int[E]) Len() int { return a.x.Len() }

// Err is the error of the operation that made a, or nil when a is valid.
func (a Int[E]) Err() error { return a.x.Err() }

// Degree is the degree of the shares (see [Shares.Degree]).
func (a Int[E]) Degree() int { return a.x.Degree() }

func badInt[E any](s *Session[E], err error) Int[E] { return Int[E]{x: Shares[E]{s: s, err: err}} }

// mkInt checks that b fits the field and returns x with bound b.
func mkInt[E any](x Shares[E], b Bound) Int[E] {
	if err := x.check(); err != nil {
		return Int[E]{x: x}
	}
	if b.Lo > b.Hi {
		return badInt(x.s, misuse("bound %v is empty", b))
	}
	if b.Bits() > x.s.f.BitLen()-1 {
		return badInt(x.s, misuse("bound %v exceeds the field %s: values would wrap around", b, x.s.f.Name()))
	}
	return Int[E]{x: x, b: b}
}

// AsInt declares that the values of x lie in b. The session takes the
// caller's word for it; values outside b make comparisons return arbitrary
// bits and may reveal more than the result, so declare only bounds that
// hold by construction (values this program computed, inputs that every
// dealer checked). [Session.InputInt] checks its dealer's values.
func (s *Session[E]) AsInt(x Shares[E], b Bound) Int[E] {
	if x.s != s && x.err == nil && x.s != nil {
		return badInt(s, misuse("AsInt of values of another session"))
	}
	return mkInt(x, b)
}

// ConstInt returns public integers as an Int with the bound [min c, max c];
// no communication.
func (s *Session[E]) ConstInt(c ...int64) Int[E] {
	if len(c) == 0 {
		return mkInt(s.Const(nil), Bound{0, 0})
	}
	v := make([]E, len(c))
	b := Bound{c[0], c[0]}
	for i, x := range c {
		v[i] = s.f.FromInt64(x)
		b = b.union(Bound{x, x})
	}
	return mkInt(s.Const(v), b)
}

// InputInt is [Session.Input] for integers in the public bound b: each party
// deals count integers of its own, and every compute party receives one Int
// per party (index id−1). A party checks its own values against b before
// anything is sent, and fails, telling no one its values, when one is out.
func (s *Session[E]) InputInt(ctx context.Context, values []int64, count int, b Bound) ([]Int[E], error) {
	v, err := s.intValues("InputInt", values, b)
	if err != nil {
		return nil, err
	}
	sh, err := s.Input(ctx, v, count)
	if err != nil || sh == nil {
		return nil, err
	}
	out := make([]Int[E], len(sh))
	for i, x := range sh {
		out[i] = mkInt(x, b)
	}
	return out, nil
}

// InputIntFrom is [Session.InputFrom] for integers in the public bound b.
func (s *Session[E]) InputIntFrom(ctx context.Context, owner int, values []int64, count int, b Bound) (Int[E], error) {
	var v []E
	if owner == s.id {
		var err error
		if v, err = s.intValues("InputIntFrom", values, b); err != nil {
			return Int[E]{}, err
		}
	}
	x, err := s.InputFrom(ctx, owner, v, count)
	if err != nil {
		return Int[E]{}, err
	}
	return mkInt(x, b), nil
}

// intValues checks values against b and converts them.
func (s *Session[E]) intValues(op string, values []int64, b Bound) ([]E, error) {
	if err := mkInt(s.Const(nil), b).Err(); err != nil {
		return nil, s.fail(fmt.Errorf("ops: %s: %w", op, err))
	}
	v := make([]E, len(values))
	for i, x := range values {
		if !b.Contains(x) {
			return nil, s.fail(misuse("%s: value %d of this party is %d, outside the bound %v", op, i, x, b))
		}
		v[i] = s.f.FromInt64(x)
	}
	return v, nil
}

// ColumnInt is [Column] for Ints: value i of every party that input values.
// The bound is the union of the parties' bounds.
func ColumnInt[E any](byParty []Int[E], i int) Int[E] {
	parts := make([]Shares[E], len(byParty))
	var b Bound
	first := true
	for j, a := range byParty {
		parts[j] = a.x
		if a.Len() > 0 {
			if first {
				b, first = a.b, false
			}
			b = b.union(a.b)
		}
	}
	x := Column(parts, i)
	if err := x.check(); err != nil {
		return Int[E]{x: x}
	}
	return mkInt(x, b)
}

// ConcatInts returns the values of xs one after the other; the bound is the
// union of their bounds.
func ConcatInts[E any](xs ...Int[E]) Int[E] {
	if len(xs) == 0 {
		return Int[E]{x: Shares[E]{err: misuse("ConcatInts of nothing")}}
	}
	parts := make([]Shares[E], len(xs))
	b := xs[0].b
	for i, a := range xs {
		parts[i] = a.x
		b = b.union(a.b)
	}
	return mkInt(Concat(parts...), b)
}

// checked int64 arithmetic on bounds.

func add64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0) || b == 0
}

func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	ua, ub := abs64(a), abs64(b)
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 || (!neg && lo > math.MaxInt64) || (neg && lo > 1<<63) {
		return 0, false
	}
	if neg {
		return int64(-lo), true
	}
	return int64(lo), true
}

func abs64(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

func (a Int[E]) withBound(x Shares[E], lo, hi int64, ok bool, op string) Int[E] {
	if err := x.check(); err != nil {
		return Int[E]{x: x}
	}
	if !ok {
		return badInt(x.s, misuse("%s: the bound overflows int64", op))
	}
	return mkInt(x, Bound{lo, hi})
}

// Add returns a[i] + b[i].
func (a Int[E]) Add(b Int[E]) Int[E] {
	lo, ok1 := add64(a.b.Lo, b.b.Lo)
	hi, ok2 := add64(a.b.Hi, b.b.Hi)
	return a.withBound(a.x.Add(b.x), lo, hi, ok1 && ok2, "Add")
}

// Sub returns a[i] − b[i].
func (a Int[E]) Sub(b Int[E]) Int[E] {
	return a.Add(b.Neg())
}

// Neg returns −a[i].
func (a Int[E]) Neg() Int[E] {
	if a.b.Lo == math.MinInt64 {
		return badInt(a.x.s, misuse("Neg: the bound overflows int64"))
	}
	return a.withBound(a.x.Neg(), -a.b.Hi, -a.b.Lo, true, "Neg")
}

// AddConst returns a[i] + c.
func (a Int[E]) AddConst(c int64) Int[E] {
	lo, ok1 := add64(a.b.Lo, c)
	hi, ok2 := add64(a.b.Hi, c)
	return a.withBound(a.constOp(c, Shares[E].AddConst), lo, hi, ok1 && ok2, "AddConst")
}

// Scale returns c·a[i].
func (a Int[E]) Scale(c int64) Int[E] {
	p, ok1 := mul64(a.b.Lo, c)
	q, ok2 := mul64(a.b.Hi, c)
	return a.withBound(a.constOp(c, Shares[E].Scale), min(p, q), max(p, q), ok1 && ok2, "Scale")
}

// constOp applies op with the public integer c to the shares (an invalid a
// stays as it is).
func (a Int[E]) constOp(c int64, op func(Shares[E], E) Shares[E]) Shares[E] {
	if a.x.s == nil {
		return a.x
	}
	return op(a.x, a.x.s.f.FromInt64(c))
}

// Sum returns the single value Σ a[i].
func (a Int[E]) Sum() Int[E] {
	n := int64(a.Len())
	lo, ok1 := mul64(a.b.Lo, n)
	hi, ok2 := mul64(a.b.Hi, n)
	if n == 0 {
		lo, hi = 0, 0
	}
	return a.withBound(a.x.Sum(), lo, hi, ok1 && ok2, "Sum")
}

// Slice returns the values i..j−1.
func (a Int[E]) Slice(i, j int) Int[E] { return Int[E]{x: a.x.Slice(i, j), b: a.b} }

// Index returns the single value i.
func (a Int[E]) Index(i int) Int[E] { return a.Slice(i, i+1) }

// Pick returns the values at the given indices.
func (a Int[E]) Pick(idx ...int) Int[E] { return Int[E]{x: a.x.Pick(idx...), b: a.b} }

// Repeat returns the values of a, c times over.
func (a Int[E]) Repeat(c int) Int[E] { return Int[E]{x: a.x.Repeat(c), b: a.b} }

// isBit reports whether a's bound is within [0, 1].
func (a Int[E]) isBit() bool { return a.b.Lo >= 0 && a.b.Hi <= 1 }

// Not returns 1 − a[i] for bits (an Int whose bound is within [0, 1]).
func (a Int[E]) Not() Int[E] {
	if err := a.Err(); err != nil {
		return a
	}
	if !a.isBit() {
		return badInt(a.x.s, misuse("Not of values in %v, not bits", a.b))
	}
	return a.Neg().AddConst(1)
}

// MulInt returns a[i]·b[i] (see [Session.Mul]).
func (s *Session[E]) MulInt(ctx context.Context, a, b Int[E]) (Int[E], error) {
	x, err := s.Mul(ctx, a.x, b.x)
	if err != nil {
		return Int[E]{}, err
	}
	p1, ok1 := mul64(a.b.Lo, b.b.Lo)
	p2, ok2 := mul64(a.b.Lo, b.b.Hi)
	p3, ok3 := mul64(a.b.Hi, b.b.Lo)
	p4, ok4 := mul64(a.b.Hi, b.b.Hi)
	return s.result("MulInt", a.withBound(x, min(p1, p2, p3, p4), max(p1, p2, p3, p4), ok1 && ok2 && ok3 && ok4, "MulInt"))
}

// And returns a[i]·b[i] for bits.
func (s *Session[E]) And(ctx context.Context, a, b Int[E]) (Int[E], error) {
	if err := s.useBits("And", a, b); err != nil {
		return Int[E]{}, err
	}
	return s.MulInt(ctx, a, b)
}

// Or returns a[i] ∨ b[i] = a + b − a·b for bits.
func (s *Session[E]) Or(ctx context.Context, a, b Int[E]) (Int[E], error) {
	ab, err := s.And(ctx, a, b)
	if err != nil {
		return Int[E]{}, err
	}
	return Int[E]{x: a.x.Add(b.x).Sub(ab.x), b: Bound{0, 1}}, nil
}

// useBits checks that the operands are bits.
func (s *Session[E]) useBits(op string, xs ...Int[E]) error {
	for _, x := range xs {
		if err := s.use(op, x.x); err != nil {
			return err
		}
		if !x.isBit() {
			return s.fail(misuse("%s of values in %v, not bits", op, x.b))
		}
	}
	return nil
}

// result fails the session when a carries an error.
func (s *Session[E]) result(op string, a Int[E]) (Int[E], error) {
	if err := a.Err(); err != nil {
		return Int[E]{}, s.fail(fmt.Errorf("ops: %s: %w", op, err))
	}
	return a, nil
}

// OpenInt reveals the integers a to every compute party (see
// [Session.Open]). A value outside a's bound is an error: it means that a
// bound was declared wrongly or that a party deviated from the protocol.
func (s *Session[E]) OpenInt(ctx context.Context, a Int[E]) ([]int64, error) {
	if err := s.use("OpenInt", a.x); err != nil {
		return nil, err
	}
	v, err := s.Open(ctx, a.x)
	if err != nil {
		return nil, err
	}
	return s.toInts("OpenInt", v, a.b)
}

// OpenIntTo reveals the integers a to party to only (see [Session.OpenTo]);
// it returns them at party to when it computes, nil elsewhere.
func (s *Session[E]) OpenIntTo(ctx context.Context, a Int[E], to int) ([]int64, error) {
	if err := s.use("OpenIntTo", a.x); err != nil {
		return nil, err
	}
	v, err := s.OpenTo(ctx, a.x, to)
	if err != nil || v == nil {
		return nil, err
	}
	return s.toInts("OpenIntTo", v, a.b)
}

// toInts converts opened values to integers within b.
func (s *Session[E]) toInts(op string, v []E, b Bound) ([]int64, error) {
	out := make([]int64, len(v))
	for i, e := range v {
		x, err := s.f.Int64(e)
		if err != nil || !b.Contains(x) {
			return nil, s.fail(fmt.Errorf("ops: %s: value %d is outside its bound %v: a bound was declared wrongly or a party deviated", op, i, b))
		}
		out[i] = x
	}
	return out, nil
}
