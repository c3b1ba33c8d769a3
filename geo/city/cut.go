package city

import (
	"cmp"
	"errors"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// piece is the part of an area inside one lattice cell.
type piece struct {
	cell  int
	polys []orb.Polygon
	full  bool    // the whole cell
	km2   float64 // spherical area
}

// run is a stretch of a ring inside one cell, from the point where it enters the cell's
// rectangle to the point where it leaves.
type run struct{ pts []orb.Point }

var errTopology = errors.New("rings cross each other inside a lattice cell")

// cut splits a validated, oriented multipolygon into its pieces per lattice cell, ordered by
// cell. Cells the boundary passes through are assembled Weiler–Atherton style (runs joined
// along the cell's rectangle); cells it does not pass through are wholly in or wholly out,
// decided for a whole row at once by the crossings of the row's bottom line.
// orb/clip is not used: its Sutherland–Hodgman clipping joins the parts of a concave shape by
// zero-width bridges along the rectangle, which are invalid rings.
func (lt *lattice) cut(mp orb.MultiPolygon) ([]piece, error) {
	runs := map[int][]run{}
	closed := map[int][]orb.Ring{}
	for _, pg := range mp {
		for _, r := range pg {
			pts, kinds, err := lt.split(r)
			if err != nil {
				return nil, err
			}
			first := slices.IndexFunc(kinds, func(k int8) bool { return k != vertex })
			if first < 0 {
				c := lt.cellOf(pts[0])
				closed[c] = append(closed[c], r)
				continue
			}
			n := len(pts)
			cur := []orb.Point{pts[first]}
			for s := range n {
				k, k2 := (first+s)%n, (first+s+1)%n
				cur = append(cur, pts[k2])
				if kinds[k2] != vertex {
					c := lt.edgeCell(pts[k], pts[k2], kinds[k], kinds[k2])
					runs[c] = append(runs[c], run{cur})
					cur = []orb.Point{pts[k2]}
				}
			}
		}
	}
	b := mp.Bound()
	i0, i1 := index(lt.xs, b.Min[0]), index(lt.xs, b.Max[0])
	j0, j1 := index(lt.ys, b.Min[1]), index(lt.ys, b.Max[1])
	var out []piece
	var xs []float64
	for j := j0; j <= j1; j++ {
		xs = rowCrossings(mp, lt.ys[j], xs[:0])
		k := 0
		for i := i0; i <= i1; i++ {
			for k < len(xs) && xs[k] < lt.xs[i] {
				k++
			}
			id := j*lt.nx() + i
			inside := k%2 == 1 // the cell's south-west corner, and so the whole cell if no run enters it
			rs, cl := runs[id], closed[id]
			if len(rs) == 0 && len(cl) == 0 && !inside {
				continue
			}
			var outers, holes []orb.Ring
			if len(rs) == 0 && inside {
				outers = append(outers, lt.rect(id))
			}
			if len(rs) > 0 {
				rings, err := lt.assemble(id, rs)
				if err != nil {
					return nil, err
				}
				outers = append(outers, rings...)
			}
			for _, r := range cl {
				if signedArea(r) > 0 {
					outers = append(outers, r)
				} else {
					holes = append(holes, r)
				}
			}
			p := piece{cell: id, polys: withHoles(outers, holes), full: len(rs) == 0 && len(cl) == 0}
			for _, pg := range p.polys {
				p.km2 += geo.Area(pg) / 1e6
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// rowCrossings are the longitudes, ascending, where the edges of mp cross latitude y.
func rowCrossings(mp orb.MultiPolygon, y float64, xs []float64) []float64 {
	for _, pg := range mp {
		for _, r := range pg {
			for i := 0; i+1 < len(r); i++ {
				a, c := r[i], r[i+1]
				if (a[1] > y) != (c[1] > y) {
					if a[1] > c[1] {
						a, c = c, a
					}
					xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
				}
			}
		}
	}
	slices.Sort(xs)
	return xs
}

func (lt *lattice) rect(id int) orb.Ring {
	x0, y0, x1, y1 := lt.cellBound(id)
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// assemble joins the runs of one cell into counter-clockwise rings: after a run leaves the
// rectangle, the piece's boundary follows the rectangle counter-clockwise (the interior is on
// the left of both) to the next point where a run enters.
func (lt *lattice) assemble(id int, rs []run) ([]orb.Ring, error) {
	x0, y0, x1, y1 := lt.cellBound(id)
	w, h := x1-x0, y1-y0
	// position along the rectangle, counter-clockwise from the south-west corner; split points
	// lie exactly on a side, so the side is found by equality
	param := func(p orb.Point) float64 {
		switch {
		case p[1] == y0:
			return p[0] - x0
		case p[0] == x1:
			return w + p[1] - y0
		case p[1] == y1:
			return w + h + x1 - p[0]
		case p[0] == x0:
			return 2*w + h + y1 - p[1]
		}
		return math.NaN()
	}
	corners := [4]struct {
		t float64
		p orb.Point
	}{{0, orb.Point{x0, y0}}, {w, orb.Point{x1, y0}}, {w + h, orb.Point{x1, y1}}, {2*w + h, orb.Point{x0, y1}}}
	entries := make([]int, len(rs))
	enter := make([]float64, len(rs))
	for k, r := range rs {
		entries[k], enter[k] = k, param(r.pts[0])
		if math.IsNaN(enter[k]) || math.IsNaN(param(r.pts[len(r.pts)-1])) {
			return nil, errTopology
		}
	}
	slices.SortFunc(entries, func(a, b int) int { return cmp.Compare(enter[a], enter[b]) })
	used := make([]bool, len(rs))
	var rings []orb.Ring
	for start := range rs {
		if used[start] {
			continue
		}
		ring := orb.Ring(slices.Clone(rs[start].pts))
		used[start] = true
		for cur := start; ; {
			e := param(rs[cur].pts[len(rs[cur].pts)-1])
			n, found := slices.BinarySearchFunc(entries, e, func(k int, t float64) int { return cmp.Compare(enter[k], t) })
			if found {
				return nil, errTopology // a run enters where another leaves
			}
			next := entries[n%len(entries)]
			t := enter[next]
			for _, c := range corners { // corners passed on the way from e to t, in order
				if t > e && c.t > e && c.t < t {
					ring = append(ring, c.p)
				}
			}
			if t < e { // wrapped past the south-west corner
				for _, c := range corners {
					if c.t > e {
						ring = append(ring, c.p)
					}
				}
				for _, c := range corners {
					if c.t < t {
						ring = append(ring, c.p)
					}
				}
			}
			if next == start {
				ring = append(ring, ring[0])
				break
			}
			if used[next] {
				return nil, errTopology
			}
			used[next] = true
			ring = append(ring, rs[next].pts...)
			cur = next
		}
		rings = append(rings, ring)
	}
	return rings, nil
}

// withHoles makes polygons of outer rings and gives each hole to the smallest outer ring that
// contains it (a hole shares at most vertices with its shell, so the middle of its first
// edge is strictly inside the shell).
func withHoles(outers, holes []orb.Ring) []orb.Polygon {
	polys := make([]orb.Polygon, len(outers))
	areas := make([]float64, len(outers))
	for k, r := range outers {
		polys[k], areas[k] = orb.Polygon{r}, signedArea(r)
	}
	for _, h := range holes {
		m := orb.Point{(h[0][0] + h[1][0]) / 2, (h[0][1] + h[1][1]) / 2}
		best := -1
		for k, r := range outers {
			if ringContains(r, m) && (best < 0 || areas[k] < areas[best]) {
				best = k
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h)
		}
	}
	return polys
}
