package tiles

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// TestOrbDecodesOurTiles reads the tiles of Wuhan with orb's own MVT decoder (a well-kept,
// independent implementation; the geo layer does not import it, the test does), so an error
// made alike in our encoder and in this package's test decoder cannot pass unnoticed.
func TestOrbDecodesOurTiles(t *testing.T) {
	c := loadWuhan(t)
	s := New(c, Options{})
	checked := 0
	for _, zxy := range [][3]uint32{{8, 209, 105}, {10, 837, 421}, {12, 3349, 1685}, {14, 13397, 6741}} {
		for _, info := range s.Layers() {
			b, err := s.Tile(info.Name, zxy[0], zxy[1], zxy[2])
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				continue
			}
			ours, err := decodeGzipped(b)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := mvt.UnmarshalGzipped(b)
			if err != nil {
				t.Fatalf("%s %v: orb cannot decode the tile: %v", info.Name, zxy, err)
			}
			if len(layers) != 1 || layers[0].Name != info.Name || layers[0].Extent != Extent || layers[0].Version != 2 {
				t.Fatalf("%s %v: orb sees %d layers", info.Name, zxy, len(layers))
			}
			l, mine := layers[0], ours[info.Name]
			if len(l.Features) != len(mine.features) {
				t.Fatalf("%s %v: orb decodes %d features, the test decoder %d", info.Name, zxy, len(l.Features), len(mine.features))
			}
			for i, f := range l.Features {
				if f.Properties["code"] != mine.features[i].props["code"] || f.Properties["code"] == nil {
					t.Fatalf("%s %v feature %d: code %v vs %v", info.Name, zxy, i, f.Properties["code"], mine.features[i].props["code"])
				}
				switch g := f.Geometry.(type) {
				case orb.Polygon, orb.MultiPolygon:
					if ringsOf(g) != ringsOfDecoded(mine.features[i]) {
						t.Fatalf("%s %v feature %d: %d rings by orb, %d by the test decoder", info.Name, zxy, i, ringsOf(g), ringsOfDecoded(mine.features[i]))
					}
				case orb.Point, orb.MultiPoint:
				default:
					t.Fatalf("%s %v feature %d: orb decodes a %T", info.Name, zxy, i, g)
				}
			}
			checked++
		}
	}
	if checked < 8 {
		t.Fatalf("only %d non-empty tiles checked", checked)
	}
}

func ringsOf(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g)
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += len(p)
		}
		return n
	}
	return 0
}

func ringsOfDecoded(f decodedFeature) int {
	n := 0
	for _, p := range f.polygons {
		n += len(p)
	}
	return n
}
