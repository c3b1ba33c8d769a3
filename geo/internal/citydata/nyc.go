package main

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/geo/city"
)

const nycSource = "GitHub ThursdaysFamous/DistrictExplorer-NYC data/borough-boundaries.geojson (NYC Open Data), simplified by geo/internal/citydata"

// nyc simplifies the five boroughs. Simplifying each borough on its own would move the two
// copies of a shared boundary (Brooklyn–Queens, the Harlem River) differently and open gaps
// and overlaps between boroughs; so rings are first cut into arcs at the vertices where the
// set of boroughs sharing them changes, each distinct arc is simplified once, and the rings
// are put back together from the simplified arcs.
func nyc(in, out string, toleranceM float64) error {
	feats, err := readFeatures(filepath.Join(in, "boroughs.geojson"))
	if err != nil {
		return err
	}
	// 6 decimals (0.1 m) removes the float noise between the two copies of shared vertices
	// (they differ in the 14th digit in the source), so they become identical
	var rings []orb.Ring // all rings, open (no repeated first point)
	for _, f := range feats {
		for _, pg := range f.geom {
			for _, r := range pg {
				open := make(orb.Ring, 0, len(r))
				for _, p := range r[:len(r)-1] {
					q := orb.Point{round6(p[0]), round6(p[1])}
					if len(open) == 0 || open[len(open)-1] != q {
						open = append(open, q)
					}
				}
				for len(open) > 1 && open[0] == open[len(open)-1] {
					open = open[:len(open)-1]
				}
				rings = append(rings, open)
			}
		}
	}
	simplified, err := simplifyValid(rings, toleranceM/111320)
	if err != nil {
		return err
	}
	var areas []*city.Area
	k := 0
	for _, f := range feats {
		var mp orb.MultiPolygon
		for _, pg := range f.geom {
			var npg orb.Polygon
			for ri := range pg {
				r := simplified[k]
				k++
				if len(r) < 3 {
					if ri == 0 {
						k += len(pg) - 1 // the outer ring collapsed: drop the whole (tiny) polygon
						break
					}
					continue
				}
				npg = append(npg, append(r, r[0]))
			}
			if len(npg) > 0 {
				mp = append(mp, npg)
			}
		}
		code := fmt.Sprint(f.props["borocode"])
		areas = append(areas, &city.Area{Code: code, Name: fmt.Sprint(f.props["boroname"]), Level: city.District, Geometry: mp,
			Props: map[string]any{"source": nycSource}})
	}
	slices.SortFunc(areas, func(a, b *city.Area) int { return strings.Compare(a.Code, b.Code) })
	return write(filepath.Join(out, "boroughs.geojson"), areas, city.GeoJSONOptions{Code: "borocode", Name: "boroname"})
}

// simplifyValid simplifies and then halves the tolerance of every arc of a ring that came
// out self-intersecting, until all rings are valid: Douglas–Peucker alone can make a narrow
// inlet cross itself.
func simplifyValid(rings []orb.Ring, tol float64) ([]orb.Ring, error) {
	arcs, refs := topology(rings)
	tols := map[string]float64{}
	for key := range arcs {
		tols[key] = tol
	}
	for round := 0; round < 30; round++ {
		out, owner := simplifyTopology(arcs, refs, tols)
		bad := 0
		for k, r := range out {
			if len(r) < 3 {
				continue // a collapsed islet: dropped
			}
			if _, err := city.Normalize(orb.MultiPolygon{{append(slices.Clone(r), r[0])}}); err != nil {
				bad++
				lowered := map[string]bool{}
				for _, i := range crossingEdges(r) {
					for _, v := range []int{i, (i + 1) % len(r)} {
						if key := refs[k][owner[k][v]].key; !lowered[key] {
							tols[key] /= 2
							lowered[key] = true
						}
					}
				}
				if len(lowered) == 0 { // not a crossing the quick test sees: lower the whole ring
					for _, ref := range refs[k] {
						tols[ref.key] /= 2
					}
				}
			}
		}
		if bad == 0 {
			return out, nil
		}
		log.Printf("nyc: %d rings self-intersect after simplification; halving their tolerance", bad)
	}
	return nil, fmt.Errorf("rings still self-intersect after 30 rounds")
}

// arcRef is an arc of a ring: its canonical key and whether the ring runs it backwards.
type arcRef struct {
	key string
	rev bool
}

