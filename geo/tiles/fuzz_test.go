package tiles

import (
	"errors"
	"sync"
	"testing"
)

var (
	fuzzOnce   sync.Once
	fuzzServer *Server
)

// FuzzTileRequest: any layer name and z/x/y: never a panic; an error exactly when the layer is
// unknown or the tile is out of range, and otherwise either nil or a tile that decodes.
func FuzzTileRequest(f *testing.F) {
	fuzzOnce.Do(func() { fuzzServer = New(smallCity(), Options{CacheBytes: 1 << 20}) })
	s := fuzzServer
	x, y := tileOf(smallCity().Center, 13)
	f.Add("grids", uint32(13), x, y)
	f.Add("districts", uint32(0), uint32(0), uint32(0))
	f.Add("labels", uint32(18), x<<5, y<<5)
	f.Add("streets", uint32(19), uint32(0), uint32(0))
	f.Add("communities", uint32(4), uint32(16), uint32(3))
	f.Add("", uint32(1), uint32(1), uint32(1))
	f.Add("districts", uint32(31), ^uint32(0), ^uint32(0))
	known := map[string]bool{"districts": true, "streets": true, "communities": true, "grids": true, "labels": true}
	f.Fuzz(func(t *testing.T, layer string, z, x, y uint32) {
		data, err := s.Tile(layer, z, x, y)
		inRange := z <= 18 && uint64(x) < 1<<z && uint64(y) < 1<<z
		switch {
		case !known[layer]:
			if !errors.Is(err, ErrUnknownLayer) {
				t.Fatalf("layer %q: error %v", layer, err)
			}
		case !inRange:
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("%d/%d/%d: error %v, want out of range", z, x, y, err)
			}
		case err != nil:
			t.Fatalf("%s %d/%d/%d: %v", layer, z, x, y, err)
		case data != nil:
			dt, err := decodeGzipped(data)
			if err != nil || dt[layer] == nil || len(dt[layer].features) == 0 {
				t.Fatalf("%s %d/%d/%d: undecodable or empty tile: %v", layer, z, x, y, err)
			}
		}
	})
}
