package city

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Planar helpers on lon/lat rings. Orientation and containment only need planar predicates;
// areas in km² use orb/geo (spherical) elsewhere.

// signedArea is the shoelace area in square degrees: positive for counter-clockwise rings.
// Coordinates are taken relative to the first vertex: with absolute ones (products near 3000
// for 74°W, 40°N) the sum loses everything below ~1e-13 and calls a centimetre-sized lattice
// piece (a vertex poking across a lattice line) degenerate or mis-oriented.
func signedArea(r orb.Ring) float64 {
	if len(r) == 0 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s / 2
}

// ringContains is the crossing-number test with the half-open rule (an edge counts when it
// spans the ray's latitude from below, inclusive of its lower end). Each edge's endpoints
// are put in a canonical order before the crossing is computed, so two areas sharing an edge
// compute the same crossing for it, and a point on a shared boundary falls in exactly one of
// them: the partition of a district into grids has no point in two grids or none.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (a[1] > p[1]) == (b[1] > p[1]) {
			continue
		}
		if a[1] > b[1] {
			a, b = b, a
		}
		if x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]); p[0] < x {
			in = !in
		}
	}
	return in
}

func polygonContains(pg orb.Polygon, p orb.Point) bool {
	if len(pg) == 0 || !ringContains(pg[0], p) {
		return false
	}
	for _, h := range pg[1:] {
		if ringContains(h, p) {
			return false
		}
	}
	return true
}

// Contains reports whether p (WGS84) is inside the area. Points on a boundary shared by two
// areas of a partition are inside exactly one of them.
func (a *Area) Contains(p orb.Point) bool {
	if p[0] < a.Bound.Min[0] || p[0] > a.Bound.Max[0] || p[1] < a.Bound.Min[1] || p[1] > a.Bound.Max[1] {
		return false
	}
	for _, pg := range a.Geometry {
		if polygonContains(pg, p) {
			return true
		}
	}
	return false
}

// interiorPoint returns a point strictly inside mp: on a horizontal line through the largest
// polygon, the middle of the widest span inside it. A centroid can lie outside a concave or
// holed shape; this cannot, which is what containment of a child in its parent relies on.
func interiorPoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := -1, 0.0
	for i, pg := range mp {
		if len(pg) == 0 {
			continue
		}
		if a := math.Abs(signedArea(pg[0])); best < 0 || a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 || len(mp[best][0]) == 0 {
		return orb.Point{math.NaN(), math.NaN()}
	}
	pg := mp[best]
	b := pg[0].Bound()
	y := scanLatitude(pg, (b.Min[1]+b.Max[1])/2)
	xs := rowCrossings(orb.MultiPolygon{pg}, y, nil)
	p, width := pg[0][0], -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			p, width = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	return p
}

// scanLatitude moves y off any vertex latitude (to the middle of the gap above it), so the
// scan line crosses edges and never runs through a vertex.
func scanLatitude(pg orb.Polygon, y float64) float64 {
	var ys []float64
	for _, r := range pg {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	i, found := slices.BinarySearch(ys, y)
	if !found {
		return y
	}
	if i+1 < len(ys) {
		return (ys[i] + ys[i+1]) / 2
	}
	if i > 0 {
		return (ys[i-1] + ys[i]) / 2
	}
	return y
}

// boundOf is the bound of a multipolygon's outer rings.
func boundOf(mp orb.MultiPolygon) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, pg := range mp {
		if len(pg) == 0 {
			continue
		}
		for _, p := range pg[0] {
			b.Min[0], b.Min[1] = min(b.Min[0], p[0]), min(b.Min[1], p[1])
			b.Max[0], b.Max[1] = max(b.Max[0], p[0]), max(b.Max[1], p[1])
		}
	}
	return b
}

func cosDeg(lat float64) float64 { return math.Cos(lat * math.Pi / 180) }
