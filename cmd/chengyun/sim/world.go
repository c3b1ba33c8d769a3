// Package sim is the demo city: a seeded, deterministic generator of a city's activity. It
// writes a history (a backfill of past days, decided by the real domain) and drives live
// activity through the public HTTP API, which makes it a load generator too.
package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
)

// World is what the simulator knows of a city: where people live (districts weighted by
// population, grids inside them) and what they report (category mixes per source).
type World struct {
	City      commands.City
	Model     *city.City
	index     *locate.Index
	districts []district
	weights   []float64 // cumulative district weights
	bySource  map[cases.Source]*mix
	lowGrids  []*city.Area // low-lying grids: where a rainstorm floods first
}

type district struct {
	area  *city.Area
	grids []*city.Area
}

// mix is a weighted choice of category codes.
type mix struct {
	codes []string
	cum   []float64
}

func (m *mix) pick(rng *rand.Rand) string {
	x := rng.Float64() * m.cum[len(m.cum)-1]
	i, _ := slices.BinarySearch(m.cum, x)
	return m.codes[min(i, len(m.codes)-1)]
}

// population is the resident population of each district in 10,000s, used as the weight of
// where reports come from: Wuhan's from the 2020 census, New York's boroughs' from the 2020
// US census, both rounded. A city not listed weighs its districts by their number of grids.
var population = map[string]map[string]float64{
	"420100": {"420102": 96, "420103": 65, "420104": 67, "420105": 84, "420106": 127, "420107": 53, "420111": 165,
		"420112": 86, "420113": 47, "420114": 75, "420115": 97, "420116": 115, "420117": 86},
	"nyc": {"1": 169, "2": 147, "3": 274, "4": 241, "5": 50},
}

// classWeights are the demo's category mixes by source, per 大类 (kind letter + major): what a
// 12345 hotline hears (housing and property, noise, market complaints lead) and what patrols
// and video find (street order and city appearance lead). Items share their class's weight
// evenly. A class not listed is left out of that source's mix; a catalog with none of these
// classes (another city's) draws uniformly from its categories.
var classWeights = map[cases.Source]map[string]float64{
	cases.SourceHotline: {"H01": 12, "H02": 8, "H03": 6, "H04": 10, "H05": 8, "H06": 5, "H07": 5, "H08": 18,
		"H09": 5, "H10": 4, "H11": 9, "H12": 10},
	cases.SourcePatrol: {"E01": 30, "E02": 8, "E03": 8, "E05": 22, "E06": 4, "P01": 8, "P02": 6, "P03": 6, "P04": 5, "P06": 3},
	cases.SourceVideo:  {"E01": 35, "E02": 10, "E03": 10, "E05": 35, "P02": 5, "P03": 5},
	cases.SourceSensor: {"P01": 50, "E04": 50},
}

// NewWorld prepares the simulator's view of a loaded city.
func NewWorld(c commands.City, model *city.City, index *locate.Index) *World {
	w := &World{City: c, Model: model, index: index, bySource: map[cases.Source]*mix{}}
	byDistrict := map[string]*district{}
	for _, d := range model.Districts {
		w.districts = append(w.districts, district{area: d})
	}
	for i := range w.districts {
		byDistrict[w.districts[i].area.Code] = &w.districts[i]
	}
	for _, g := range model.Grids {
		if d := byDistrict[districtOf(model, g)]; d != nil {
			d.grids = append(d.grids, g)
		}
	}
	pop := population[model.Code]
	total := 0.0
	for _, d := range w.districts {
		weight := pop[d.area.Code]
		if weight == 0 {
			weight = float64(len(d.grids))
		}
		if len(d.grids) == 0 {
			weight = 0
		}
		total += weight
		w.weights = append(w.weights, total)
	}
	for src, classes := range classWeights {
		w.bySource[src] = categoryMix(c, classes)
	}
	w.lowGrids = lowLying(model.Grids)
	return w
}

// districtOf walks a grid's parents up to its district.
func districtOf(model *city.City, a *city.Area) string {
	for a != nil && a.Level != city.District {
		a = model.Area(a.Parent)
	}
	if a == nil {
		return ""
	}
	return a.Code
}

func categoryMix(c commands.City, classes map[string]float64) *mix {
	perClass := map[string][]string{}
	var all []string
	for _, cat := range c.Catalog.Categories() {
		all = append(all, cat.Code)
		if len(cat.Code) >= 3 {
			perClass[cat.Code[:3]] = append(perClass[cat.Code[:3]], cat.Code)
		}
	}
	m := &mix{}
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not leak into the seeded choices
	total := 0.0
	for _, k := range keys {
		items := perClass[k]
		for _, code := range items {
			total += classes[k] / float64(len(items))
			m.codes, m.cum = append(m.codes, code), append(m.cum, total)
		}
	}
	if len(m.codes) == 0 {
		for i, code := range all {
			m.codes, m.cum = append(m.codes, code), append(m.cum, float64(i+1))
		}
	}
	return m
}

// lowLying picks the grids a rainstorm floods first. The city model has no elevations, so
// the demo takes a fixed, code-derived twentieth of the grids: the same ones on every run.
func lowLying(grids []*city.Area) []*city.Area {
	var out []*city.Area
	for _, g := range grids {
		if fnv32(g.Code)%20 == 0 {
			out = append(out, g)
		}
	}
	return out
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// streetName is the name of the street a grid lies in ("" when the model has none).
func (w *World) streetName(grid *city.Area) string {
	if c := w.Model.Area(grid.Parent); c != nil {
		if s := w.Model.Area(c.Parent); s != nil {
			return s.Name
		}
	}
	return ""
}

// place picks where a report comes from: a district by population, a grid in it, and a
// point inside that grid.
func (w *World) place(rng *rand.Rand) (*city.Area, cases.Point) {
	x := rng.Float64() * w.weights[len(w.weights)-1]
	i, _ := slices.BinarySearch(w.weights, x)
	d := w.districts[min(i, len(w.districts)-1)]
	g := d.grids[rng.IntN(len(d.grids))]
	return g, w.pointIn(rng, g)
}

// pointIn draws a point inside area a: uniform in its bound until the index agrees, falling
// back to the bound's center after a few misses (thin or odd shapes).
func (w *World) pointIn(rng *rand.Rand, a *city.Area) cases.Point {
	b := a.Bound
	for range 8 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if l := w.index.Locate(p); l.Grid == a.Code || (a.Level != city.Grid && strings.HasPrefix(l.Grid, a.Code)) {
			return round(p)
		}
	}
	return round(b.Center())
}

// round keeps points to about a metre, as a phone's GPS reports them.
func round(p orb.Point) cases.Point {
	r := func(x float64) float64 { return math.Round(x*1e5) / 1e5 }
	return cases.Point{Lon: r(p[0]), Lat: r(p[1])}
}
