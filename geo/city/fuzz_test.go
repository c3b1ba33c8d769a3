package city

import (
	"os"
	"testing"
	"testing/fstest"
)

func addShipped(f *testing.F, names ...string) {
	for _, n := range names {
		if b, err := os.ReadFile("../cities/" + n); err == nil {
			f.Add(b)
		}
	}
}

// FuzzLoadGeoJSON feeds the layer decoder and checks, and cuts what passes them: nothing may
// panic, and what the checks accept must cut.
func FuzzLoadGeoJSON(f *testing.F) {
	addShipped(f, "wuhan/districts.geojson")
	f.Add([]byte(collection(district1, district2)))
	f.Add([]byte(streetsOK))
	f.Add([]byte(collection(feat(`"code":"2"`, "Polygon", "[[[114.04,30],[NaN,30],[114.08,30.03],[114.04,30.03],[114.04,30]]]"))))
	f.Add([]byte(collection(feat(`"code":"2"`, "MultiPolygon", "[["+square(1, 1, 2, 2)[1:len(square(1, 1, 2, 2))-1]+"],[[[2,1],[3,1],[3,2],[2,2],[2,1]]]]"))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.1,0.2],[0.1,0.1]]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"l.geojson": {Data: data}}
		areas, err := loadLayer(fsys, "layers.districts", layerFile{File: "l.geojson", Code: "code", Name: "name", Parent: "parent"}, District, "gcj02")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not a *Error: %v", err)
			}
			return
		}
		c := &City{Districts: areas}
		b := c.Bound()
		km2 := max(0.01, (b.Max[0]-b.Min[0])*(b.Max[1]-b.Min[1])*12300/2000) // about 2000 cells
		if _, _, err := cutAll("l.geojson", b, km2, areas); err != nil {
			t.Logf("checked areas do not cut: %v", err)
		}
	})
}

// FuzzCityYAML feeds city.yaml to Load on a small folder: nothing may panic.
func FuzzCityYAML(f *testing.F) {
	addShipped(f, "wuhan/city.yaml", "nyc/city.yaml")
	f.Add([]byte(testYAML))
	f.Add([]byte(withGrids))
	f.Add([]byte(testYAML + "  streets: {names: streets.csv, label: 街道}\n  communities: {gridsPer: 3}\n  grids: {areaKm2: 2}\n"))
	f.Add([]byte("name: x\ncode: y\ncenter: [1]\n"))
	f.Add([]byte("layers: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := folder(map[string]string{"city.yaml": string(data), "streets.geojson": streetsOK,
			"streets.csv": "code,name,district_code\n1001,North,1\n2001,South,2\n"})
		c, err := Load(fsys)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not a *Error: %v", err)
			}
			return
		}
		if len(c.Districts) == 0 || len(c.Grids) < len(c.Districts) {
			t.Fatalf("loaded %d districts, %d grids", len(c.Districts), len(c.Grids))
		}
	})
}
