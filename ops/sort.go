package ops

import "context"

// Sort returns the values of x in ascending order, with x's bound. It runs
// Batcher's odd–even merge sorting network: ⌈log2 n⌉(⌈log2 n⌉+1)/2 layers of
// independent compare-exchanges, each a comparison and one multiplication
// (12 rounds a layer for k ≤ 15). Meant for short vectors: n = 16 takes 10
// layers and 63 comparisons.
func (s *Session[E]) Sort(ctx context.Context, x Int[E]) (Int[E], error) {
	if err := s.use("Sort", x.x); err != nil {
		return Int[E]{}, err
	}
	k, err := s.compareBits("Sort", diffBound(x.b, x.b))
	if err != nil {
		return Int[E]{}, err
	}
	cur, err := s.Reduce(ctx, x.x)
	if err != nil {
		return Int[E]{}, err
	}
	for _, layer := range sortingNetwork(x.Len()) {
		lo, hi := make([]int, len(layer)), make([]int, len(layer))
		for i, p := range layer {
			lo[i], hi[i] = p[0], p[1]
		}
		a, b := cur.Pick(lo...), cur.Pick(hi...)
		// swap when b < a: min = a + g·(b − a), max = b − g·(b − a)
		g, err := s.ltz(ctx, b.Sub(a), k)
		if err != nil {
			return Int[E]{}, err
		}
		d, err := s.eng.mul(ctx, g, b.Sub(a), "Sort: exchange")
		if err != nil {
			return Int[E]{}, err
		}
		mins, maxs := a.Add(d), b.Sub(d)
		if err := maxs.check(); err != nil {
			return Int[E]{}, s.fail(err)
		}
		pos := make([]int, cur.Len()) // position of each value in the new vector
		for i := range pos {
			pos[i] = -1
		}
		for i := range layer {
			pos[lo[i]], pos[hi[i]] = i, len(layer)+i
		}
		rest := make([]int, 0, cur.Len())
		for i := range pos {
			if pos[i] < 0 {
				pos[i] = 2*len(layer) + len(rest)
				rest = append(rest, i)
			}
		}
		cur = Concat(mins, maxs, cur.Pick(rest...)).Pick(pos...)
	}
	return s.result("Sort", mkInt(cur, x.b))
}

// NeedsSort is the preprocessing that Sort of c values in b consumes.
func NeedsSort(c int, b Bound) Needs {
	k := max(2, diffBound(b, b).Bits())
	var n Needs
	for _, layer := range sortingNetwork(c) {
		n = n.Add(needsLTZ(len(layer), k)).Add(NeedsMul(len(layer)))
	}
	return n
}

// sortingNetwork returns the layers of Batcher's odd–even merge sort for n
// values: pairs (i, j), i < j, to compare-exchange so that the smaller ends
// at i. The comparators of a layer touch distinct positions.
func sortingNetwork(n int) [][][2]int {
	var layers [][][2]int
	for p := 1; p < n; p *= 2 {
		for k := p; k >= 1; k /= 2 {
			var layer [][2]int
			for j := k % p; j < n-k; j += 2 * k {
				for i := 0; i < min(k, n-j-k); i++ {
					if (i+j)/(2*p) == (i+j+k)/(2*p) {
						layer = append(layer, [2]int{i + j, i + j + k})
					}
				}
			}
			if len(layer) > 0 {
				layers = append(layers, layer)
			}
		}
	}
	return layers
}
