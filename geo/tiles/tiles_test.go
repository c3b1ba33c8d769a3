package tiles

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
	"github.com/paulmach/orb"
)

var (
	smallOnce sync.Once
	small     *city.City
)

func smallCity() *city.City {
	smallOnce.Do(func() { small = testcity.New(testcity.Small()) })
	return small
}

// tileOf returns the tile of zoom z holding lon/lat p.
func tileOf(p orb.Point, z uint32) (uint32, uint32) {
	w := toWorld(p)
	n := float64(uint64(1) << z)
	return uint32(w[0] * n), uint32(w[1] * n)
}

func mustDecode(t *testing.T, data []byte) decodedTile {
	t.Helper()
	dt, err := decodeGzipped(data)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

func TestLayers(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	got := s.Layers()
	want := []LayerInfo{
		{Name: "districts", Level: city.District, MinZoom: 0, MaxZoom: 18, Features: len(c.Districts)},
		{Name: "streets", Level: city.Street, MinZoom: 9, MaxZoom: 18, Features: len(c.Streets)},
		{Name: "communities", Level: city.Community, MinZoom: 11, MaxZoom: 18, Features: len(c.Communities)},
		{Name: "grids", Level: city.Grid, MinZoom: 12, MaxZoom: 18, Features: len(c.Grids)},
		{Name: "labels", MinZoom: 8, MaxZoom: 18, Features: len(c.Districts) + len(c.Streets) + len(c.Communities) + len(c.Grids)},
	}
	if len(got) != len(want) {
		t.Fatalf("Layers() = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("layer %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestTileErrors(t *testing.T) {
	s := New(smallCity(), Options{})
	for _, c := range []struct {
		layer   string
		z, x, y uint32
		want    error
	}{
		{"nope", 10, 0, 0, ErrUnknownLayer},
		{"districts", 19, 0, 0, ErrOutOfRange},
		{"districts", 3, 8, 0, ErrOutOfRange},
		{"districts", 3, 0, 8, ErrOutOfRange},
		{"grids", 0, 1, 0, ErrOutOfRange},
		{"grids", 40, 0, 0, ErrOutOfRange},
	} {
		if _, err := s.Tile(c.layer, c.z, c.x, c.y); !errors.Is(err, c.want) {
			t.Errorf("Tile(%s, %d/%d/%d) error = %v, want %v", c.layer, c.z, c.x, c.y, err, c.want)
		}
	}
}

func TestEmptyTiles(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	x, y := tileOf(c.Center, 11)
	for _, c := range []struct {
		layer   string
		z, x, y uint32
	}{
		{"grids", 11, x, y},     // below the layer's min zoom
		{"districts", 10, 0, 0}, // far from the city
		{"labels", 5, 0, 0},
	} {
		if data, err := s.Tile(c.layer, c.z, c.x, c.y); data != nil || err != nil {
			t.Errorf("Tile(%s, %d/%d/%d) = %d bytes, %v; want nil, nil", c.layer, c.z, c.x, c.y, len(data), err)
		}
	}
}

// TestTileContent checks one tile of each layer at the city centre: the layer name, the
// extent, the properties and the ring winding.
func TestTileContent(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	for _, name := range []string{"districts", "streets", "communities", "grids", "labels"} {
		for _, z := range []uint32{12, 14, 17} {
			if name == "labels" && z > 14 {
				continue // a z17 tile is smaller than a grid: it may well hold no label
			}
			x, y := tileOf(c.Center, z)
			data, err := s.Tile(name, z, x, y)
			if err != nil || data == nil {
				t.Fatalf("Tile(%s, %d/%d/%d) = %d bytes, %v", name, z, x, y, len(data), err)
			}
			l := mustDecode(t, data)[name]
			if l == nil || len(l.features) == 0 || l.extent != Extent {
				t.Fatalf("%s z%d: layer %+v", name, z, l)
			}
			for _, f := range l.features {
				a := c.Area(f.props["code"].(string))
				if a == nil || f.props["name"] != a.Name || f.props["parent"] != a.Parent {
					t.Errorf("%s z%d: feature props %v", name, z, f.props)
				}
				if name == "labels" {
					if f.typ != geomPoint || f.props["level"] != string(a.Level) {
						t.Errorf("label %v type %d", f.props, f.typ)
					}
					continue
				}
				if f.typ != geomPolygon || f.props["generated"] != a.Generated || len(f.polygons) == 0 {
					t.Errorf("%s z%d: feature %v type %d, %d polygons", name, z, f.props, f.typ, len(f.polygons))
				}
				for _, p := range f.polygons {
					for _, r := range p {
						for _, pt := range r {
							if pt[0] < -64 || pt[1] < -64 || pt[0] > Extent+64 || pt[1] > Extent+64 {
								t.Fatalf("%s z%d: point %v outside the buffer", name, z, pt)
							}
						}
					}
				}
			}
		}
	}
}

func TestCacheHitAndSingleBuild(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	x, y := tileOf(c.Center, 13)
	var wg sync.WaitGroup
	results := make([][]byte, 32)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d, err := s.Tile("grids", 13, x, y)
			if err != nil {
				t.Error(err)
			}
			results[i] = d
		}(i)
	}
	wg.Wait()
	for _, r := range results {
		if len(r) == 0 || &r[0] != &results[0][0] {
			t.Fatal("concurrent requests of one tile got different builds")
		}
	}
	if n, _ := s.cache.stats(); n != 1 {
		t.Errorf("cache holds %d tiles, want 1", n)
	}
}

func TestCacheBudget(t *testing.T) {
	c := smallCity()
	s := New(c, Options{CacheBytes: 64 << 10})
	for z := uint32(12); z <= 15; z++ {
		b := worldBound(c.Bound())
		n := float64(uint64(1) << z)
		for ty := uint32(b.Min[1] * n); ty <= uint32(b.Max[1]*n); ty++ {
			for tx := uint32(b.Min[0] * n); tx <= uint32(b.Max[0]*n); tx++ {
				if _, err := s.Tile("grids", z, tx, ty); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	n, bytes := s.cache.stats()
	if bytes > 64<<10 || n == 0 {
		t.Errorf("cache holds %d tiles, %d bytes: want within 64 KiB", n, bytes)
	}
	s2 := New(c, Options{CacheTiles: 16})
	x, y := tileOf(c.Center, 15)
	for i := uint32(0); i < 64; i++ {
		s2.Tile("grids", 15, x+i%8-4, y+i/8-4)
	}
	if n, _ := s2.cache.stats(); n > 16 {
		t.Errorf("cache holds %d tiles, want at most 16", n)
	}
}

func TestAggregateLayer(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	agg := aggregate.NewLayer(c, city.Grid)
	if err := s.AddAggregate("agg-grids", agg); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAggregate("grids", agg); err == nil {
		t.Error("an aggregate may not take a boundary layer's name")
	}
	x, y := tileOf(c.Center, 14)
	count := func() map[string]int64 {
		data, err := s.Tile("agg-grids", 14, x, y)
		if err != nil || data == nil {
			t.Fatalf("Tile = %d bytes, %v", len(data), err)
		}
		out := map[string]int64{}
		for _, f := range mustDecode(t, data)["agg-grids"].features {
			out[f.props["code"].(string)] = f.props["count"].(int64)
		}
		return out
	}
	before := count()
	var code string
	for k := range before {
		code = k
		break
	}
	if before[code] != 0 {
		t.Fatalf("count %d before any Add", before[code])
	}
	agg.Add(code, 5)
	if got := count()[code]; got != 5 {
		t.Errorf("after Add the tile says %d, want 5 (the cache must follow Version)", got)
	}
	info := s.Layers()[len(s.Layers())-1]
	if info.Name != "agg-grids" || !info.Aggregate || info.MinZoom != 12 {
		t.Errorf("Layers() last = %+v", info)
	}
	gj, err := s.GeoJSON("agg-grids", Filter{Parent: c.Area(code).Parent})
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	if err := json.Unmarshal(gj, &fc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fc.Features {
		if f.Properties["code"] == code {
			found = f.Properties["count"] == 5.0
		}
	}
	if !found {
		t.Errorf("GeoJSON of the aggregate lacks count 5 for %s", code)
	}
}

func TestGeoJSON(t *testing.T) {
	c := smallCity()
	s := New(c, Options{})
	type fc struct {
		Type     string
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	get := func(layer string, f Filter) fc {
		b, err := s.GeoJSON(layer, f)
		if err != nil {
			t.Fatal(err)
		}
		var out fc
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := get("streets", Filter{})
	if all.Type != "FeatureCollection" || len(all.Features) != len(c.Streets) {
		t.Fatalf("streets: %d features, want %d", len(all.Features), len(c.Streets))
	}
	for _, k := range []string{"code", "name", "level", "parent", "generated"} {
		if _, ok := all.Features[0].Properties[k]; !ok {
			t.Errorf("no property %q", k)
		}
	}
	d := c.Districts[0]
	kids := get("streets", Filter{Parent: d.Code})
	want := 0
	for _, st := range c.Streets {
		if st.Parent == d.Code {
			want++
		}
	}
	if len(kids.Features) != want || want == 0 {
		t.Errorf("streets of %s: %d, want %d", d.Code, len(kids.Features), want)
	}
	g := c.Grids[0]
	box := get("grids", Filter{Bound: g.Bound})
	if len(box.Features) == 0 || len(box.Features) > 9 {
		t.Errorf("grids meeting one grid's bound: %d", len(box.Features))
	}
	if lb := get("labels", Filter{Parent: d.Code}); len(lb.Features) != want || lb.Features[0].Geometry.Type != "Point" {
		t.Errorf("labels of %s: %d", d.Code, len(lb.Features))
	}
	if _, err := s.GeoJSON("nope", Filter{}); !errors.Is(err, ErrUnknownLayer) {
		t.Errorf("unknown layer: %v", err)
	}
}

func TestInteriorPoint(t *testing.T) {
	// A "C" shape: its centroid is in the gap, its label must not be.
	c := orb.MultiPolygon{{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}}
	p := interiorPoint(c)
	if !planarContains(c[0], p) {
		t.Errorf("interiorPoint = %v, not inside", p)
	}
	for _, a := range smallCity().Communities {
		if p := interiorPoint(a.Geometry); !planarContains(a.Geometry[0], p) {
			t.Errorf("label of %s at %v is outside it", a.Code, p)
		}
	}
}

func planarContains(p orb.Polygon, pt orb.Point) bool {
	in := false
	for _, r := range p {
		for k := 1; k < len(r); k++ {
			a, b := r[k-1], r[k]
			if (a[1] > pt[1]) != (b[1] > pt[1]) && pt[0] < a[0]+(pt[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
	}
	return in
}
