package city

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// GeoJSONOptions says how MarshalGeoJSON writes areas.
type GeoJSONOptions struct {
	Code, Name, Parent string // property names for code, name and parent code: default code, name, parent
	Decimals           int    // coordinates are rounded to this many decimals; 0 means 6 (about 0.1 m)
}

// MarshalGeoJSON writes areas as a FeatureCollection of MultiPolygons, one feature per line
// (so files diff well). Properties are the area's Props plus its code, name and parent;
// generated areas carry generated: true. The output depends only on the areas: property keys
// are sorted and numbers formatted the shortest way, so the same city gives the same bytes.
func MarshalGeoJSON(areas []*Area, opt GeoJSONOptions) ([]byte, error) {
	opt.Code, opt.Name, opt.Parent = cmpOr(opt.Code, "code"), cmpOr(opt.Name, "name"), cmpOr(opt.Parent, "parent")
	if opt.Decimals <= 0 {
		opt.Decimals = 6
	}
	scale := math.Pow(10, float64(opt.Decimals))
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for k, a := range areas {
		if k > 0 {
			b.WriteByte(',')
		}
		props := make(map[string]any, len(a.Props)+3)
		for key, v := range a.Props {
			props[key] = v
		}
		props[opt.Code], props[opt.Name] = a.Code, a.Name
		if a.Parent != "" {
			props[opt.Parent] = a.Parent
		}
		if a.Generated {
			props["generated"] = true
		}
		pj, err := json.Marshal(props)
		if err != nil {
			return nil, err
		}
		b.WriteString("\n{\"type\":\"Feature\",\"properties\":")
		b.Write(pj)
		b.WriteString(`,"geometry":{"type":"MultiPolygon","coordinates":[`)
		for pi, pg := range a.Geometry {
			comma(&b, pi)
			b.WriteByte('[')
			for ri, r := range pg {
				comma(&b, ri)
				b.WriteByte('[')
				for vi, p := range r {
					comma(&b, vi)
					b.WriteByte('[')
					b.WriteString(strconv.FormatFloat(math.Round(p[0]*scale)/scale, 'f', -1, 64))
					b.WriteByte(',')
					b.WriteString(strconv.FormatFloat(math.Round(p[1]*scale)/scale, 'f', -1, 64))
					b.WriteByte(']')
				}
				b.WriteByte(']')
			}
			b.WriteByte(']')
		}
		b.WriteString("]}}")
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

func comma(b *bytes.Buffer, i int) {
	if i > 0 {
		b.WriteByte(',')
	}
}

// GeoJSON is a layer of the city as GeoJSON, for map layers.
func (c *City) GeoJSON(l Level) ([]byte, error) {
	return MarshalGeoJSON(c.Layer(l), GeoJSONOptions{})
}
