package city

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// geomErr is a geometry problem; the caller adds file and feature.
type geomErr struct{ field, msg string }

// coordPath names a position or ring of a decoded geometry the way the file has it: a
// Polygon's coordinates have one index less than a MultiPolygon's.
type coordPath bool // true: MultiPolygon

func (m coordPath) at(idx ...int) string {
	if !m {
		idx = idx[1:]
	}
	s := "geometry.coordinates"
	for _, i := range idx {
		s += fmt.Sprintf("[%d]", i)
	}
	return s
}

// checkPositions checks what must hold before any conversion: enough positions, finite and in
// range, closed rings.
func checkPositions(mp orb.MultiPolygon, path coordPath) *geomErr {
	for pi, pg := range mp {
		if len(pg) == 0 {
			return &geomErr{path.at(pi), "polygon has no rings"}
		}
		for ri, r := range pg {
			for vi, p := range r {
				for k, what := range [2]string{"longitude", "latitude"} {
					v, lim := p[k], 180.0
					if k == 1 {
						lim = 90
					}
					switch {
					case math.IsNaN(v):
						return &geomErr{path.at(pi, ri, vi, k), what + " is NaN"}
					case math.IsInf(v, 0) || v < -lim || v > lim:
						return &geomErr{path.at(pi, ri, vi, k), fmt.Sprintf("%s %v is out of range [-%v, %v]", what, v, lim, lim)}
					}
				}
			}
			if len(r) < 4 {
				return &geomErr{path.at(pi, ri), fmt.Sprintf("ring has %d positions; a closed ring needs at least 4", len(r))}
			}
			if r[0] != r[len(r)-1] {
				return &geomErr{path.at(pi, ri), fmt.Sprintf("ring is not closed: first position %v, last %v", r[0], r[len(r)-1])}
			}
		}
	}
	return nil
}

// normalise drops repeated consecutive positions, refuses degenerate and self-intersecting
// rings and orients rings the RFC 7946 way (outer counter-clockwise, holes clockwise), which
// the lattice cutter and the union rely on: interior is always left of an edge.
func normalise(mp orb.MultiPolygon, path coordPath) *geomErr {
	for pi, pg := range mp {
		for ri, r := range pg {
			if pg[ri] = slices.Compact(r); len(pg[ri]) < 4 {
				return &geomErr{path.at(pi, ri), "ring is degenerate: fewer than 3 distinct positions"}
			}
		}
		// crossings first: a symmetric bowtie also has zero area, but "crosses" says what is wrong
		if e := checkSimple(pg); e != nil {
			return &geomErr{path.at(append([]int{pi}, e.at...)...), e.msg}
		}
		for ri, r := range pg {
			a := signedArea(r)
			if a == 0 {
				return &geomErr{path.at(pi, ri), "ring is degenerate: it encloses no area"}
			}
			if outer := ri == 0; (a > 0) != outer {
				slices.Reverse(r)
			}
		}
	}
	return nil
}

// simpleErr names the ring and edge (its first position) where a conflict starts.
type simpleErr struct {
	at  []int
	p   orb.Point
	msg string
}

// dissolve merges the polygons of a MultiPolygon that share edges (the DataV districts come
// with enclaves as separate polygons fitted into notches of the main one) and then checks that
// the polygons only touch: no crossing edges, none inside another. The lattice cutter and the
// containment tests need polygons that do not overlap.
func dissolve(mp orb.MultiPolygon) (orb.MultiPolygon, *geomErr) {
	if len(mp) < 2 {
		return mp, nil
	}
	out, err := union(mp, false)
	if err != nil {
		return nil, &geomErr{"geometry.coordinates", "the polygons of the MultiPolygon overlap"}
	}
	var all orb.Polygon
	for _, pg := range out {
		all = append(all, pg...)
	}
	if e := checkSimple(all); e != nil {
		return nil, &geomErr{"geometry.coordinates", fmt.Sprintf("the polygons of the MultiPolygon cross or overlap near %s", fmtPoint(e.p))}
	}
	for i, pg := range out {
		p := interiorPoint(orb.MultiPolygon{pg})
		for j, q := range out {
			if i != j && polygonContains(q, p) {
				return nil, &geomErr{"geometry.coordinates", fmt.Sprintf("the polygons of the MultiPolygon overlap near %s", fmtPoint(p))}
			}
		}
	}
	return out, nil
}

type segment struct {
	a, b       orb.Point
	ring, idx  int
	minX, maxX float64
}

