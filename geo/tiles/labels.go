package tiles

import (
	"math"
	"slices"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// labelSet is the "labels" layer: one point per area of every level, where its name goes.
type labelSet struct {
	pts   []label
	tree  *rtree
	bound orb.Bound
}

type label struct {
	area  *city.Area
	world orb.Point
	ll    orb.Point // lon/lat, for GeoJSON
}

func newLabelSet(c *city.City) *labelSet {
	s := &labelSet{}
	var bounds []orb.Bound
	for _, lv := range city.Levels {
		for _, a := range c.Layer(lv) {
			p := interiorPoint(a.Geometry)
			w := toWorld(p)
			s.pts = append(s.pts, label{area: a, world: w, ll: p})
			bounds = append(bounds, orb.Bound{Min: w, Max: w})
			if len(s.pts) == 1 {
				s.bound = bounds[0]
			} else {
				s.bound = s.bound.Extend(w)
			}
		}
	}
	s.tree = newRTree(bounds)
	return s
}

// interiorPoint returns a point inside the largest polygon of mp, cheaply: the middle of the
// widest run inside it along the horizontal line through its bound's middle (so a crescent or
// an L-shape, whose centroid is outside, still gets its label inside). The exact pole of
// inaccessibility would centre names better at many times the cost.
func interiorPoint(mp orb.MultiPolygon) orb.Point {
	best, ba := -1, -1.0
	for i, p := range mp {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		if a := math.Abs(planar.Area(p)); a > ba {
			best, ba = i, a
		}
	}
	if best < 0 {
		return orb.Point{}
	}
	p := mp[best]
	b := p[0].Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	var xs []float64
	for _, r := range p {
		for k := 1; k < len(r); k++ {
			a, c := r[k-1], r[k]
			if (a[1] > y) != (c[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	bx, bw := b.Center()[0], -1.0
	for k := 0; k+1 < len(xs); k += 2 {
		if w := xs[k+1] - xs[k]; w > bw {
			bx, bw = (xs[k]+xs[k+1])/2, w
		}
	}
	if bw < 0 {
		return p[0][0]
	}
	return orb.Point{bx, y}
}
