package scaling

import (
	"errors"
	"math"
)

// Fit is a power law y ≈ A·n^B fitted by least squares of log y on log n.
type Fit struct {
	A, B float64
	R2   float64 // coefficient of determination of the log–log fit
	From int     // smallest n of the points fitted
	To   int     // largest n
	Len  int     // number of points
}

// FitPower fits y ≈ A·n^B to the points with y > 0.
func FitPower(ns []int, ys []float64) (Fit, error) {
	var xs, ls []float64
	f := Fit{From: math.MaxInt}
	for i, n := range ns {
		if ys[i] <= 0 || n <= 0 {
			continue
		}
		xs = append(xs, math.Log(float64(n)))
		ls = append(ls, math.Log(ys[i]))
		f.From, f.To = min(f.From, n), max(f.To, n)
	}
	f.Len = len(xs)
	if f.Len < 2 {
		return Fit{}, errors.New("scaling: a fit needs at least two points")
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ls[i]
	}
	mx /= float64(f.Len)
	my /= float64(f.Len)
	var sxx, sxy, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ls[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return Fit{}, errors.New("scaling: a fit needs two different n")
	}
	f.B = sxy / sxx
	f.A = math.Exp(my - f.B*mx)
	f.R2 = 1
	if syy > 0 {
		f.R2 = sxy * sxy / (sxx * syy)
	}
	return f, nil
}

// At evaluates the fit at n.
func (f Fit) At(n float64) float64 { return f.A * math.Pow(n, f.B) }