// checkSimple finds crossing edges among a polygon's rings with a sweep over edges sorted by
// their west end: each edge is only compared with the edges whose x-range overlaps it, which
// is close to linear for map outlines. A ring may not cross or touch itself; different rings
// may touch at a point (a hole touching its shell) but not cross or share an edge.
func checkSimple(pg orb.Polygon) *simpleErr {
	var segs []segment
	for ri, r := range pg {
		for i := 0; i+1 < len(r); i++ {
			segs = append(segs, segment{r[i], r[i+1], ri, i, min(r[i][0], r[i+1][0]), max(r[i][0], r[i+1][0])})
		}
	}
	slices.SortFunc(segs, func(s, t segment) int { return cmp.Compare(s.minX, t.minX) })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			if msg := segmentConflict(pg, s, &segs[j]); msg != "" {
				first, second := s, &segs[j]
				if first.ring > second.ring || (first.ring == second.ring && first.idx > second.idx) {
					first, second = second, first
				}
				return &simpleErr{at: []int{first.ring, first.idx}, p: first.a, msg: fmt.Sprintf(msg, first.ring, first.idx, second.ring, second.idx)}
			}
		}
	}
	return nil
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment: c, collinear with a-b, lies within its box.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// segmentConflict returns a format for (ring, edge, ring, edge) when two edges conflict.
func segmentConflict(pg orb.Polygon, s, t *segment) string {
	if max(s.a[1], s.b[1]) < min(t.a[1], t.b[1]) || max(t.a[1], t.b[1]) < min(s.a[1], s.b[1]) {
		return ""
	}
	sameRing := s.ring == t.ring
	if sameRing {
		n := len(pg[s.ring]) - 1
		if d := (s.idx - t.idx + n) % n; d == 1 || d == n-1 {
			// neighbours share a vertex; they conflict only when they fold back onto each other
			u, v, w := s.a, s.b, t.b
			if d == 1 { // t comes first
				u, v, w = t.a, t.b, s.b
			}
			if orient(u, v, w) == 0 && (u[0]-v[0])*(w[0]-v[0])+(u[1]-v[1])*(w[1]-v[1]) > 0 {
				return "ring %d folds back on itself at edges %d and %[4]d"
			}
			return ""
		}
	}
	o1, o2 := orient(s.a, s.b, t.a), orient(s.a, s.b, t.b)
	o3, o4 := orient(t.a, t.b, s.a), orient(t.a, t.b, s.b)
	if o1*o2 < 0 && o3*o4 < 0 {
		return "ring %d edge %d crosses ring %d edge %d"
	}
	if o1 == 0 && o2 == 0 { // collinear: sharing more than a point is an overlap
		if overlapLength(s, t) > 0 {
			return "ring %d edge %d overlaps ring %d edge %d"
		}
	}
	touch := (o1 == 0 && onSegment(s.a, s.b, t.a)) || (o2 == 0 && onSegment(s.a, s.b, t.b)) ||
		(o3 == 0 && onSegment(t.a, t.b, s.a)) || (o4 == 0 && onSegment(t.a, t.b, s.b))
	if !touch {
		return ""
	}
	if sameRing {
		return "ring %d edge %d touches ring %d edge %d (a ring may not touch itself)"
	}
	// Different rings may touch, but not cross through the touching vertex: the vertex's two
	// neighbours must be on the same side of the edge it lies on.
	if crossesAtVertex(pg, s, t) || crossesAtVertex(pg, t, s) {
		return "ring %d edge %d crosses ring %d edge %d at a vertex"
	}
	return ""
}

// crossesAtVertex: an end of s lies inside edge t and the ring of s passes from one side of t
// to the other there.
func crossesAtVertex(pg orb.Polygon, s, t *segment) bool {
	r := pg[s.ring]
	n := len(r) - 1
	for _, k := range [2]int{s.idx, s.idx + 1} {
		v := r[k%n]
		if v == t.a || v == t.b || orient(t.a, t.b, v) != 0 || !onSegment(t.a, t.b, v) {
			continue
		}
		prev, next := r[(k-1+n)%n], r[(k+1)%n]
		if orient(t.a, t.b, prev)*orient(t.a, t.b, next) < 0 {
			return true
		}
	}
	return false
}

func overlapLength(s, t *segment) float64 {
	k := 0 // project on the axis the segment extends more along
	if math.Abs(s.b[1]-s.a[1]) > math.Abs(s.b[0]-s.a[0]) {
		k = 1
	}
	lo := max(min(s.a[k], s.b[k]), min(t.a[k], t.b[k]))
	hi := min(max(s.a[k], s.b[k]), max(t.a[k], t.b[k]))
	return hi - lo
}

// Normalize checks a WGS84 multipolygon the way Load checks the areas of a layer file
// (positions, closed and simple rings, polygons that do not overlap) and returns it
// normalised: rings oriented, polygons that share edges dissolved. Problems are *Error naming
// the field.
func Normalize(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	mp = mp.Clone()
	path := coordPath(true)
	if e := checkPositions(mp, path); e != nil {
		return nil, &Error{Field: e.field, Msg: e.msg}
	}
	if e := normalise(mp, path); e != nil {
		return nil, &Error{Field: e.field, Msg: e.msg}
	}
	out, e := dissolve(mp)
	if e != nil {
		return nil, &Error{Field: e.field, Msg: e.msg}
	}
	return out, nil
}