// topology cuts open rings into arcs: stretches shared by the same set of rings, cut at the
// vertices where that set changes. A shared stretch is one arc, stored once (in a canonical
// direction) and referenced by every ring that runs along it.
func topology(rings []orb.Ring) (map[string][]orb.Point, [][]arcRef) {
	owners := map[orb.Point][]int{}
	for k, r := range rings {
		for _, p := range r {
			if o := owners[p]; len(o) == 0 || o[len(o)-1] != k {
				owners[p] = append(o, k)
			}
		}
	}
	sig := func(p orb.Point) string { return fmt.Sprint(owners[p]) }
	arcs := map[string][]orb.Point{}
	refs := make([][]arcRef, len(rings))
	for k, r := range rings {
		n := len(r)
		var breaks []int
		for i := range n {
			s := sig(r[i])
			if len(owners[r[i]]) > 2 || s != sig(r[(i+n-1)%n]) || s != sig(r[(i+1)%n]) || milestone(r[i]) {
				breaks = append(breaks, i)
			}
		}
		if len(breaks) == 0 { // a ring of its own (an island): anchor it at 0 and its farthest point
			far := 0
			for i := range n {
				if dist2(r[0], r[i]) > dist2(r[0], r[far]) {
					far = i
				}
			}
			breaks = []int{0, far}
		}
		for b := range breaks {
			from, to := breaks[b], breaks[(b+1)%len(breaks)]
			if to <= from {
				to += n
			}
			arc := make([]orb.Point, 0, to-from+1)
			for i := from; i <= to; i++ {
				arc = append(arc, r[i%n])
			}
			rev := less(arc[len(arc)-1], arc[0])
			if rev {
				slices.Reverse(arc)
			}
			key := fmt.Sprint(arc)
			arcs[key] = arc
			refs[k] = append(refs[k], arcRef{key, rev})
		}
	}
	return arcs, refs
}

// simplifyTopology simplifies every arc once with its own tolerance (degrees of latitude) and
// rebuilds the open rings; neighbours get exactly the same points on their shared boundary.
// owner[k][i] is the index in refs[k] of the arc that gave ring k its point i.
func simplifyTopology(arcs map[string][]orb.Point, refs [][]arcRef, tol map[string]float64) (out []orb.Ring, owner [][]int) {
	simple := make(map[string][]orb.Point, len(arcs))
	for key, arc := range arcs {
		keep := douglasPeucker(arc, tol[key])
		for i, p := range arc {
			if keep[i] {
				simple[key] = append(simple[key], p)
			}
		}
	}
	out, owner = make([]orb.Ring, len(refs)), make([][]int, len(refs))
	for k, rs := range refs {
		for a, ref := range rs {
			s := simple[ref.key]
			if ref.rev {
				s = slices.Clone(s)
				slices.Reverse(s)
			}
			out[k] = append(out[k], s[:len(s)-1]...)
			for range len(s) - 1 {
				owner[k] = append(owner[k], a)
			}
		}
	}
	return out, owner
}

// crossingEdges returns the start indices of edges of an open ring that cross or touch a
// non-adjacent edge. Quadratic, but only run on the few rings the validator refused.
func crossingEdges(r orb.Ring) []int {
	n := len(r)
	var out []int
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		for j := i + 2; j < n; j++ {
			if (j+1)%n == i {
				continue
			}
			c, d := r[j], r[(j+1)%n]
			o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
			if o1*o2 <= 0 && o3*o4 <= 0 && max(a[0], b[0]) >= min(c[0], d[0]) && max(c[0], d[0]) >= min(a[0], b[0]) &&
				max(a[1], b[1]) >= min(c[1], d[1]) && max(c[1], d[1]) >= min(a[1], b[1]) {
				out = append(out, i, j)
			}
		}
	}
	return out
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// milestone picks about one vertex in 64 by its coordinates alone, as an extra arc break:
// arcs stay short (so a tolerance is lowered only where needed), and both rings along a
// shared boundary pick the same vertices.
func milestone(p orb.Point) bool {
	h := fnv.New32a()
	_ = binary.Write(h, binary.LittleEndian, p)
	return h.Sum32()%64 == 0
}

func less(a, b orb.Point) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }

// douglasPeucker marks the points to keep so that no dropped point is farther than tol from
// the kept polyline; distances are measured with longitude scaled by cos(latitude).
func douglasPeucker(pts []orb.Point, tol float64) []bool {
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(pts) - 1}}
	c := math.Cos(pts[0][1] * math.Pi / 180)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, farD := -1, tol*tol
		for i := s.a + 1; i < s.b; i++ {
			if d := segDist2(pts[i], pts[s.a], pts[s.b], c); d > farD {
				far, farD = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{s.a, far}, span{far, s.b})
		}
	}
	return keep
}

func segDist2(p, a, b orb.Point, c float64) float64 {
	px, py := (p[0]-a[0])*c, p[1]-a[1]
	bx, by := (b[0]-a[0])*c, b[1]-a[1]
	l := bx*bx + by*by
	t := 0.0
	if l > 0 {
		t = max(0, min(1, (px*bx+py*by)/l))
	}
	dx, dy := px-t*bx, py-t*by
	return dx*dx + dy*dy
}

func dist2(a, b orb.Point) float64 { return (a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) }
