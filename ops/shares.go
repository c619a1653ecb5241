package ops

import (
	"errors"
	"fmt"
)

// Shares is a vector of secret values as one party holds them: its Shamir
// shares, their degree (T, or 2T for local products), and, when the session
// authenticates values, its shares of the values times a secret MAC key.
// Every operation of a [Session] takes and returns Shares or [Int].
//
// Shares are immutable values: the linear operations (Add, Sub, AddConst,
// Scale, Sum, …) are local, cost no communication, and return new Shares.
// They never panic: misuse (different lengths, values of two sessions, a
// product of degree-2T values) yields Shares that carry the error, which
// [Shares.Err] reports and which any operation of the session that receives
// them returns (and, since the peers cannot go on without this party, turns
// into the session's failure). The zero Shares is invalid.
type Shares[E any] struct {
	s    *Session[E]
	v    []E
	mac  []E // nil unless the session authenticates values
	deg2 bool
	err  error
}

// ErrMisuse is the cause of every error that comes from calling the API
// wrongly rather than from a peer: values of different lengths or sessions,
// a value of the wrong degree, a bound that may exceed the field.
var ErrMisuse = errors.New("ops: invalid use")

func misuse(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMisuse}, args...)...)
}

// shares wraps this party's shares (and MAC shares) as Shares.
func (s *Session[E]) shares(v, mac []E, deg2 bool) Shares[E] {
	return Shares[E]{s: s, v: v, mac: mac, deg2: deg2}
}

// bad returns invalid Shares that carry err.
func (s *Session[E]) bad(err error) Shares[E] { return Shares[E]{s: s, err: err} }

// Len is the number of values.
func (x Shares[E]) Len() int { return len(x.v) }

// Err is the error of the operation that made x, or nil when x is valid.
func (x Shares[E]) Err() error {
	switch {
	case x.err != nil:
		return x.err
	case x.s == nil:
		return misuse("Shares used before being set")
	}
	return nil
}

// Degree is the degree of the sharing polynomials: T for fresh values, 2T
// for local products ([Shares.MulLocal]) and what is computed from them.
// Opening a degree-2T value adds a random sharing of zero first, and a
// multiplication reduces it first; the type takes care of both.
func (x Shares[E]) Degree() int {
	if x.s == nil {
		return 0
	}
	if x.deg2 {
		return 2 * x.s.t
	}
	return x.s.t
}

// Raw returns a copy of this party's shares of the values, for export (for
// example to store them). They say nothing about the values on their own.
func (x Shares[E]) Raw() []E { return append([]E(nil), x.v...) }

// parts returns the shares and the MAC shares.
func (x Shares[E]) parts() (v, mac []E) { return x.v, x.mac }

// check returns the error carried by x, or nil.
func (x Shares[E]) check() error { return x.Err() }

// pair checks that x and y can be combined value by value.
func (x Shares[E]) pair(y Shares[E], op string) error {
	if err := x.check(); err != nil {
		return err
	}
	if err := y.check(); err != nil {
		return err
	}
	if x.s != y.s {
		return misuse("%s of values of two different sessions", op)
	}
	if len(x.v) != len(y.v) {
		return misuse("%s of %d and %d values", op, len(x.v), len(y.v))
	}
	return nil
}

// lin applies a linear map to the shares and, when present, to the MAC
// shares.
func (x Shares[E]) lin(deg2 bool, fn func(dst, v []E)) Shares[E] {
	out := Shares[E]{s: x.s, v: make([]E, len(x.v)), deg2: deg2}
	fn(out.v, x.v)
	if x.mac != nil {
		out.mac = make([]E, len(x.mac))
		fn(out.mac, x.mac)
	}
	return out
}

// Add returns x[i] + y[i].
func (x Shares[E]) Add(y Shares[E]) Shares[E] { return x.combine(y, "Add", x.s.fieldVecAdd) }

// Sub returns x[i] − y[i].
func (x Shares[E]) Sub(y Shares[E]) Shares[E] { return x.combine(y, "Sub", x.s.fieldVecSub) }

// combine applies a value-by-value vector operation to the shares and the
// MAC shares of x and y.
func (x Shares[E]) combine(y Shares[E], name string, vec func(dst, a, b []E)) Shares[E] {
	if err := x.pair(y, name); err != nil {
		return x.s.bad(err)
	}
	out := Shares[E]{s: x.s, v: make([]E, len(x.v)), deg2: x.deg2 || y.deg2}
	vec(out.v, x.v, y.v)
	if x.mac != nil {
		out.mac = make([]E, len(x.v))
		vec(out.mac, x.mac, y.mac)
	}
	return out
}

