package aggregate

import (
	"sync/atomic"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/tiles/featjson"
)

// Layer counts per area code of one level of a city. Counters are atomics, so Add from many
// goroutines never waits; Version tells readers (tile caches) that something changed.
type Layer struct {
	city    *city.City
	level   city.Level
	areas   []*city.Area
	index   map[string]int // code → position in areas and counts
	counts  []atomic.Int64
	version atomic.Uint64
	dropped atomic.Int64
}

// NewLayer makes a layer of zero counts for the areas of level lv of c.
func NewLayer(c *city.City, lv city.Level) *Layer {
	areas := c.Layer(lv)
	l := &Layer{city: c, level: lv, areas: areas, index: make(map[string]int, len(areas)), counts: make([]atomic.Int64, len(areas))}
	for i, a := range areas {
		l.index[a.Code] = i
	}
	return l
}

// Level returns the level the layer counts.
func (l *Layer) Level() city.Level { return l.level }

// City returns the city the layer counts for.
func (l *Layer) City() *city.City { return l.city }

// Add adds delta to the count of code. A code that is no area of the layer's level is not
// counted (Dropped tells how many such calls there were): a projection that sends the wrong
// level is a bug to see, not a count to invent an area for.
func (l *Layer) Add(code string, delta int64) {
	i, ok := l.index[code]
	if !ok {
		l.dropped.Add(1)
		return
	}
	if delta == 0 {
		return
	}
	l.counts[i].Add(delta)
	l.version.Add(1)
}

// Set sets the count of code to n (rebuilding a projection, say). Unknown codes are dropped
// as in Add; setting the count it already has is no change and leaves Version alone.
func (l *Layer) Set(code string, n int64) {
	i, ok := l.index[code]
	if !ok {
		l.dropped.Add(1)
		return
	}
	if l.counts[i].Swap(n) != n {
		l.version.Add(1)
	}
}

// Get returns the count of code (0 for an unknown code).
func (l *Layer) Get(code string) int64 {
	if i, ok := l.index[code]; ok {
		return l.counts[i].Load()
	}
	return 0
}

// Snapshot returns the non-zero counts by code. Each count is read atomically; the whole is
// not one instant if writers are busy, and the Version read before the call is a lower bound
// of what it holds.
func (l *Layer) Snapshot() map[string]int64 {
	m := map[string]int64{}
	for i := range l.counts {
		if n := l.counts[i].Load(); n != 0 {
			m[l.areas[i].Code] = n
		}
	}
	return m
}

// Version counts the changes: it increases with every Add of a non-zero delta and every Set
// that changes a count, and never otherwise.
func (l *Layer) Version() uint64 { return l.version.Load() }

// Dropped returns how many Add and Set calls named a code that is no area of the level.
func (l *Layer) Dropped() int64 { return l.dropped.Load() }

// GeoJSON returns the level's areas as a FeatureCollection of their WGS84 polygons with the
// properties code, name, level, parent, generated and count (zero counts included, so a
// choropleth has every area).
func (l *Layer) GeoJSON() ([]byte, error) {
	w := featjson.New()
	for i, a := range l.areas {
		w.Feature(a.Geometry,
			featjson.Prop{Key: "code", Value: a.Code},
			featjson.Prop{Key: "name", Value: a.Name},
			featjson.Prop{Key: "level", Value: string(a.Level)},
			featjson.Prop{Key: "parent", Value: a.Parent},
			featjson.Prop{Key: "generated", Value: a.Generated},
			featjson.Prop{Key: "count", Value: l.counts[i].Load()})
	}
	return w.Bytes(), nil
}
