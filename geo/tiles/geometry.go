package tiles

import (
	"sync/atomic"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// levelGeom is the tiling geometry of one level, shared by its boundary layer and by every
// aggregate layer of the same level.
type levelGeom struct {
	level city.Level
	feats []*feature // in the city's order: by code
	tree  *rtree     // over the features' world bounds
	bound orb.Bound  // world bound of all features
}

// feature is one area projected to world coordinates, with its simplified geometry per zoom
// made on first use. Simplifying per area (not per tile) means a cold tile pays only for the
// areas it shows, and the result is shared by all the tiles of that zoom.
type feature struct {
	area  *city.Area
	world orb.MultiPolygon // full detail; never modified after New
	wb    orb.Bound
	simp  [DetailZoom + 1]atomic.Pointer[orb.MultiPolygon]
}

// DetailZoom is the deepest zoom with its own simplification; deeper tiles over-zoom: they
// cut the z16 geometry finer but add no detail (at z16 a 4096 extent is ~2 cm at Wuhan).
const DetailZoom = 16

func newLevelGeom(lv city.Level, areas []*city.Area) *levelGeom {
	g := &levelGeom{level: lv, feats: make([]*feature, len(areas))}
	bounds := make([]orb.Bound, len(areas))
	for i, a := range areas {
		w := projectMultiPolygon(a.Geometry)
		f := &feature{area: a, world: w, wb: w.Bound()}
		g.feats[i], bounds[i] = f, f.wb
		if i == 0 {
			g.bound = f.wb
		} else {
			g.bound = g.bound.Union(f.wb)
		}
	}
	g.tree = newRTree(bounds)
	return g
}

// simplified returns the feature's geometry for zoom z (at most DetailZoom) simplified with
// Douglas–Peucker at tol extent units, or nil when it collapses at that zoom. Two goroutines
// may both compute it once; the result is the same, so either store wins.
func (f *feature) simplified(z uint32, tol float64) orb.MultiPolygon {
	if p := f.simp[z].Load(); p != nil {
		return *p
	}
	g := simplifyWorld(f.world, tol/(Extent*float64(uint64(1)<<z)))
	f.simp[z].Store(&g)
	return g
}

// simplifyWorld simplifies a copy of mp with threshold t (world units) and drops the rings
// and polygons that collapse below a triangle.
func simplifyWorld(mp orb.MultiPolygon, t float64) orb.MultiPolygon {
	dp := simplify.DouglasPeucker(t)
	var out orb.MultiPolygon
	for _, p := range mp {
		var np orb.Polygon
		for i, r := range p {
			s := dp.Ring(append(orb.Ring(nil), r...)) // DP works in place: never on f.world
			if len(s) < 4 {
				if i == 0 {
					break // the outer ring collapsed: so has the polygon
				}
				continue
			}
			np = append(np, s)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out
}
