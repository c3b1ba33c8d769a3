// Package featjson writes GeoJSON FeatureCollections straight into a byte slice, for the map
// layers of package tiles and the live counts of package aggregate. It exists because orb's
// geojson package pulls in a BSON library the module does not carry, and because writing
// thousands of polygons without building a tree of maps first is several times faster.
package featjson

import (
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Prop is one property of a feature. Value is a string, bool, int, int64, float64 or nil.
type Prop struct {
	Key   string
	Value any
}

// Writer builds one FeatureCollection. The zero value is not ready: use New.
type Writer struct {
	buf []byte
	n   int
}

// New starts a FeatureCollection.
func New() *Writer {
	return &Writer{buf: append(make([]byte, 0, 4096), `{"type":"FeatureCollection","features":[`...)}
}

// Feature adds a feature with geometry g (Point, Polygon or MultiPolygon; others are written
// as a null geometry) and the properties in the order given.
func (w *Writer) Feature(g orb.Geometry, props ...Prop) {
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.buf = append(w.buf, `{"type":"Feature","geometry":`...)
	w.buf = appendGeometry(w.buf, g)
	w.buf = append(w.buf, `,"properties":{`...)
	for i, p := range props {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = AppendString(w.buf, p.Key)
		w.buf = append(w.buf, ':')
		w.buf = appendValue(w.buf, p.Value)
	}
	w.buf = append(w.buf, "}}"...)
}

// Len returns the number of features written so far.
func (w *Writer) Len() int { return w.n }

// Bytes closes the collection and returns it; the Writer must not be used afterwards.
func (w *Writer) Bytes() []byte { return append(w.buf, "]}"...) }

func appendGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPoint(b, g)
	case orb.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		b = append(b, ']')
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for k, pt := range r {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendPoint(b, pt)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
	return append(b, ']')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return AppendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		if v != v || v > 1e308 || v < -1e308 { // NaN and infinities are not JSON
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return append(b, "null"...)
}

// AppendString appends s as a JSON string, escaping what JSON requires (and invalid UTF-8 as
// U+FFFD); everything else, Chinese names included, is written as is.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
