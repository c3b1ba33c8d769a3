package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/coord"
)

const wuhanSource = "GitHub lyhmyd1211/GeoMapData_CN citys/420100.json (Alibaba DataV area data), GCJ-02 converted to WGS84 by geo/internal/citydata"

// wuhan converts the 13 districts to WGS84 (rounded to 6 decimals, about 0.1 m; shared
// boundary vertices convert and round identically, so neighbours still share them) and
// copies the street names.
func wuhan(in, out string) error {
	feats, err := readFeatures(filepath.Join(in, "districts.gcj02.geojson"))
	if err != nil {
		return err
	}
	var areas []*city.Area
	for _, f := range feats {
		for _, pg := range f.geom {
			for _, r := range pg {
				for i, p := range r {
					if r[i], err = toWGS(p); err != nil {
						return err
					}
				}
			}
		}
		props := map[string]any{"source": wuhanSource}
		if c, ok := f.props["center"].([]any); ok && len(c) == 2 {
			lon, _ := c[0].(json.Number).Float64()
			lat, _ := c[1].(json.Number).Float64()
			p, err := toWGS(orb.Point{lon, lat})
			if err != nil {
				return err
			}
			props["center"] = []float64{p[0], p[1]}
		}
		areas = append(areas, &city.Area{Code: fmt.Sprint(f.props["adcode"]), Name: fmt.Sprint(f.props["name"]), Level: city.District, Geometry: f.geom, Props: props})
	}
	if err := write(filepath.Join(out, "districts.geojson"), areas, city.GeoJSONOptions{Code: "adcode"}); err != nil {
		return err
	}
	names, err := os.ReadFile(filepath.Join(in, "streets.csv"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "streets.csv"), names, 0o644)
}

func toWGS(p orb.Point) (orb.Point, error) {
	w, err := coord.ToWGS84(coord.GCJ02, p)
	return orb.Point{round6(w[0]), round6(w[1])}, err
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
