package city

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"
)

// A small city for the table tests: two districts of about 13 km² side by side.
const testYAML = `name: Testville
code: "t"
center: [114.04, 30.015]
zoom: 12
layers:
  districts: {file: districts.geojson}
`

func square(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf("[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

func feat(props, geomType, coords string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"%s","coordinates":%s}}`, props, geomType, coords)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + "]}"
}

var (
	district1 = feat(`"code":"1","name":"West"`, "Polygon", square(114.00, 30.00, 114.04, 30.03))
	district2 = feat(`"code":"2","name":"East"`, "Polygon", square(114.04, 30.00, 114.08, 30.03))
	streetsOK = collection(
		feat(`"code":"1001"`, "Polygon", square(114.00, 30.00, 114.02, 30.03)),
		feat(`"code":"1002"`, "Polygon", square(114.02, 30.00, 114.04, 30.03)),
		feat(`"code":"2001"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))
	withStreets = testYAML + "  streets: {file: streets.geojson}\n"
	withGrids   = withStreets + "  grids: {file: grids.geojson}\n"
)

func folder(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"city.yaml":         {Data: []byte(testYAML)},
		"districts.geojson": {Data: []byte(collection(district1, district2))},
	}
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
		} else {
			fsys[name] = &fstest.MapFile{Data: []byte(data)}
		}
	}
	return fsys
}

