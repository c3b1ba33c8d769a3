package city

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/chengyun/chengyun/geo/coord"
)

// ConfigFile is the file that makes a folder a city. Its format:
//
//	name: 武汉市                 # required
//	nameEn: Wuhan
//	code: "420100"               # required
//	crs: wgs84                   # of the folder's GeoJSON files and center: wgs84 (default), gcj02, bd09
//	center: [114.2996, 30.5954]  # map center in crs
//	zoom: 9
//	calendar: calendar.yaml      # must exist
//	layers:
//	  districts: {file: districts.geojson, code: adcode, name: name}   # required, always a file
//	  streets: {names: streets.csv}            # generated: one per CSV row (code,name,district code)
//	  # streets: {areaKm2: 12}                 # generated without names: "<district> 01", code district+001
//	  # streets: {file: streets.geojson, parent: district_code}  # surveyed: loaded, not generated
//	  communities: {gridsPer: 5, label: 社区}   # generated: groups of about 5 grids of a street
//	  grids: {areaKm2: 0.5, label: 网格}        # generated: lattice cells of 0.5 km² cut to the streets
//	source: "…"                  # provenance
//
// A layer entry may give file (a GeoJSON FeatureCollection of Polygons/MultiPolygons) with the
// property names of code, name and parent code (defaults code, name, parent); a feature
// without a parent code is placed by containment. Without file the layer is generated;
// generate: true may say so explicitly; label goes between the parent's name and the
// sequence number of generated names. Unknown fields are errors.
const ConfigFile = "city.yaml"

// config is city.yaml. Every layer but districts may come from a file or be generated; a layer
// with a file is loaded and validated, never generated, so a city's own surveyed streets,
// communities and grids replace the generated ones without code changes.
type config struct {
	Name     string     `yaml:"name"`     // e.g. 武汉市
	NameEn   string     `yaml:"nameEn"`   // e.g. Wuhan
	Code     string     `yaml:"code"`     // e.g. "420100"
	CRS      string     `yaml:"crs"`      // of the folder's GeoJSON files and center; default wgs84
	Center   []float64  `yaml:"center"`   // [lon, lat] in crs
	Zoom     float64    `yaml:"zoom"`     // initial map zoom
	Calendar string     `yaml:"calendar"` // working-time calendar file
	Layers   layersConf `yaml:"layers"`
	Source   string     `yaml:"source"` // provenance of the folder's map data
}

type layersConf struct {
	Districts   layerFile   `yaml:"districts"`
	Streets     streetsConf `yaml:"streets"`
	Communities commConf    `yaml:"communities"`
	Grids       gridsConf   `yaml:"grids"`
}

// layerFile says where a layer's features are and which properties hold code, name and the
// parent's code. Without a parent property a feature's parent is found by containment.
type layerFile struct {
	File   string `yaml:"file"`
	Code   string `yaml:"code"`   // default "code"
	Name   string `yaml:"name"`   // default "name"
	Parent string `yaml:"parent"` // default "parent"
}

// generated is what every generated layer has: an explicit flag (optional, for readers) and
// the label between the parent's name and the sequence number in generated names.
type generated struct {
	Generate bool   `yaml:"generate"`
	Label    string `yaml:"label"`
}

type streetsConf struct {
	layerFile `yaml:",inline"`
	generated `yaml:",inline"`
	// Names is a CSV of code,name,district code: one generated street per row, with the real
	// names and codes. Without it each district gets round(area/AreaKm2) streets named
	// "<district><label><nn>" with codes district code + 3 digits.
	Names   string  `yaml:"names"`
	AreaKm2 float64 `yaml:"areaKm2"`
}

type commConf struct {
	layerFile `yaml:",inline"`
	generated `yaml:",inline"`
	GridsPer  int `yaml:"gridsPer"` // grids per generated community, default 5
}

type gridsConf struct {
	layerFile `yaml:",inline"`
	generated `yaml:",inline"`
	AreaKm2   float64 `yaml:"areaKm2"` // lattice cell area, default 0.5 km²
}

// parseConfig decodes city.yaml field by field, so an unknown or mistyped field is reported by
// its path (layers.grids.areaKm2) rather than by yaml's line-only message.
func parseConfig(data []byte) (*config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errf(ConfigFile, "", "", "not YAML: %v", err)
	}
	if len(doc.Content) == 0 {
		return nil, errf(ConfigFile, "", "", "empty")
	}
	var c config
	if err := decodeNode(doc.Content[0], reflect.ValueOf(&c).Elem(), ""); err != nil {
		return nil, err
	}
	c.defaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

