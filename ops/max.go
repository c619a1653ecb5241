package ops

import "context"

// Max returns the largest of the values of x, as a single value with x's
// bound. It plays a tournament of ⌈log2 len(x)⌉ levels: len(x) − 1
// comparisons and selections. The last selection is left as a local
// product, so the result has degree 2T: opening it costs a re-randomisation
// instead of the 2 rounds of a reduction, and any operation that needs
// degree T reduces it first. With an engine that can open and reduce in
// one king round, each level reduces the previous level's selections while
// it opens its masked differences, so a level costs the 10 rounds of its
// comparisons (k ≤ 15).
func (s *Session[E]) Max(ctx context.Context, x Int[E]) (Int[E], error) {
	m, _, _, err := s.tournament(ctx, "Max", x, nil, Int[E]{})
	return m, err
}

// NeedsMax is the preprocessing that Max of c values in b consumes.
func NeedsMax(c int, b Bound) Needs { return needsTournament(c, b, 0, 0, Bound{}) }

// Min returns the smallest of the values of x (Max of the negated values).
func (s *Session[E]) Min(ctx context.Context, x Int[E]) (Int[E], error) {
	if err := s.use("Min", x.x); err != nil {
		return Int[E]{}, err
	}
	neg, err := s.result("Min", x.Neg())
	if err != nil {
		return Int[E]{}, err
	}
	m, _, _, err := s.tournament(ctx, "Min", neg, nil, Int[E]{})
	if err != nil {
		return Int[E]{}, err
	}
	return m.Neg(), nil
}

// NeedsMin is the preprocessing that Min of c values in b consumes.
func NeedsMin(c int, b Bound) Needs { return NeedsMax(c, b) }

// ArgMax returns the largest value of x and the index (from 0) of its first
// occurrence, both secret; open the index with [Session.OpenInt] when it may
// be revealed. It costs Max plus one more selection per comparison, in the
// same rounds.
func (s *Session[E]) ArgMax(ctx context.Context, x Int[E]) (max, index Int[E], err error) {
	if err := s.use("ArgMax", x.x); err != nil {
		return Int[E]{}, Int[E]{}, err
	}
	idx := make([]int64, x.Len())
	for i := range idx {
		idx[i] = int64(i)
	}
	m, pay, _, err := s.tournament(ctx, "ArgMax", x, []Int[E]{s.ConstInt(idx...)}, Int[E]{})
	if err != nil {
		return Int[E]{}, Int[E]{}, err
	}
	return m, pay[0], nil
}

// NeedsArgMax is the preprocessing that ArgMax of c values in b consumes.
func NeedsArgMax(c int, b Bound) Needs { return needsTournament(c, b, 1, 0, Bound{}) }

// MaxAndLTZ is [Session.Max] that also computes LTZ of the values extra,
// batched with the tournament's first level so that they cost no extra
// rounds. The comparisons of both use the wider of the two bit widths.
func (s *Session[E]) MaxAndLTZ(ctx context.Context, x, extra Int[E]) (max, ltz Int[E], err error) {
	if err := s.use("MaxAndLTZ", extra.x); err != nil {
		return Int[E]{}, Int[E]{}, err
	}
	m, _, lt, err := s.tournament(ctx, "Max", x, nil, extra)
	return m, lt, err
}

// NeedsMaxAndLTZ is the preprocessing of MaxAndLTZ of c values in b and e
// extra values in eb.
func NeedsMaxAndLTZ(c int, b Bound, e int, eb Bound) Needs {
	return needsTournament(c, b, 0, e, eb)
}

// tournamentBits is the comparison width of a tournament over values in b
// with extra comparisons of values in eb.
func tournamentBits(b Bound, e int, eb Bound) int {
	k := max(2, diffBound(b, b).Bits())
	if e > 0 {
		k = max(k, eb.Bits())
	}
	return k
}

func needsTournament(c int, b Bound, payloads, e int, eb Bound) Needs {
	k := tournamentBits(b, e, eb)
	var n Needs
	for level := 0; c > 1 || (level == 0 && e > 0); c, level = c/2+c%2, level+1 {
		cmp := c / 2
		if level == 0 {
			cmp += e
		}
		n = n.Add(needsLTZ(cmp, k))
		if level > 0 {
			// this level reduces the previous selections and opens its
			// masked differences as degree-2T values
			n.Zero += cmp
		}
		if c/2+c%2 > 1 {
			n.Double += (c / 2) * (1 + payloads) // reduced during the next level
		}
	}
	return n
}

