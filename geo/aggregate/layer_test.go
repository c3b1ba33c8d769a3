package aggregate

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
)

func TestLayerCounts(t *testing.T) {
	c := testcity.New(testcity.Small())
	l := NewLayer(c, city.Grid)
	g0, g1 := c.Grids[0].Code, c.Grids[1].Code
	if l.Version() != 0 || l.Get(g0) != 0 || len(l.Snapshot()) != 0 {
		t.Fatal("a new layer is not empty")
	}
	l.Add(g0, 3)
	l.Add(g0, -1)
	l.Set(g1, 7)
	if l.Get(g0) != 2 || l.Get(g1) != 7 {
		t.Errorf("counts %d, %d; want 2, 7", l.Get(g0), l.Get(g1))
	}
	if v := l.Version(); v != 3 {
		t.Errorf("version %d after 3 changes", v)
	}
	l.Add(g0, 0)
	l.Set(g1, 7)
	if v := l.Version(); v != 3 {
		t.Errorf("version %d: no-op Add and Set must not count", v)
	}
	l.Add(c.Districts[0].Code, 1) // another level's code
	l.Add("nope", 1)
	if l.Dropped() != 2 || l.Version() != 3 || l.Get("nope") != 0 {
		t.Errorf("unknown codes: dropped %d, version %d", l.Dropped(), l.Version())
	}
	snap := l.Snapshot()
	if len(snap) != 2 || snap[g0] != 2 || snap[g1] != 7 {
		t.Errorf("Snapshot() = %v", snap)
	}
	l.Set(g0, 0)
	if _, ok := l.Snapshot()[g0]; ok {
		t.Error("a zero count is in the snapshot")
	}
	if l.Level() != city.Grid || l.City() != c {
		t.Error("Level or City wrong")
	}
}

func TestLayerConcurrent(t *testing.T) {
	c := testcity.New(testcity.Small())
	l := NewLayer(c, city.Community)
	var wg sync.WaitGroup
	const workers, per = 8, 2000
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				l.Add(c.Communities[(w+i)%len(c.Communities)].Code, 1)
			}
		}(w)
		go func() { // readers at the same time
			defer wg.Done()
			for i := 0; i < 50; i++ {
				_ = l.Snapshot()
				_ = l.Version()
				if _, err := l.GeoJSON(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var sum int64
	for _, n := range l.Snapshot() {
		sum += n
	}
	if sum != workers*per || l.Version() != workers*per {
		t.Errorf("sum %d, version %d; want %d", sum, l.Version(), workers*per)
	}
}

func TestLayerGeoJSON(t *testing.T) {
	c := testcity.New(testcity.Small())
	l := NewLayer(c, city.Street)
	l.Add(c.Streets[2].Code, 9)
	b, err := l.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			Geometry struct {
				Type        string
				Coordinates [][][][2]float64
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(c.Streets) {
		t.Fatalf("%d features, want %d", len(fc.Features), len(c.Streets))
	}
	for i, f := range fc.Features {
		a := c.Streets[i]
		if f.Type != "Feature" || f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) != len(a.Geometry) {
			t.Fatalf("feature %d: %s %s", i, f.Type, f.Geometry.Type)
		}
		want := 0.0
		if i == 2 {
			want = 9
		}
		p := f.Properties
		if p["code"] != a.Code || p["name"] != a.Name || p["level"] != "street" || p["parent"] != a.Parent || p["count"] != want || p["generated"] != a.Generated {
			t.Errorf("feature %d properties %v", i, p)
		}
	}
}
