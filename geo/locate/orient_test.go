package locate

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// orientBig is the exact sign by arbitrary precision, to check the fast one against.
func orientBig(ax, ay, bx, by, px, py float64) int {
	f := func(x float64) *big.Float { return new(big.Float).SetPrec(2000).SetFloat64(x) }
	sub := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(2000).Sub(a, b) }
	mul := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(2000).Mul(a, b) }
	l := mul(sub(f(bx), f(ax)), sub(f(py), f(ay)))
	r := mul(sub(f(by), f(ay)), sub(f(px), f(ax)))
	return sub(l, r).Sign()
}

// TestOrientExact checks the predicate on points on, and a few ulps off, lines through
// city-like coordinates, where float64 evaluation alone gets the sign wrong.
func TestOrientExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	wrongFloat := 0
	for n := 0; n < 200000; n++ {
		ax, ay := 114+rng.Float64(), 30+rng.Float64()
		bx, by := ax+rng.Float64()*0.01, ay+rng.Float64()*0.01
		s := rng.Float64()
		px, py := ax+s*(bx-ax), ay+s*(by-ay)
		for k := rng.IntN(4); k > 0; k-- { // a few ulps off the line, or on it
			px = nextAfter(px, rng.IntN(2) == 0)
		}
		want := orientBig(ax, ay, bx, by, px, py)
		if got := orient(ax, ay, bx, by, px, py); got != want {
			t.Fatalf("orient(%v,%v,%v,%v,%v,%v) = %d, want %d", ax, ay, bx, by, px, py, got, want)
		}
		if got := orientExact(ax, ay, bx, by, px, py); got != want {
			t.Fatalf("orientExact = %d, want %d", got, want)
		}
		det := (bx-ax)*(py-ay) - (by-ay)*(px-ax)
		if sign(det) != want {
			wrongFloat++
		}
	}
	t.Logf("plain float64 got %d of 200000 near-degenerate signs wrong", wrongFloat)
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
