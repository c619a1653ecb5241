// Package stattest holds the statistics the uniformity tests share: Pearson's
// chi-square statistic against a uniform expectation, its critical values,
// and buckets of field elements by their top bits.
package stattest

import "github.com/cohortmpc/cohort/field"

// Critical values of the chi-square distribution at significance 0.1%,
// for the bucket counts the tests use: 16 buckets (15 degrees of freedom)
// and 8×8 cells (63 degrees of freedom).
const (
	Critical15 = 37.7
	Critical63 = 103.4
)

// ChiSquare returns Pearson's statistic of counts against a uniform
// expectation.
func ChiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	exp := float64(total) / float64(len(counts))
	var x2 float64
	for _, c := range counts {
		d := float64(c) - exp
		x2 += d * d / exp
	}
	return x2
}

// Bucket maps an element of M61 to one of 2^bits buckets by its top bits.
func Bucket(v field.M61, bits int) int { return int(uint64(v) >> (61 - bits)) }