func decodeNode(n *yaml.Node, v reflect.Value, path string) *Error {
	if v.Kind() != reflect.Struct {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
				msg = strings.Join(te.Errors, "; ") // already "line N: cannot unmarshal …"
			} else {
				msg = fmt.Sprintf("line %d: %s", n.Line, msg)
			}
			return errf(ConfigFile, "", path, "%s", msg)
		}
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errf(ConfigFile, "", path, "line %d: want a mapping of fields", n.Line)
	}
	fields := map[string]reflect.Value{}
	collectFields(v, fields)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		f, ok := fields[key]
		p := strings.TrimPrefix(path+"."+key, ".")
		if !ok {
			known := make([]string, 0, len(fields))
			for k := range fields {
				known = append(known, k)
			}
			slices.Sort(known)
			return errf(ConfigFile, "", p, "line %d: unknown field (known here: %s)", n.Content[i].Line, strings.Join(known, ", "))
		}
		if err := decodeNode(n.Content[i+1], f, p); err != nil {
			return err
		}
	}
	return nil
}

// collectFields maps yaml names to the struct's fields, descending into inline embeddings.
func collectFields(v reflect.Value, into map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		switch {
		case opts == "inline":
			collectFields(v.Field(i), into)
		case name != "" && name != "-":
			into[name] = v.Field(i)
		}
	}
}

func (c *config) defaults() {
	l := &c.Layers
	for _, f := range []*layerFile{&l.Districts, &l.Streets.layerFile, &l.Communities.layerFile, &l.Grids.layerFile} {
		f.Code = cmpOr(f.Code, "code")
		f.Name = cmpOr(f.Name, "name")
		f.Parent = cmpOr(f.Parent, "parent")
	}
	if l.Grids.AreaKm2 == 0 {
		l.Grids.AreaKm2 = 0.5
	}
	if l.Communities.GridsPer == 0 {
		l.Communities.GridsPer = 5
	}
	if l.Streets.AreaKm2 == 0 {
		l.Streets.AreaKm2 = 10
	}
	l.Streets.Label = cmpOr(l.Streets.Label, " ")
	l.Communities.Label = cmpOr(l.Communities.Label, " C")
	l.Grids.Label = cmpOr(l.Grids.Label, " G")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (c *config) check() error {
	bad := func(field, format string, args ...any) error { return errf(ConfigFile, "", field, format, args...) }
	if strings.TrimSpace(c.Name) == "" {
		return bad("name", "missing: a city needs a name")
	}
	if strings.TrimSpace(c.Code) == "" {
		return bad("code", "missing: a city needs a code")
	}
	if _, err := coord.ParseSystem(c.CRS); err != nil {
		return bad("crs", "%v", err)
	}
	if len(c.Center) != 2 || !finite(c.Center[0]) || !finite(c.Center[1]) || math.Abs(c.Center[0]) > 180 || math.Abs(c.Center[1]) > 90 {
		return bad("center", "want [longitude, latitude], got %v", c.Center)
	}
	if !finite(c.Zoom) || c.Zoom < 0 || c.Zoom > 22 {
		return bad("zoom", "%v is not a map zoom (0–22)", c.Zoom)
	}
	l := &c.Layers
	if l.Districts.File == "" {
		return bad("layers.districts.file", "missing: districts come from a file")
	}
	for _, g := range []struct {
		name, file string
		generated
	}{{"streets", l.Streets.File, l.Streets.generated}, {"communities", l.Communities.File, l.Communities.generated}, {"grids", l.Grids.File, l.Grids.generated}} {
		if g.file != "" && g.Generate {
			return bad("layers."+g.name, "has both file and generate: true; a layer is either loaded or generated")
		}
	}
	if l.Streets.File != "" && l.Streets.Names != "" {
		return bad("layers.streets.names", "is for generating streets; the layer has a file")
	}
	if a := l.Grids.AreaKm2; !finite(a) || a < 0.01 || a > 100 {
		return bad("layers.grids.areaKm2", "%v is not a grid size in km² (0.01–100)", a)
	}
	if a := l.Streets.AreaKm2; !finite(a) || a < l.Grids.AreaKm2 {
		return bad("layers.streets.areaKm2", "%v km² is smaller than a grid", a)
	}
	if n := l.Communities.GridsPer; n < 1 || n > 999 {
		return bad("layers.communities.gridsPer", "%d is not a number of grids (1–999)", n)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
