// Command citydata converts the shared reference data into the map layers shipped with the
// cities in geo/cities (see /work/shared/data/README.md for where the data comes from):
//
//	go run ./geo/internal/citydata -data /work/shared/data -out geo/cities
//
// Wuhan's districts are converted once from GCJ-02 to WGS84, so the loader does no coordinate
// work; New York's boroughs are simplified with their shared boundaries kept identical. The
// output is deterministic: running it again gives the same bytes.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/geo/city"
)

func main() {
	data := flag.String("data", "/work/shared/data", "the shared data folder")
	out := flag.String("out", "geo/cities", "the shipped cities folder")
	tolerance := flag.Float64("nyc-tolerance", 8, "Douglas–Peucker tolerance for the NYC boroughs, metres")
	flag.Parse()
	if err := wuhan(filepath.Join(*data, "cities/wuhan"), filepath.Join(*out, "wuhan")); err != nil {
		log.Fatal("wuhan: ", err)
	}
	if err := nyc(filepath.Join(*data, "cities/nyc"), filepath.Join(*out, "nyc"), *tolerance); err != nil {
		log.Fatal("nyc: ", err)
	}
}

// source is a decoded input feature.
type source struct {
	props map[string]any
	geom  orb.MultiPolygon
}

func readFeatures(path string) ([]source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	d := json.NewDecoder(bytesReader(data))
	d.UseNumber()
	if err := d.Decode(&fc); err != nil {
		return nil, err
	}
	var out []source
	for i, f := range fc.Features {
		var mp orb.MultiPolygon
		switch f.Geometry.Type {
		case "MultiPolygon":
			var c [][][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
			for _, p := range c {
				mp = append(mp, polygon(p))
			}
		case "Polygon":
			var c [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
			mp = orb.MultiPolygon{polygon(c)}
		default:
			return nil, fmt.Errorf("feature %d: geometry %s", i, f.Geometry.Type)
		}
		out = append(out, source{f.Properties, mp})
	}
	return out, nil
}

func polygon(c [][][2]float64) orb.Polygon {
	pg := make(orb.Polygon, len(c))
	for i, r := range c {
		pg[i] = make(orb.Ring, len(r))
		for k, p := range r {
			pg[i][k] = orb.Point(p)
		}
	}
	return pg
}

// write normalises the areas the way the loader would (RFC 7946 ring orientation, polygons
// sharing edges dissolved), so the shipped file is what the loader uses, and writes them.
func write(path string, areas []*city.Area, opt city.GeoJSONOptions) error {
	for _, a := range areas {
		mp, err := city.Normalize(a.Geometry)
		if err != nil {
			return fmt.Errorf("%s %s: %w", path, a.Code, err)
		}
		a.Geometry = mp
	}
	b, err := city.MarshalGeoJSON(areas, opt)
	if err != nil {
		return err
	}
	log.Printf("%s: %d features, %d bytes", path, len(areas), len(b))
	return os.WriteFile(path, b, 0o644)
}
