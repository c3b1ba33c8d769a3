package featjson

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
)

func TestWriterIsValidGeoJSON(t *testing.T) {
	w := New()
	sq := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	w.Feature(sq, Prop{"code", "42\"01\n"}, Prop{"name", "江岸区"}, Prop{"n", int64(-3)}, Prop{"g", true}, Prop{"x", nil})
	w.Feature(orb.MultiPolygon{sq, sq}, Prop{"f", 1.5})
	w.Feature(orb.Point{114.25, 30.5})
	var fc struct {
		Type     string
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
			Properties map[string]any
		}
	}
	b := w.Bytes()
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("got %+v", fc)
	}
	p := fc.Features[0].Properties
	if p["code"] != "42\"01\n" || p["name"] != "江岸区" || p["n"] != -3.0 || p["g"] != true || p["x"] != nil {
		t.Errorf("properties %v", p)
	}
	if fc.Features[1].Geometry.Type != "MultiPolygon" || string(fc.Features[2].Geometry.Coordinates) != "[114.25,30.5]" {
		t.Errorf("geometries %+v", fc.Features)
	}
}

func TestEmpty(t *testing.T) {
	if got := string(New().Bytes()); got != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("got %s", got)
	}
}
