package locate

import (
	"math"
	"math/rand/v2"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/paulmach/orb"
)

func nextAfter(x float64, up bool) float64 {
	if up {
		return math.Nextafter(x, math.Inf(1))
	}
	return math.Nextafter(x, math.Inf(-1))
}

// reference locates by testing every area of every level, finest level first and lowest code
// first, with the same edge rule: what Index must agree with.
type reference struct {
	c      *city.City
	levels [][]*city.Area
	geoms  []*geom
}

func newReference(c *city.City) *reference {
	r := &reference{c: c}
	for i := len(city.Levels) - 1; i >= 0; i-- {
		areas := c.Layer(city.Levels[i])
		mps := make([]orb.MultiPolygon, len(areas))
		for k, a := range areas {
			mps[k] = a.Geometry
		}
		r.levels = append(r.levels, areas)
		r.geoms = append(r.geoms, newGeom(mps))
	}
	return r
}

func (r *reference) locate(p orb.Point) Location {
	for li, areas := range r.levels {
		for k, a := range areas {
			if a.Bound.Contains(p) && r.geoms[li].contains(k, p) {
				return locationOf(r.c, a)
			}
		}
	}
	return Location{}
}

// count returns how many areas of the finest level contain p (no tie-breaking).
func (r *reference) count(p orb.Point) int {
	n := 0
	for k, a := range r.levels[0] {
		if a.Bound.Contains(p) && r.geoms[0].contains(k, p) {
			n++
		}
	}
	return n
}

// randomPoints returns n points uniform over the bound grown by 2 % (so some are outside).
func randomPoints(b orb.Bound, n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 7))
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] - 0.01*w + rng.Float64()*1.02*w, b.Min[1] - 0.01*h + rng.Float64()*1.02*h}
	}
	return pts
}
