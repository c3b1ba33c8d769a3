// Package city is the city model: a city is a folder with a city.yaml and GeoJSON layers for
// its districts (区), streets (街道), communities (社区) and grids (网格), nested in that order.
// Everything inside is WGS84; files in another coordinate system are converted on load.
package city

import "github.com/paulmach/orb"

// Level is a layer of the city's nesting.
type Level string

// The levels, outermost first.
const (
	District  Level = "district"
	Street    Level = "street"
	Community Level = "community"
	Grid      Level = "grid"
)

// Levels lists the levels outermost first.
var Levels = []Level{District, Street, Community, Grid}

// Area is one polygon of the city model.
type Area struct {
	Code      string           // unique within the city, e.g. "420102001" (street), "420102001001003" (grid)
	Name      string           // e.g. "江岸区", "大智街道"; generated areas get a generated name
	Level     Level            //
	Parent    string           // code of the area of the next level out ("" for districts)
	Geometry  orb.MultiPolygon // WGS84, closed rings, outer rings counter-clockwise
	Bound     orb.Bound        // of Geometry
	Generated bool             // the geometry was generated, not surveyed (properties say so)
	Props     map[string]any   // the feature's other properties, kept for the map layers
}

// City is a loaded, validated city.
type City struct {
	Name     string    // e.g. "武汉市"
	NameEN   string    // e.g. "Wuhan"
	Code     string    // e.g. "420100"
	Center   orb.Point // map center, WGS84
	Zoom     float64   // initial map zoom
	Calendar string    // calendar file of the city folder, e.g. "calendar.yaml"
	// Areas by level, in a stable order (sorted by code).
	Districts, Streets, Communities, Grids []*Area
	byCode                                 map[string]*Area
	spatial                                map[Level]*spatialIndex // for At
}

// Area returns the area with code, or nil.
func (c *City) Area(code string) *Area { return c.byCode[code] }

// Layer returns the areas of level l.
func (c *City) Layer(l Level) []*Area {
	switch l {
	case District:
		return c.Districts
	case Street:
		return c.Streets
	case Community:
		return c.Communities
	case Grid:
		return c.Grids
	}
	return nil
}

// Bound is the bound of all districts.
func (c *City) Bound() orb.Bound {
	b := orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}}
	for i, d := range c.Districts {
		if i == 0 {
			b = d.Bound
		} else {
			b = b.Union(d.Bound)
		}
	}
	return b
}

// Index builds the code lookup and the point lookup (At); loaders call it once the layers are
// set.
func (c *City) Index() {
	c.byCode = make(map[string]*Area, len(c.Districts)+len(c.Streets)+len(c.Communities)+len(c.Grids))
	c.spatial = make(map[Level]*spatialIndex, len(Levels))
	for _, l := range Levels {
		for _, a := range c.Layer(l) {
			c.byCode[a.Code] = a
		}
		c.spatial[l] = newSpatialIndex(c.Layer(l))
	}
}
