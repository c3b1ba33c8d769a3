package locate

import "github.com/paulmach/orb"

// geom holds the areas of one level flattened for the crossing test: all ring points in one
// slice, rings and polygons as offsets, so testing an area touches a few cache lines instead
// of chasing a pointer per ring.
type geom struct {
	pts   []orb.Point // all rings, each closed (first point repeated last)
	rings []int32     // ring r is pts[rings[r]:rings[r+1]]
	polys []int32     // polygon q is rings polys[q]..polys[q+1]
	pb    []orb.Bound // per polygon, the bound of its outer ring
	areas []int32     // area a is polygons areas[a]..areas[a+1]
}

func newGeom(mps []orb.MultiPolygon) *geom {
	g := &geom{rings: []int32{0}, polys: []int32{0}, areas: []int32{0}}
	for _, mp := range mps {
		for _, p := range mp {
			if len(p) == 0 || len(p[0]) == 0 {
				continue
			}
			for _, r := range p {
				if len(r) == 0 {
					continue
				}
				g.pts = append(g.pts, r...)
				if r[0] != r[len(r)-1] {
					g.pts = append(g.pts, r[0]) // the edge back to the start counts too
				}
				g.rings = append(g.rings, int32(len(g.pts)))
			}
			g.polys = append(g.polys, int32(len(g.rings)-1))
			g.pb = append(g.pb, p[0].Bound())
		}
		g.areas = append(g.areas, int32(len(g.polys)-1))
	}
	return g
}

// ring returns the closed points of ring r.
func (g *geom) ring(r int32) []orb.Point { return g.pts[g.rings[r]:g.rings[r+1]] }

// contains reports whether area a contains p under the package's edge rule: the crossing
// number of a ray from p towards +x, where an edge counts when one end is strictly above p and
// the other is not (half-open in y) and p is strictly left of it (exact orientation). A point
// on an edge thus goes to the area on the edge's east side (north side for an east–west
// edge): the area that contains p+(ε, ε²).
func (g *geom) contains(a int, p orb.Point) bool {
	px, py := p[0], p[1]
	for q := g.areas[a]; q < g.areas[a+1]; q++ {
		b := &g.pb[q]
		// The outer ring's bound holds every point the polygon can claim; by the half-open
		// rule a point on its east or north side is never inside.
		if px < b.Min[0] || px >= b.Max[0] || py < b.Min[1] || py >= b.Max[1] {
			continue
		}
		in := false
		for r := g.polys[q]; r < g.polys[q+1]; r++ {
			if crossings(g.ring(r), px, py) {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// crossings reports whether the ray from (px, py) towards +x crosses the closed ring an odd
// number of times.
func crossings(ring []orb.Point, px, py float64) bool {
	odd := false
	a := ring[0]
	for _, b := range ring[1:] {
		if (a[1] > py) != (b[1] > py) {
			var cross bool
			switch {
			case px < a[0] && px < b[0]:
				cross = true
			case px >= a[0] && px >= b[0]:
				cross = false
			case a[1] < b[1]: // orient the edge upwards: p strictly left of it means a crossing
				cross = orient(a[0], a[1], b[0], b[1], px, py) > 0
			default:
				cross = orient(b[0], b[1], a[0], a[1], px, py) > 0
			}
			if cross {
				odd = !odd
			}
		}
		a = b
	}
	return odd
}

// Contains reports whether p lies in mp under the package's edge rule (see the package
// documentation). It flattens mp on every call; Index is the fast way to find an area.
func Contains(mp orb.MultiPolygon, p orb.Point) bool {
	return newGeom([]orb.MultiPolygon{mp}).contains(0, p)
}
