package tiles

import (
	"testing"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
)

// loadWuhan is the shipped Wuhan, loaded once per test binary.
func loadWuhan(tb testing.TB) *city.City { return testcity.Wuhan(tb) }

// TestTilesDrawDistricts is the picture of Wuhan's districts drawn from the district tiles
// of zooms 8 and 10, checked pixel by pixel against the WGS84 geometry.
func TestTilesDrawDistricts(t *testing.T) {
	checkDrawing(t, loadWuhan(t), "wuhan")
}

// TestWuhanTilesDecode builds every tile of every layer at zoom 12 over Wuhan and decodes it.
func TestWuhanTilesDecode(t *testing.T) {
	c := loadWuhan(t)
	s := New(c, Options{})
	b := worldBound(c.Bound())
	const z = 12
	n := float64(uint64(1) << z)
	features := map[string]map[string]bool{}
	for _, info := range s.Layers() {
		features[info.Name] = map[string]bool{}
		for ty := uint32(b.Min[1] * n); ty <= uint32(b.Max[1]*n); ty++ {
			for tx := uint32(b.Min[0] * n); tx <= uint32(b.Max[0]*n); tx++ {
				data, err := s.Tile(info.Name, z, tx, ty)
				if err != nil {
					t.Fatal(err)
				}
				if data == nil {
					continue
				}
				for _, f := range mustDecode(t, data)[info.Name].features {
					features[info.Name][f.props["code"].(string)] = true
				}
			}
		}
	}
	for _, lv := range city.Levels {
		name := layerNames[lv]
		if got, want := len(features[name]), len(c.Layer(lv)); got < want*99/100 {
			t.Errorf("%s: %d of %d areas appear in the zoom-12 tiles", name, got, want)
		}
	}
	t.Logf("areas seen at z12: districts %d, streets %d, communities %d, grids %d, labels %d",
		len(features["districts"]), len(features["streets"]), len(features["communities"]), len(features["grids"]), len(features["labels"]))
}
