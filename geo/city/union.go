package city

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
)

// union merges polygons that tile a region without overlapping (lattice pieces, generated
// grids) into the region's multipolygon. Because neighbours share their edges exactly (the
// lattice computes every crossing once), the union needs no general polygon clipping: every
// edge that appears in both directions is interior and cancels, and what remains is the
// region's boundary, which is traced into rings.
// With tidy, vertices left in the middle of straight lattice lines are dropped (for generated
// areas); without it every vertex of the input stays (for dissolving a file's polygons).
func union(parts []orb.Polygon, tidy bool) (orb.MultiPolygon, error) {
	type edge struct{ a, b orb.Point }
	var edges []edge
	alive := []bool{}
	at := map[edge]int{}
	for _, pg := range parts {
		for _, r := range pg {
			for i := 0; i+1 < len(r); i++ {
				e := edge{r[i], r[i+1]}
				if k, ok := at[edge{e.b, e.a}]; ok && alive[k] {
					alive[k] = false
					delete(at, edge{e.b, e.a})
					continue
				}
				at[e] = len(edges)
				edges, alive = append(edges, e), append(alive, true)
			}
		}
	}
	out := map[orb.Point][]int{}
	for k, e := range edges {
		if alive[k] {
			out[e.a] = append(out[e.a], k)
		}
	}
	// Trace with the left-most turn at every vertex where several boundary edges leave: that
	// keeps the region on the left and splits a boundary that touches itself at a vertex into
	// separate simple rings (two grids meeting at a corner, a hole touching its shell).
	var outers, holes []orb.Ring
	for s := range edges {
		if !alive[s] {
			continue
		}
		alive[s] = false
		ring := orb.Ring{edges[s].a, edges[s].b}
		for cur := s; ; {
			in := edges[cur]
			best, bestTurn := -1, math.Inf(-1)
			for _, k := range out[in.b] {
				if !alive[k] && k != s {
					continue
				}
				if t := turn(in.a, in.b, edges[k].b); t > bestTurn {
					best, bestTurn = k, t
				}
			}
			if best < 0 {
				return nil, errors.New("union: boundary does not close")
			}
			if best == s {
				break
			}
			alive[best] = false
			ring = append(ring, edges[best].b)
			cur = best
		}
		if tidy {
			ring = dropStraightLatticeVertices(ring)
		}
		switch a := signedArea(ring); {
		case a > 0:
			outers = append(outers, ring)
		case a < 0:
			holes = append(holes, ring)
		}
	}
	return orb.MultiPolygon(withHoles(outers, holes)), nil
}

// turn is the signed angle from direction a→b to b→c: positive to the left.
func turn(a, b, c orb.Point) float64 {
	ux, uy := b[0]-a[0], b[1]-a[1]
	vx, vy := c[0]-b[0], c[1]-b[1]
	return math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
}

// dropStraightLatticeVertices removes the vertices the union leaves in the middle of straight
// runs along a lattice line (where neighbouring cells met): the same x or y exactly on both
// sides. Other vertices are kept, so the boundary stays the data's boundary. The ring is
// closed on input and output.
func dropStraightLatticeVertices(r orb.Ring) orb.Ring {
	pts := r[:len(r)-1]
	n := len(pts)
	keep := make([]orb.Point, 0, n+1)
	for i := range pts {
		p, v, q := pts[(i+n-1)%n], pts[i], pts[(i+1)%n]
		if (p[0] == v[0] && v[0] == q[0]) || (p[1] == v[1] && v[1] == q[1]) {
			continue
		}
		keep = append(keep, v)
	}
	if len(keep) < 3 {
		return r
	}
	return append(keep, keep[0])
}