func TestBrokenFolders(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		files                map[string]string
		file, feature, field string // what the *Error must name
		msg                  string // and a part of its message
	}{
		{"unclosed ring", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "Polygon", "[[[114.04,30],[114.08,30],[114.08,30.03],[114.04,30.03],[114.04,30.001]]]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates[0]", "not closed"},
		{"bowtie polygon", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "Polygon", "[[[114.04,30],[114.08,30.03],[114.08,30],[114.04,30.03],[114.04,30]]]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates[0][", "crosses"},
		{"duplicate code", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"1"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))},
			"districts.geojson", "1 (#1)", "properties.code", "duplicate code"},
		{"duplicate code across levels", map[string]string{"city.yaml": withStreets, "streets.geojson": collection(
			feat(`"code":"1001"`, "Polygon", square(114.00, 30.00, 114.04, 30.03)),
			feat(`"code":"2"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))},
			"streets.geojson", "2 (#1)", "properties.code", "district 2 (#1) in districts.geojson already has it"},
		{"grid outside every street", map[string]string{"city.yaml": withGrids, "streets.geojson": streetsOK, "grids.geojson": collection(
			feat(`"code":"g1"`, "Polygon", square(114.001, 30.001, 114.005, 30.005)),
			feat(`"code":"g2"`, "Polygon", square(114.101, 30.001, 114.105, 30.005)))},
			"grids.geojson", "g2 (#1)", "geometry", "lies in no street"},
		{"grid in two streets", map[string]string{"city.yaml": withGrids, "streets.geojson": collection(
			feat(`"code":"1001"`, "Polygon", square(114.00, 30.00, 114.025, 30.03)),
			feat(`"code":"1002"`, "Polygon", square(114.015, 30.00, 114.04, 30.03))),
			"grids.geojson": collection(feat(`"code":"g1"`, "Polygon", square(114.017, 30.01, 114.023, 30.015)))},
			"grids.geojson", "g1 (#0)", "geometry", "lies in 2 streets (1001, 1002)"},
		{"street in no district", map[string]string{"city.yaml": withStreets, "streets.geojson": collection(
			feat(`"code":"9001"`, "Polygon", square(113.00, 30.00, 113.02, 30.03)))},
			"streets.geojson", "9001 (#0)", "geometry", "lies in no district"},
		{"unknown parent code", map[string]string{"city.yaml": withStreets, "streets.geojson": collection(
			feat(`"code":"1001","parent":"9"`, "Polygon", square(114.00, 30.00, 114.02, 30.03)))},
			"streets.geojson", "1001 (#0)", "properties.parent", "no district has code 9"},
		{"unknown crs", map[string]string{"city.yaml": strings.Replace(testYAML, "zoom: 12", "zoom: 12\ncrs: mercator", 1)},
			"city.yaml", "", "crs", `"mercator"`},
		{"unknown yaml field", map[string]string{"city.yaml": testYAML + "  grids: {sizeKm2: 1}\n"},
			"city.yaml", "", "layers.grids.sizeKm2", "unknown field"},
		{"yaml type error", map[string]string{"city.yaml": strings.Replace(testYAML, "zoom: 12", "zoom: twelve", 1)},
			"city.yaml", "", "zoom", "line 4"},
		{"missing file", map[string]string{"districts.geojson": ""},
			"city.yaml", "", "layers.districts.file", "does not exist"},
		{"missing names file", map[string]string{"city.yaml": testYAML + "  streets: {names: streets.csv}\n"},
			"city.yaml", "", "layers.streets.names", "does not exist"},
		{"missing city.yaml", map[string]string{"city.yaml": ""}, "city.yaml", "", "", "does not exist"},
		{"not a FeatureCollection", map[string]string{"districts.geojson": district1},
			"districts.geojson", "", "type", `is "Feature"`},
		{"NaN coordinate", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "Polygon", "[[[114.04,30],[NaN,30],[114.08,30.03],[114.04,30.03],[114.04,30]]]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates[0][1][0]", "longitude is NaN"},
		{"latitude out of range", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "MultiPolygon", "[[[[114.04,30],[114.08,30],[114.08,95],[114.04,30]]]]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates[0][0][2][1]", "out of range"},
		{"ring too short", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "Polygon", "[[[114.04,30],[114.08,30],[114.04,30]]]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates[0]", "at least 4"},
		{"point geometry", map[string]string{"districts.geojson": collection(district1, feat(`"code":"2"`, "Point", "[114.05,30.01]"))},
			"districts.geojson", "2 (#1)", "geometry.type", `"Point"`},
		{"empty code", map[string]string{"districts.geojson": collection(district1, feat(`"name":"East"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))},
			"districts.geojson", "#1", "properties.code", "missing or empty"},
		{"overlapping polygons", map[string]string{"districts.geojson": collection(district1, feat(`"code":"2"`, "MultiPolygon",
			"["+square(114.04, 30.00, 114.08, 30.03)+","+square(114.05, 30.01, 114.06, 30.02)+"]"))},
			"districts.geojson", "2 (#1)", "geometry.coordinates", "overlap"},
		{"names for an unknown district", map[string]string{"city.yaml": testYAML + "  streets: {names: streets.csv}\n",
			"streets.csv": "code,name,district_code\n1001,North,1\n9001,Nowhere,9\n"},
			"streets.csv", "9001", "parent", "no district has code 9"},
		{"generated code taken", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"1001"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))},
			"city.yaml", "1001 (#0)", "layers.streets", "district 1001 (#1) in districts.geojson already has it"},
		{"overlapping districts", map[string]string{"districts.geojson": collection(district1,
			feat(`"code":"2"`, "Polygon", square(114.03, 30.00, 114.08, 30.03)))},
			"districts.geojson", "2 (#1)", "geometry", "overlaps district 1"},
		{"overlapping streets", map[string]string{"city.yaml": withStreets, "streets.geojson": collection(
			feat(`"code":"1001"`, "Polygon", square(114.00, 30.00, 114.025, 30.03)),
			feat(`"code":"1002"`, "Polygon", square(114.015, 30.00, 114.04, 30.03)))},
			"streets.geojson", "1002 (#1)", "geometry", "overlaps street 1001"},
		{"district without streets", map[string]string{"city.yaml": testYAML + "  streets: {names: streets.csv}\n",
			"streets.csv": "code,name,district_code\n1001,North,1\n"},
			"streets.csv", "2", "parent", "has no streets"},
		{"file and generate", map[string]string{"city.yaml": testYAML + "  streets: {file: s.geojson, generate: true}\n"},
			"city.yaml", "", "layers.streets", "either loaded or generated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(folder(tc.files))
			t.Log(err)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *city.Error", err)
			}
			if e.File != tc.file || !strings.Contains(e.Feature, tc.feature) || !strings.HasPrefix(e.Field, tc.field) || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %q\nwant file %q, feature %q, field %q, message with %q", err, tc.file, tc.feature, tc.field, tc.msg)
			}
		})
	}
}

