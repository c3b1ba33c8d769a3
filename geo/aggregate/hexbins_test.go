package aggregate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestHexBinAssignment: a point lies in its bin's hexagon, both in mercator metres (where the
// bins are exact hexagons) and in the WGS84 polygon GeoJSON gives for it, and it is nearer
// its bin's centre than any neighbour's.
func TestHexBinAssignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, size := range []float64{50, 500, 5000} {
		h := NewHexBins(size)
		for i := 0; i < 20000; i++ {
			p := orb.Point{113.7 + rng.Float64()*1.4, 29.9 + rng.Float64()*1.5}
			k := h.bin(mercator(p))
			m := mercator(p)
			c := h.centre(k)
			d := math.Hypot(m[0]-c[0], m[1]-c[1])
			if d > size*(1+1e-9) {
				t.Fatalf("size %v: %v is %v m from its bin's centre", size, p, d)
			}
			for _, nb := range []hexKey{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}} {
				o := h.centre(hexKey{k.q + nb.q, k.r + nb.r})
				if dn := math.Hypot(m[0]-o[0], m[1]-o[1]); dn < d-1e-6 {
					t.Fatalf("size %v: %v is nearer a neighbour (%v < %v)", size, p, dn, d)
				}
			}
			if hex := h.hexagon(k); !planar.PolygonContains(hex, p) && distToRing(hex[0], p) > 1e-9 {
				t.Fatalf("size %v: %v is outside its hexagon %v", size, p, hex)
			}
		}
	}
}

func distToRing(r orb.Ring, p orb.Point) float64 {
	d := math.Inf(1)
	for i := 1; i < len(r); i++ {
		d = math.Min(d, planar.DistanceFromSegment(r[i-1], r[i], p))
	}
	return d
}

func TestHexBinsGeoJSON(t *testing.T) {
	h := NewHexBins(500)
	a, b := orb.Point{114.3, 30.6}, orb.Point{114.5, 30.4}
	h.Add(a, 2)
	h.Add(a, 1)
	h.Add(b, 4)
	h.Add(b, -4) // back to zero: gone
	h.Add(orb.Point{114.9, 30.9}, 1)
	if h.Count(a) != 3 || h.Count(b) != 0 {
		t.Errorf("counts %d, %d", h.Count(a), h.Count(b))
	}
	data, err := h.GeoJSON(orb.Bound{Min: orb.Point{114, 30}, Max: orb.Point{114.6, 30.8}})
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates [][][2]float64
			}
			Properties struct{ Count, Q, R int64 }
		}
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 1 {
		t.Fatalf("%d bins in the bound, want 1:\n%s", len(fc.Features), data)
	}
	f := fc.Features[0]
	ring := f.Geometry.Coordinates[0]
	if f.Geometry.Type != "Polygon" || len(ring) != 7 || ring[0] != ring[6] || f.Properties.Count != 3 {
		t.Errorf("bin %+v", f)
	}
	hex := orb.Polygon{make(orb.Ring, 7)}
	for i, c := range ring {
		hex[0][i] = orb.Point(c)
	}
	if !planar.PolygonContains(hex, a) || hex[0].Orientation() != orb.CCW {
		t.Error("the bin's hexagon does not hold its point counter-clockwise")
	}
	all, _ := h.GeoJSON(orb.Bound{})
	if err := json.Unmarshal(all, &fc); err != nil || len(fc.Features) != 2 {
		t.Errorf("all bins: %d, %v", len(fc.Features), err)
	}
}

func TestHexBinsConcurrent(t *testing.T) {
	h := NewHexBins(1000)
	var wg sync.WaitGroup
	p := orb.Point{114.3, 30.6}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				h.Add(p, 1)
				if i%100 == 0 {
					h.GeoJSON(orb.Bound{})
				}
			}
		}()
	}
	wg.Wait()
	if h.Count(p) != 8000 {
		t.Errorf("count %d, want 8000", h.Count(p))
	}
}

func TestHexBinsBadInput(t *testing.T) {
	h := NewHexBins(-1)
	h.Add(orb.Point{math.NaN(), 0}, 1)
	h.Add(orb.Point{200, 0}, 1)
	if data, _ := h.GeoJSON(orb.Bound{}); string(data) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("bad points were counted: %s", data)
	}
}