// tournament plays the Max tournament over x, selecting each payload (one
// value per value of x) along with x, and computing LTZ of extra in the
// first level. The results have degree 2T (the last selections stay local
// products).
func (s *Session[E]) tournament(ctx context.Context, op string, x Int[E], payloads []Int[E], extra Int[E]) (Int[E], []Int[E], Int[E], error) {
	var none Int[E]
	if err := s.use(op, x.x); err != nil {
		return none, nil, none, err
	}
	if x.Len() == 0 {
		return none, nil, none, s.fail(misuse("%s of no values", op))
	}
	ne := extra.Len()
	k := tournamentBits(x.b, ne, extra.b)
	if !CompareFits(s.f.BitLen(), k) {
		return none, nil, none, s.fail(misuse("%s of values in %v: %d-bit comparisons need k + %d ≤ %d bits in field %s; use a larger field",
			op, x.b, k, Kappa+2, s.f.BitLen(), s.f.Name()))
	}
	for _, p := range payloads {
		if err := s.use(op, p.x); err != nil {
			return none, nil, none, err
		}
		if p.Len() != x.Len() {
			return none, nil, none, s.fail(misuse("%s: payload of %d values for %d values", op, p.Len(), x.Len()))
		}
	}
	if x.x.deg2 || anyDeg2(payloads) {
		parts := []Shares[E]{x.x}
		for _, p := range payloads {
			parts = append(parts, p.x)
		}
		red, err := s.reduceAll(ctx, op, parts...)
		if err != nil {
			return none, nil, none, err
		}
		x = Int[E]{x: red[0], b: x.b}
		payloads = append([]Int[E](nil), payloads...)
		for j := range payloads {
			payloads[j] = Int[E]{x: red[1+j], b: payloads[j].b}
		}
	}
	// Level values are base[i] + sel[i] for i < len(sel), base[i] beyond:
	// base has degree T, sel holds the previous level's selection products
	// (local degree-2T values not yet reduced). Payloads likewise.
	np := len(payloads)
	base := make([]Shares[E], 1+np) // base[0]: the values, base[1+j]: payload j
	base[0] = x.x
	for j, p := range payloads {
		base[1+j] = p.x
	}
	var sel []Shares[E]
	var extraOut Shares[E]
	levels := 0
	for c := x.Len(); c > 1; c = c/2 + c%2 {
		levels++
	}
	progress := func(done int) {
		if s.opts.Progress != nil {
			s.opts.Progress(op, done, levels)
		}
	}
	progress(0)
	ov, canOverlap := s.eng.(overlapper[E])
	first := true
	for level := 0; base[0].Len() > 1 || (first && ne > 0); level++ {
		if len(sel) > 0 && !canOverlap {
			// Without the overlap, reduce the selections on their own.
			red, err := s.eng.reduce(ctx, Concat(sel...), op+": selections")
			if err != nil {
				return none, nil, none, err
			}
			base, sel = addReduced(base, sel, red), nil
		}
		vals := withSel(base[0], sel, 0)
		pairs := vals.Len() / 2
		left, right := evenOdd(pairs)
		diff := vals.Pick(left...).Sub(vals.Pick(right...))
		if first && ne > 0 {
			diff = Concat(diff, extra.x)
		}
		st, c, err := s.ltzStart(ctx, diff, k)
		if err != nil {
			return none, nil, none, err
		}
		var cOpen []E
		var red Shares[E]
		if len(sel) == 0 {
			cOpen, err = s.eng.open(ctx, c, op+": masked differences", openMasked)
		} else {
			cOpen, red, err = ov.openAndReduce(ctx, c, Concat(sel...), op+": masked differences and selections")
		}
		if err != nil {
			return none, nil, none, err
		}
		if len(sel) > 0 {
			base = addReduced(base, sel, red)
		}
		lt, err := s.ltzFinish(ctx, st, cOpen)
		if err != nil {
			return none, nil, none, err
		}
		if first {
			extraOut = lt.Slice(pairs, lt.Len())
			first = false
		}
		// max(u, v) = u + [u < v]·(v − u), the product left for later;
		// payloads follow the same choice.
		g := lt.Slice(0, pairs)
		sel = make([]Shares[E], len(base))
		for j, b := range base {
			u, v := b.Pick(left...), b.Pick(right...)
			sel[j] = g.MulLocal(v.Sub(u))
			next := u
			if b.Len()%2 == 1 {
				next = Concat(u, b.Index(b.Len()-1))
			}
			base[j] = next
			if err := sel[j].check(); err != nil {
				return none, nil, none, s.fail(err)
			}
		}
		progress(min(level+1, levels))
	}
	out := make([]Shares[E], len(base))
	for j := range base {
		out[j] = withSel(base[j], sel, j)
	}
	pay := make([]Int[E], np)
	for j, p := range payloads {
		pay[j] = mkInt(out[1+j], p.b)
	}
	var lt Int[E]
	if ne > 0 {
		lt = mkInt(extraOut, Bound{0, 1})
	}
	return mkInt(out[0], x.b), pay, lt, nil
}

// withSel returns base[j] with sel[j] added to its first values.
func withSel[E any](base Shares[E], sel []Shares[E], j int) Shares[E] {
	if len(sel) == 0 {
		return base
	}
	n := sel[j].Len()
	if n == base.Len() {
		return base.Add(sel[j])
	}
	return Concat(base.Slice(0, n).Add(sel[j]), base.Slice(n, base.Len()))
}

// addReduced adds the reduced selections red (the concatenation of sel,
// reduced) to the first values of each base vector.
func addReduced[E any](base, sel []Shares[E], red Shares[E]) []Shares[E] {
	out := make([]Shares[E], len(base))
	off := 0
	for j := range base {
		n := sel[j].Len()
		r := red.Slice(off, off+n)
		off += n
		if n == base[j].Len() {
			out[j] = base[j].Add(r)
		} else {
			out[j] = Concat(base[j].Slice(0, n).Add(r), base[j].Slice(n, base[j].Len()))
		}
	}
	return out
}

// evenOdd returns the indices 0, 2, 4, … and 1, 3, 5, … of pairs pairs.
func evenOdd(pairs int) (left, right []int) {
	left, right = make([]int, pairs), make([]int, pairs)
	for i := range pairs {
		left[i], right[i] = 2*i, 2*i+1
	}
	return left, right
}

func anyDeg2[E any](xs []Int[E]) bool {
	for _, x := range xs {
		if x.x.deg2 {
			return true
		}
	}
	return false
}