// Neg returns −x[i].
func (x Shares[E]) Neg() Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	return x.Scale(x.s.f.FromInt64(-1))
}

// AddConst returns x[i] + c for a public c.
func (x Shares[E]) AddConst(c E) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	cs := make([]E, len(x.v))
	for i := range cs {
		cs[i] = c
	}
	return x.AddConsts(cs)
}

// AddConsts returns x[i] + c[i] for public c.
func (x Shares[E]) AddConsts(c []E) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	if len(c) != len(x.v) {
		return x.s.bad(misuse("AddConsts of %d values and %d constants", len(x.v), len(c)))
	}
	s := x.s
	out := Shares[E]{s: s, v: make([]E, len(x.v)), deg2: x.deg2}
	s.f.VecAdd(out.v, x.v, c)
	if x.mac != nil {
		// [α(x + c)] = [αx] + c·[α]
		out.mac = make([]E, len(x.v))
		for i := range c {
			out.mac[i] = s.f.Add(x.mac[i], s.f.Mul(c[i], s.eng.macKey()))
		}
	}
	return out
}

// Scale returns c·x[i] for a public c.
func (x Shares[E]) Scale(c E) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	f := x.s.f
	return x.lin(x.deg2, func(dst, v []E) { f.VecScale(dst, c, v) })
}

// Sum returns the single value Σ x[i].
func (x Shares[E]) Sum() Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	f := x.s.f
	sum := func(v []E) []E {
		acc := f.Zero()
		for _, e := range v {
			acc = f.Add(acc, e)
		}
		return []E{acc}
	}
	out := Shares[E]{s: x.s, v: sum(x.v), deg2: x.deg2}
	if x.mac != nil {
		out.mac = sum(x.mac)
	}
	return out
}

// affine returns n values computed from x's by fn, which must be linear in
// (src, unit) jointly: dst[i] = Σ_j coef_ij·src[j] + c_i·unit. fn runs on
// the shares with unit 1 (the share of a public constant) and on the MAC
// shares with unit the MAC key share, so public constants c_i come out
// right in both.
func (x Shares[E]) affine(n int, deg2 bool, fn func(dst, src []E, unit E)) Shares[E] {
	s := x.s
	out := Shares[E]{s: s, v: make([]E, n), deg2: deg2}
	fn(out.v, x.v, s.f.One())
	if x.mac != nil {
		out.mac = make([]E, n)
		fn(out.mac, x.mac, s.eng.macKey())
	}
	return out
}

// dot returns the single value Σ w[i]·x[i] for public w (len(w) = x.Len()).
func (x Shares[E]) dot(w []E) Shares[E] {
	f := x.s.f
	out := Shares[E]{s: x.s, v: []E{f.Dot(w, x.v)}, deg2: x.deg2}
	if x.mac != nil {
		out.mac = []E{f.Dot(w, x.mac)}
	}
	return out
}

// Slice returns the values i..j−1.
func (x Shares[E]) Slice(i, j int) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	if i < 0 || j < i || j > len(x.v) {
		return x.s.bad(misuse("Slice [%d:%d] of %d values", i, j, len(x.v)))
	}
	out := Shares[E]{s: x.s, v: x.v[i:j:j], deg2: x.deg2}
	if x.mac != nil {
		out.mac = x.mac[i:j:j]
	}
	return out
}

// Index returns the single value i.
func (x Shares[E]) Index(i int) Shares[E] { return x.Slice(i, i+1) }

// Pick returns the values at the given indices, in that order (indices may
// repeat).
func (x Shares[E]) Pick(idx ...int) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	out := Shares[E]{s: x.s, v: make([]E, len(idx)), deg2: x.deg2}
	if x.mac != nil {
		out.mac = make([]E, len(idx))
	}
	for k, i := range idx {
		if i < 0 || i >= len(x.v) {
			return x.s.bad(misuse("Pick of index %d among %d values", i, len(x.v)))
		}
		out.v[k] = x.v[i]
		if x.mac != nil {
			out.mac[k] = x.mac[i]
		}
	}
	return out
}