// TestFilesReplaceGenerated: a city with its own street, community and grid files gets those,
// untouched by generation; the same city without them gets generated ones.
func TestFilesReplaceGenerated(t *testing.T) {
	comms := collection(
		feat(`"code":"1001001","parent":"1001"`, "Polygon", square(114.00, 30.00, 114.02, 30.03)),
		feat(`"code":"1002001"`, "Polygon", square(114.02, 30.00, 114.04, 30.03)),
		feat(`"code":"2001001"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))
	grids := collection(
		feat(`"code":"1001001001"`, "Polygon", square(114.00, 30.00, 114.02, 30.03)),
		feat(`"code":"1002001001"`, "Polygon", square(114.02, 30.00, 114.04, 30.03)),
		feat(`"code":"2001001001","kind":"lake"`, "Polygon", square(114.04, 30.00, 114.08, 30.03)))
	c, err := Load(folder(map[string]string{"city.yaml": withStreets + "  communities: {file: c.geojson}\n  grids: {file: g.geojson}\n",
		"streets.geojson": streetsOK, "c.geojson": comms, "g.geojson": grids}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Streets) != 3 || len(c.Communities) != 3 || len(c.Grids) != 3 || c.Area("2001001001").Parent != "2001001" ||
		c.Area("2001001001").Props["kind"] != "lake" || c.Area("1002001").Parent != "1002" || c.Area("1001").Generated {
		t.Errorf("surveyed layers: %d streets, %d communities, %d grids; %+v", len(c.Streets), len(c.Communities), len(c.Grids), c.Area("2001001001"))
	}
	if g := c.At(Grid, orb.Point{114.05, 30.01}); g == nil || g.Code != "2001001001" {
		t.Errorf("At: %v", g)
	}

	// surveyed streets and grids, generated communities grouping the grids
	c, err = Load(folder(map[string]string{"city.yaml": withGrids, "streets.geojson": streetsOK, "grids.geojson": grids}))
	if err != nil {
		t.Fatal(err)
	}
	if g := c.Area("1002001001"); g == nil || g.Parent != "1002001" || !c.Area("1002001").Generated || c.Area("1002001").Parent != "1002" {
		t.Errorf("grouped file grids: %+v", g)
	}

	// surveyed communities, generated grids inside them
	c, err = Load(folder(map[string]string{"city.yaml": withStreets + "  communities: {file: c.geojson}\n", "streets.geojson": streetsOK, "c.geojson": comms}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Grids) < 40 || c.Grids[0].Parent != "1001001" || c.Grids[0].Code != "1001001001" {
		t.Errorf("generated grids in surveyed communities: %d grids, first %+v", len(c.Grids), c.Grids[0])
	}

	// nothing but districts: everything generated
	c, err = Load(folder(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Streets) != 2 || c.Streets[0].Code != "1001" || c.Streets[0].Name != "West 01" || !c.Streets[0].Generated || len(c.Grids) < 40 {
		t.Errorf("generated: %d streets (%+v), %d grids", len(c.Streets), c.Streets[0], len(c.Grids))
	}
}

// TestGCJ02Folder: a folder in GCJ-02 is converted on load; the same outline given in WGS84
// lies a few hundred metres away in Wuhan.
func TestGCJ02Folder(t *testing.T) {
	wgs, err := Load(folder(nil))
	if err != nil {
		t.Fatal(err)
	}
	gcj, err := Load(folder(map[string]string{"city.yaml": strings.Replace(testYAML, "zoom: 12", "zoom: 12\ncrs: gcj-02", 1)}))
	if err != nil {
		t.Fatal(err)
	}
	dx := wgs.Districts[0].Bound.Min[0] - gcj.Districts[0].Bound.Min[0]
	dy := wgs.Districts[0].Bound.Min[1] - gcj.Districts[0].Bound.Min[1]
	if dx < 0.003 || dx > 0.008 || dy > -0.001 || dy < -0.004 || gcj.Center == wgs.Center {
		t.Errorf("GCJ-02 folder moved by (%.5f, %.5f)°, center %v vs %v", -dx, -dy, gcj.Center, wgs.Center)
	}
}
