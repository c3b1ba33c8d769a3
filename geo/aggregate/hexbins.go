package aggregate

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/chengyun/chengyun/geo/tiles/featjson"
	"github.com/paulmach/orb"
)

// HexBins counts points in pointy-top hexagons laid out in Web Mercator metres (EPSG:3857).
// Mercator metres are true metres only at the equator: at latitude φ a bin is size·cos φ on
// the ground (at Wuhan, 30° N, a 500 m bin is about 433 m across the ground). That is the
// price of bins that stay regular hexagons on a web map, which is where heat maps are seen.
type HexBins struct {
	size float64 // circumradius (centre to corner, = side) in mercator metres
	mu   sync.Mutex
	bins map[hexKey]int64
}

// hexKey is a bin in axial coordinates.
type hexKey struct{ q, r int64 }

// NewHexBins makes bins whose hexagons have sides of sizeMetres (mercator metres). A size
// that is not positive is taken as 1 m.
func NewHexBins(sizeMetres float64) *HexBins {
	if !(sizeMetres > 0) || math.IsInf(sizeMetres, 0) {
		sizeMetres = 1
	}
	return &HexBins{size: sizeMetres, bins: map[hexKey]int64{}}
}

// Add adds delta to the bin holding p (lon/lat, WGS84). A bin whose count returns to zero is
// forgotten.
func (h *HexBins) Add(p orb.Point, delta int64) {
	if delta == 0 || !validLonLat(p) {
		return
	}
	k := h.bin(mercator(p))
	h.mu.Lock()
	if n := h.bins[k] + delta; n == 0 {
		delete(h.bins, k)
	} else {
		h.bins[k] = n
	}
	h.mu.Unlock()
}

// Count returns the count of the bin holding p.
func (h *HexBins) Count(p orb.Point) int64 {
	if !validLonLat(p) {
		return 0
	}
	k := h.bin(mercator(p))
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bins[k]
}

// GeoJSON returns the bins with a count above zero whose centre lies within bound (lon/lat;
// an empty bound means everywhere) as hexagon polygons in WGS84, with properties count, q and
// r (the bin's axial coordinates, stable ids for the map).
func (h *HexBins) GeoJSON(bound orb.Bound) ([]byte, error) {
	h.mu.Lock()
	type bin struct {
		k hexKey
		n int64
	}
	bins := make([]bin, 0, len(h.bins))
	for k, n := range h.bins {
		if n > 0 {
			bins = append(bins, bin{k, n})
		}
	}
	h.mu.Unlock()
	// A stable order, so the same counts give the same bytes.
	sortBins := func(a, b bin) int {
		if a.k.q != b.k.q {
			return cmp.Compare(a.k.q, b.k.q)
		}
		return cmp.Compare(a.k.r, b.k.r)
	}
	slices.SortFunc(bins, sortBins)
	w := featjson.New()
	for _, b := range bins {
		c := toLonLat(h.centre(b.k))
		if !bound.IsZero() && !bound.Contains(c) {
			continue
		}
		w.Feature(h.hexagon(b.k),
			featjson.Prop{Key: "count", Value: b.n},
			featjson.Prop{Key: "q", Value: b.k.q},
			featjson.Prop{Key: "r", Value: b.k.r})
	}
	return w.Bytes(), nil
}

// bin returns the hexagon holding mercator point m: fractional axial coordinates rounded in
// cube space, the standard exact rounding for hexagons.
func (h *HexBins) bin(m orb.Point) hexKey {
	x, y := m[0]/h.size, m[1]/h.size
	qf := (math.Sqrt(3)/3*x - y/3)
	rf := 2.0 / 3 * y
	sf := -qf - rf
	q, r, s := math.Round(qf), math.Round(rf), math.Round(sf)
	dq, dr, ds := math.Abs(q-qf), math.Abs(r-rf), math.Abs(s-sf)
	switch {
	case dq > dr && dq > ds:
		q = -r - s
	case dr > ds:
		r = -q - s
	}
	return hexKey{int64(q), int64(r)}
}

// centre returns the mercator centre of bin k.
func (h *HexBins) centre(k hexKey) orb.Point {
	q, r := float64(k.q), float64(k.r)
	return orb.Point{h.size * math.Sqrt(3) * (q + r/2), h.size * 1.5 * r}
}

// hexagon returns bin k as a closed counter-clockwise WGS84 polygon.
func (h *HexBins) hexagon(k hexKey) orb.Polygon {
	c := h.centre(k)
	ring := make(orb.Ring, 7)
	for i := 0; i < 6; i++ {
		a := math.Pi / 180 * (60*float64(i) - 30) // pointy top: corners at -30°, 30°, 90°, …
		ring[i] = toLonLat(orb.Point{c[0] + h.size*math.Cos(a), c[1] + h.size*math.Sin(a)})
	}
	ring[6] = ring[0]
	return orb.Polygon{ring}
}