// Repeat returns the values of x, c times over.
func (x Shares[E]) Repeat(c int) Shares[E] {
	if err := x.check(); err != nil {
		return x.s.bad(err)
	}
	if c < 0 {
		return x.s.bad(misuse("Repeat %d times", c))
	}
	parts := make([]Shares[E], c)
	for i := range parts {
		parts[i] = x
	}
	if c == 0 {
		return x.Slice(0, 0)
	}
	return Concat(parts...)
}

// MulLocal returns the products x[i]·y[i] as degree-2T values, without
// communication. Such values may be added to each other and to degree-T
// values, opened (which re-randomises them first) or reduced; a second
// local product would exceed the degree that N parties can open, and is an
// error.
func (x Shares[E]) MulLocal(y Shares[E]) Shares[E] {
	if err := x.pair(y, "MulLocal"); err != nil {
		return x.s.bad(err)
	}
	if x.deg2 || y.deg2 {
		return x.s.bad(misuse("MulLocal of a degree-2T value: its product would have degree 4T > N−1; reduce it first"))
	}
	f := x.s.f
	out := Shares[E]{s: x.s, v: make([]E, len(x.v)), deg2: true}
	f.VecMul(out.v, x.v, y.v)
	if x.mac != nil {
		// [αxy]_2t = [αx]·[y]
		out.mac = make([]E, len(x.v))
		f.VecMul(out.mac, x.mac, y.v)
	}
	return out
}

// Concat returns the values of xs one after the other. The result has
// degree 2T when any part has.
func Concat[E any](xs ...Shares[E]) Shares[E] {
	if len(xs) == 0 {
		return Shares[E]{err: misuse("Concat of nothing")}
	}
	s := xs[0].s
	total := 0
	out := Shares[E]{s: s}
	for _, x := range xs {
		if err := x.check(); err != nil {
			return Shares[E]{s: s, err: err}
		}
		if x.s != s {
			return s.bad(misuse("Concat of values of two different sessions"))
		}
		total += len(x.v)
		out.deg2 = out.deg2 || x.deg2
	}
	out.v = make([]E, 0, total)
	if xs[0].mac != nil {
		out.mac = make([]E, 0, total)
	}
	for _, x := range xs {
		out.v = append(out.v, x.v...)
		if out.mac != nil {
			out.mac = append(out.mac, x.mac...)
		}
	}
	return out
}

// Column returns, from the values each party input ([Session.Input]: one
// Shares per party), value i of every party, in party order: the regrouping
// of inputs by party into one vector per input.
func Column[E any](byParty []Shares[E], i int) Shares[E] {
	if len(byParty) == 0 {
		return Shares[E]{err: misuse("Column of no parties")}
	}
	var out Shares[E]
	for _, x := range byParty {
		if x.Len() == 0 && x.err == nil && x.s != nil {
			continue // a party that input nothing (an input party, or a compute party with no inputs)
		}
		switch {
		case x.check() != nil:
			return Shares[E]{s: x.s, err: x.check()}
		case out.s == nil:
			out = Shares[E]{s: x.s, v: make([]E, 0, len(byParty))}
			if x.mac != nil {
				out.mac = make([]E, 0, len(byParty))
			}
		case x.s != out.s:
			return out.s.bad(misuse("Column of values of two different sessions"))
		}
		if i < 0 || i >= len(x.v) {
			return out.s.bad(misuse("Slice [%d:%d] of %d values", i, i+1, len(x.v)))
		}
		out.v = append(out.v, x.v[i])
		if out.mac != nil {
			out.mac = append(out.mac, x.mac[i])
		}
		out.deg2 = out.deg2 || x.deg2
	}
	if out.s == nil {
		return Shares[E]{err: misuse("Concat of nothing")}
	}
	return out
}

// Const returns c public values as Shares: every party's share is the value
// itself (a constant polynomial), and no communication is needed.
func (s *Session[E]) Const(c []E) Shares[E] {
	z := Shares[E]{s: s, v: make([]E, len(c))}
	if s.eng.authenticates() {
		z.mac = make([]E, len(c))
	}
	return z.AddConsts(c)
}

// fieldVecAdd and fieldVecSub are the field's vector operations (nil-safe
// on an invalid session, whose values carry an error anyway).
func (s *Session[E]) fieldVecAdd(dst, a, b []E) { s.f.VecAdd(dst, a, b) }
func (s *Session[E]) fieldVecSub(dst, a, b []E) { s.f.VecSub(dst, a, b) }
