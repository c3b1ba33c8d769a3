package tiles

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestRTreeMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	for _, n := range []int{0, 1, 15, 16, 17, 300, 5000} {
		bounds := make([]orb.Bound, n)
		for i := range bounds {
			p := orb.Point{rng.Float64(), rng.Float64()}
			bounds[i] = orb.Bound{Min: p, Max: orb.Point{p[0] + rng.Float64()*0.05, p[1] + rng.Float64()*0.05}}
		}
		tr := newRTree(bounds)
		for k := 0; k < 200; k++ {
			p := orb.Point{rng.Float64(), rng.Float64()}
			q := orb.Bound{Min: p, Max: orb.Point{p[0] + rng.Float64()*0.2, p[1] + rng.Float64()*0.2}}
			got := tr.search(q, nil)
			slices.Sort(got)
			var want []int32
			for i, b := range bounds {
				if b.Intersects(q) {
					want = append(want, int32(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d: search(%v) = %v, want %v", n, q, got, want)
			}
		}
	}
}
