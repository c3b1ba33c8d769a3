package testcity

import "github.com/paulmach/orb"

// vtx is a lattice vertex.
type vtx struct{ i, j int }

// edge is a unit lattice edge directed so the area lies on its left: outer rings come out
// counter-clockwise, holes clockwise.
type edge struct{ a, b vtx }

// boundaries returns, per area id, the lattice edges between its cells and other cells.
func (b *builder) boundaries(ids []int) map[int][]edge {
	out := map[int][]edge{}
	at := func(i, j int) int {
		if i < 0 || j < 0 || i >= b.o.NX || j >= b.o.NY {
			return -1
		}
		return ids[b.cell(i, j)]
	}
	for j := 0; j < b.o.NY; j++ {
		for i := 0; i < b.o.NX; i++ {
			id := at(i, j)
			if id < 0 {
				continue
			}
			if at(i, j-1) != id {
				out[id] = append(out[id], edge{vtx{i, j}, vtx{i + 1, j}})
			}
			if at(i+1, j) != id {
				out[id] = append(out[id], edge{vtx{i + 1, j}, vtx{i + 1, j + 1}})
			}
			if at(i, j+1) != id {
				out[id] = append(out[id], edge{vtx{i + 1, j + 1}, vtx{i, j + 1}})
			}
			if at(i-1, j) != id {
				out[id] = append(out[id], edge{vtx{i, j + 1}, vtx{i, j}})
			}
		}
	}
	return out
}

// multiPolygon chains an area's boundary edges into rings and nests the holes in their outer
// rings. Every lattice vertex is kept (no merging of straight runs), so a shared border has
// the same vertices on both sides.
func (b *builder) multiPolygon(edges []edge) orb.MultiPolygon {
	from := map[vtx][]int{}
	for k, e := range edges {
		from[e.a] = append(from[e.a], k)
	}
	used := make([]bool, len(edges))
	var outers, holes [][]vtx
	for k := range edges {
		if used[k] {
			continue
		}
		ring := []vtx{edges[k].a}
		cur := k
		for {
			used[cur] = true
			e := edges[cur]
			ring = append(ring, e.b)
			if e.b == ring[0] {
				break
			}
			cur = next(e, from[e.b], edges, used)
		}
		if area2(ring) > 0 {
			outers = append(outers, ring)
		} else {
			holes = append(holes, ring)
		}
	}
	polys := make([]orb.Polygon, len(outers))
	for k, r := range outers {
		polys[k] = orb.Polygon{b.ring(r)}
	}
	for _, h := range holes {
		// A point a quarter cell to the left of the hole's first edge is in the area, so the
		// smallest outer ring around it is the hole's.
		a, c := h[0], h[1]
		dx, dy := float64(c.i-a.i), float64(c.j-a.j)
		px, py := (float64(a.i+c.i))/2-dy*0.25, (float64(a.j+c.j))/2+dx*0.25
		best, ba := -1, 0
		for k, r := range outers {
			if inRing(r, px, py) && (best < 0 || area2(r) < ba) {
				best, ba = k, area2(r)
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], b.ring(h))
		}
	}
	return orb.MultiPolygon(polys)
}

// next picks the unused edge leaving a vertex, preferring the sharpest left turn, so two cells
// touching only at a corner give two rings rather than one figure eight.
func next(in edge, out []int, edges []edge, used []bool) int {
	dx, dy := in.b.i-in.a.i, in.b.j-in.a.j
	best, score := -1, -2
	for _, k := range out {
		if used[k] {
			continue
		}
		ex, ey := edges[k].b.i-edges[k].a.i, edges[k].b.j-edges[k].a.j
		s := dx*ey - dy*ex // +1 left, 0 straight, -1 right
		if s > score {
			best, score = k, s
		}
	}
	return best
}

func (b *builder) ring(vs []vtx) orb.Ring {
	r := make(orb.Ring, len(vs))
	for k, v := range vs {
		r[k] = b.point(v.i, v.j)
	}
	return r
}

// area2 is twice the signed area of a closed lattice ring.
func area2(r []vtx) int {
	s := 0
	for k := 1; k < len(r); k++ {
		s += r[k-1].i*r[k].j - r[k].i*r[k-1].j
	}
	return s
}

func inRing(r []vtx, px, py float64) bool {
	in := false
	for k := 1; k < len(r); k++ {
		ax, ay, bx, by := float64(r[k-1].i), float64(r[k-1].j), float64(r[k].i), float64(r[k].j)
		if (ay > py) != (by > py) && px < ax+(py-ay)*(bx-ax)/(by-ay) {
			in = !in
		}
	}
	return in
}
