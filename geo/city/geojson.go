package city

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
)

// A layer file is a GeoJSON FeatureCollection of Polygon and MultiPolygon features. It is
// decoded here rather than with orb/geojson, which pulls in a BSON driver outside geo's
// allowed dependencies, and so that every problem can be named by feature and field.

// feature is one decoded feature; positions are as in the file (not yet converted or checked).
type feature struct {
	index int
	name  string         // featureName, for errors
	props map[string]any // numbers as json.Number, so codes keep their text
	geom  orb.MultiPolygon
	path  coordPath
}

// decodeLayer decodes a layer file; codeProp only serves to name features in errors.
func decodeLayer(file, codeProp string, data []byte) ([]feature, error) {
	data = quoteNonFinite(data)
	var fc struct {
		Type     *string           `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, errf(file, "", te.Field, "is a JSON %s, want %s", te.Value, jsonKind(te.Field))
		}
		return nil, errf(file, "", "", "not a GeoJSON object: %v", err)
	}
	switch {
	case fc.Type == nil:
		return nil, errf(file, "", "type", `missing: a layer file must be a GeoJSON "FeatureCollection"`)
	case *fc.Type != "FeatureCollection":
		return nil, errf(file, "", "type", `is %q: a layer file must be a GeoJSON "FeatureCollection"`, *fc.Type)
	case fc.Features == nil:
		return nil, errf(file, "", "features", "missing: a FeatureCollection needs a features array")
	}
	out := make([]feature, 0, len(fc.Features))
	for i, raw := range fc.Features {
		f, err := decodeFeature(file, codeProp, i, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func jsonKind(field string) string {
	if field == "features" {
		return "an array of features"
	}
	return "a string"
}

func decodeFeature(file, codeProp string, i int, raw json.RawMessage) (feature, error) {
	f := feature{index: i, name: featureName("", i)}
	var rf struct {
		Type       string          `json:"type"`
		Properties json.RawMessage `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return f, errf(file, f.name, "", "not a GeoJSON Feature object: %v", err)
	}
	if len(rf.Properties) > 0 && string(rf.Properties) != "null" {
		d := json.NewDecoder(bytes.NewReader(rf.Properties))
		d.UseNumber()
		if err := d.Decode(&f.props); err != nil {
			return f, errf(file, f.name, "properties", "not a JSON object: %v", err)
		}
	}
	if f.props == nil {
		f.props = map[string]any{}
	}
	f.name = featureName(propString(f.props[codeProp]), i)
	if rf.Type != "Feature" {
		return f, errf(file, f.name, "type", `is %q, want "Feature"`, rf.Type)
	}
	if len(rf.Geometry) == 0 || string(rf.Geometry) == "null" {
		return f, errf(file, f.name, "geometry", "missing: every feature needs a Polygon or MultiPolygon")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(rf.Geometry, &g); err != nil {
		return f, errf(file, f.name, "geometry", "not a GeoJSON geometry object: %v", err)
	}
	switch g.Type {
	case "Polygon":
		f.path = false
	case "MultiPolygon":
		f.path = true
	default:
		return f, errf(file, f.name, "geometry.type", "is %q; an area must be a Polygon or MultiPolygon", g.Type)
	}
	p := coordParser{b: g.Coordinates}
	var err *geomErr
	if f.path {
		f.geom, err = p.multiPolygon()
	} else {
		var pg orb.Polygon
		if pg, err = p.polygon(); err == nil {
			f.geom = orb.MultiPolygon{pg}
		}
	}
	if err != nil {
		return f, errf(file, f.name, err.field, "%s", err.msg)
	}
	if len(f.geom) == 0 {
		return f, errf(file, f.name, "geometry.coordinates", "empty: an area needs at least one polygon")
	}
	return f, nil
}

// propString is a property as text: codes may be numbers (420102) or strings ("420102").
func propString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// quoteNonFinite turns bare NaN, Infinity and -Infinity (which some writers, Python's json
// among them, emit but JSON does not allow) into strings, so that such a file fails with
// "latitude is NaN" at the right feature rather than with a syntax error at a byte offset.
func quoteNonFinite(b []byte) []byte {
	if !bytes.Contains(b, []byte("NaN")) && !bytes.Contains(b, []byte("Infinity")) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				i++
				out = append(out, b[i])
			} else if c == '"' {
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		replaced := false
		for _, tok := range [...]string{"NaN", "Infinity", "-Infinity"} {
			if bytes.HasPrefix(b[i:], []byte(tok)) {
				out = append(out, '"')
				out = append(out, tok...)
				out = append(out, '"')
				i += len(tok) - 1
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}

// coordParser reads nested coordinate arrays straight from the JSON text, which is faster than
// generic decoding and can say which position is wrong.
type coordParser struct {
	b    []byte
	i    int
	path []int
}

func (p *coordParser) fail(msg string) *geomErr {
	s := "geometry.coordinates"
	for _, i := range p.path {
		s += fmt.Sprintf("[%d]", i)
	}
	return &geomErr{s, msg}
}

func (p *coordParser) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// array calls elem for each element of a JSON array at the current position.
func (p *coordParser) array(what string, elem func() *geomErr) *geomErr {
	p.skipSpace()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.fail("expected an array of " + what)
	}
	p.i++
	p.path = append(p.path, 0)
	defer func() { p.path = p.path[:len(p.path)-1] }()
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for n := 0; ; n++ {
		p.path[len(p.path)-1] = n
		if err := elem(); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.fail("unterminated array")
		}
		p.i++
		switch p.b[p.i-1] {
		case ',':
		case ']':
			return nil
		default:
			return p.fail("expected , or ] in array")
		}
	}
}

func (p *coordParser) multiPolygon() (orb.MultiPolygon, *geomErr) {
	var mp orb.MultiPolygon
	err := p.array("polygons", func() *geomErr {
		pg, err := p.polygon()
		mp = append(mp, pg)
		return err
	})
	return mp, err
}

func (p *coordParser) polygon() (orb.Polygon, *geomErr) {
	var pg orb.Polygon
	err := p.array("rings", func() *geomErr {
		var r orb.Ring
		err := p.array("positions", func() *geomErr {
			pt, err := p.position()
			r = append(r, pt)
			return err
		})
		pg = append(pg, r)
		return err
	})
	return pg, err
}

func (p *coordParser) position() (orb.Point, *geomErr) {
	var pt orb.Point
	n := 0
	err := p.array("numbers", func() *geomErr {
		v, err := p.number()
		if n < 2 {
			pt[n] = v
		}
		n++
		return err
	})
	if err == nil && n < 2 {
		err = p.fail(fmt.Sprintf("position has %d numbers; it needs longitude and latitude", n))
	}
	return pt, err
}

func (p *coordParser) number() (float64, *geomErr) {
	p.skipSpace()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '"' { // only the quoted non-finite values are numbers
		end := bytes.IndexByte(p.b[p.i+1:], '"')
		if end >= 0 {
			s := string(p.b[p.i+1 : p.i+1+end])
			p.i += end + 2
			switch s {
			case "NaN", "Infinity", "-Infinity":
				v, _ := strconv.ParseFloat(s, 64)
				return v, nil
			}
		}
		return 0, p.fail("expected a number, found a string")
	}
	for p.i < len(p.b) && bytes.IndexByte([]byte("+-0123456789.eE"), p.b[p.i]) >= 0 {
		p.i++
	}
	v, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // out of float range: caught as out of range later
		return 0, p.fail("expected a number")
	}
	return v, nil
}
