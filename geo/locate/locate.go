package locate

import (
	"github.com/chengyun/chengyun/geo/city"
	"github.com/paulmach/orb"
)

// Location is where a point lies: the codes of its areas, finest last. Codes of levels the
// city does not have (or finer than the area found) are empty.
type Location struct {
	District, Street, Community, Grid string
	Inside                            bool // the point is inside some district
}

// Index answers Locate for one city. It is read-only once built, so any number of goroutines
// may share it.
type Index struct {
	frame  frame
	levels []levelIndex // finest first
}

type levelIndex struct {
	level city.Level
	lat   *lattice
	locs  []Location // per area of the level, its whole answer, so Locate copies, never builds
}

// New indexes the city. It takes time proportional to the number of areas and edges (a few
// hundred milliseconds for tens of thousands of areas).
func New(c *city.City) *Index {
	ix := &Index{}
	var bound orb.Bound
	first := true
	var finest []*city.Area
	for i := len(city.Levels) - 1; i >= 0; i-- {
		for _, a := range c.Layer(city.Levels[i]) {
			if first {
				bound, first = a.Bound, false
			}
			bound = bound.Union(a.Bound)
		}
		if finest == nil {
			finest = c.Layer(city.Levels[i])
		}
	}
	ix.frame = newFrame(bound, len(finest))
	for i := len(city.Levels) - 1; i >= 0; i-- {
		lv := city.Levels[i]
		areas := c.Layer(lv)
		if len(areas) == 0 {
			continue
		}
		geoms := make([]orb.MultiPolygon, len(areas))
		locs := make([]Location, len(areas))
		for k, a := range areas {
			geoms[k] = a.Geometry
			locs[k] = locationOf(c, a)
		}
		lat := newLattice(newGeom(geoms), &ix.frame)
		ix.levels = append(ix.levels, levelIndex{level: lv, lat: lat, locs: locs})
	}
	ix.markFinal()
	return ix
}

// markFinal flags the buckets where a miss needs no look at coarser levels because none of
// them reaches into the bucket: outside the city that is every bucket, so a point there costs
// one lookup, not one per level.
func (ix *Index) markFinal() {
	for bi := range ix.frame.nx * ix.frame.ny {
		coarser := false
		for i := len(ix.levels) - 1; i >= 0; i-- {
			l := ix.levels[i].lat
			if !coarser && l.cells[bi]&fullBit == 0 {
				l.cells[bi] |= finalBit
			}
			coarser = coarser || l.occupied(bi)
		}
	}
}

// locationOf walks an area's parents by code and fills in its Location.
func locationOf(c *city.City, a *city.Area) Location {
	loc := Location{Inside: true}
	for depth := 0; a != nil && depth < len(city.Levels); depth++ { // depth: bad data may loop
		switch a.Level {
		case city.District:
			loc.District = a.Code
		case city.Street:
			loc.Street = a.Code
		case city.Community:
			loc.Community = a.Code
		case city.Grid:
			loc.Grid = a.Code
		}
		if a.Parent == "" {
			break
		}
		p := c.Area(a.Parent)
		if p == nil {
			// A parent the city does not list still has a known level: the next one out.
			setParent(&loc, a.Level, a.Parent)
			break
		}
		a = p
	}
	return loc
}

func setParent(loc *Location, child city.Level, code string) {
	switch child {
	case city.Grid:
		loc.Community = code
	case city.Community:
		loc.Street = code
	case city.Street:
		loc.District = code
	}
}

// Locate returns the areas containing p (lon, lat in WGS84). A point outside every area has
// Inside false and empty codes. It does not allocate.
func (ix *Index) Locate(p orb.Point) Location {
	bi := ix.frame.bucket(p)
	if bi < 0 {
		return Location{}
	}
	for i := range ix.levels {
		lv := &ix.levels[i]
		k, final := lv.lat.find(bi, p)
		if k >= 0 {
			return lv.locs[k]
		}
		if final {
			break
		}
	}
	return Location{}
}

// Level returns the finest level the index searches first ("" for a city with no areas).
func (ix *Index) Level() city.Level {
	if len(ix.levels) == 0 {
		return ""
	}
	return ix.levels[0].level
}
