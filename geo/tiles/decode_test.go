package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// A Mapbox Vector Tile decoder for the tests, written from the spec independently of the
// encoder's code paths (orb's decoder cannot be built in this module: see mvt.go).

type decodedTile map[string]*decodedLayer

type decodedLayer struct {
	name     string
	version  uint64
	extent   uint64
	keys     []string
	values   []any
	features []decodedFeature
}

type decodedFeature struct {
	id    uint64
	typ   uint64
	props map[string]any
	// polygons: each a list of rings (outer first), points in tile coordinates; for points,
	// one polygon with one "ring" of the points.
	polygons [][][][2]int64
}

func decodeGzipped(b []byte) (decodedTile, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	return decodeTile(raw)
}

type pbReader struct{ b []byte }

func (r *pbReader) done() bool { return len(r.b) == 0 }

func (r *pbReader) varint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, fmt.Errorf("bad varint")
	}
	r.b = r.b[n:]
	return v, nil
}

// field returns the next field number, wire type, and its varint or bytes.
func (r *pbReader) field() (int, int, uint64, []byte, error) {
	k, err := r.varint()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	f, wt := int(k>>3), int(k&7)
	switch wt {
	case 0:
		v, err := r.varint()
		return f, wt, v, nil, err
	case 1:
		if len(r.b) < 8 {
			return 0, 0, 0, nil, fmt.Errorf("short fixed64")
		}
		v := binary.LittleEndian.Uint64(r.b)
		r.b = r.b[8:]
		return f, wt, v, nil, nil
	case 2:
		n, err := r.varint()
		if err != nil || uint64(len(r.b)) < n {
			return 0, 0, 0, nil, fmt.Errorf("short bytes")
		}
		b := r.b[:n]
		r.b = r.b[n:]
		return f, wt, 0, b, nil
	case 5:
		if len(r.b) < 4 {
			return 0, 0, 0, nil, fmt.Errorf("short fixed32")
		}
		v := binary.LittleEndian.Uint32(r.b)
		r.b = r.b[4:]
		return f, wt, uint64(v), nil, nil
	}
	return 0, 0, 0, nil, fmt.Errorf("wire type %d", wt)
}

func packed(b []byte) ([]uint32, error) {
	r := &pbReader{b}
	var out []uint32
	for !r.done() {
		v, err := r.varint()
		if err != nil {
			return nil, err
		}
		out = append(out, uint32(v))
	}
	return out, nil
}

func decodeTile(raw []byte) (decodedTile, error) {
	t := decodedTile{}
	r := &pbReader{raw}
	for !r.done() {
		f, _, _, b, err := r.field()
		if err != nil {
			return nil, err
		}
		if f != 3 {
			continue
		}
		l, err := decodeLayer(b)
		if err != nil {
			return nil, err
		}
		t[l.name] = l
	}
	return t, nil
}

func decodeLayer(b []byte) (*decodedLayer, error) {
	l := &decodedLayer{version: 1, extent: 4096}
	var feats [][]byte
	r := &pbReader{b}
	for !r.done() {
		f, _, v, b, err := r.field()
		if err != nil {
			return nil, err
		}
		switch f {
		case 15:
			l.version = v
		case 1:
			l.name = string(b)
		case 2:
			feats = append(feats, b)
		case 3:
			l.keys = append(l.keys, string(b))
		case 4:
			val, err := decodeValue(b)
			if err != nil {
				return nil, err
			}
			l.values = append(l.values, val)
		case 5:
			l.extent = v
		}
	}
	for _, fb := range feats {
		f, err := l.decodeFeature(fb)
		if err != nil {
			return nil, err
		}
		l.features = append(l.features, f)
	}
	return l, nil
}

func decodeValue(b []byte) (any, error) {
	r := &pbReader{b}
	var out any
	for !r.done() {
		f, _, v, s, err := r.field()
		if err != nil {
			return nil, err
		}
		switch f {
		case 1:
			out = string(s)
		case 2:
			out = float64(math.Float32frombits(uint32(v)))
		case 3:
			out = math.Float64frombits(v)
		case 4:
			out = int64(v)
		case 5:
			out = v
		case 6:
			out = int64(v>>1) ^ -int64(v&1)
		case 7:
			out = v != 0
		}
	}
	return out, nil
}

func (l *decodedLayer) decodeFeature(b []byte) (decodedFeature, error) {
	f := decodedFeature{props: map[string]any{}}
	var tags, geom []uint32
	r := &pbReader{b}
	for !r.done() {
		n, _, v, bs, err := r.field()
		if err != nil {
			return f, err
		}
		switch n {
		case 1:
			f.id = v
		case 2:
			if tags, err = packed(bs); err != nil {
				return f, err
			}
		case 3:
			f.typ = v
		case 4:
			if geom, err = packed(bs); err != nil {
				return f, err
			}
		}
	}
	if len(tags)%2 != 0 {
		return f, fmt.Errorf("odd tags")
	}
	for i := 0; i < len(tags); i += 2 {
		if int(tags[i]) >= len(l.keys) || int(tags[i+1]) >= len(l.values) {
			return f, fmt.Errorf("tag out of range")
		}
		f.props[l.keys[tags[i]]] = l.values[tags[i+1]]
	}
	var err error
	f.polygons, err = decodeGeometry(f.typ, geom)
	return f, err
}

// decodeGeometry follows the command stream; for polygons a ring with positive area (tile
// coordinates) starts a new polygon and a negative one is a hole of the current polygon.
func decodeGeometry(typ uint64, g []uint32) ([][][][2]int64, error) {
	var x, y int64
	var rings [][][2]int64
	var cur [][2]int64
	for i := 0; i < len(g); {
		id, count := g[i]&7, int(g[i]>>3)
		i++
		switch id {
		case cmdMoveTo, cmdLineTo:
			if id == cmdMoveTo && typ == geomPolygon && len(cur) > 0 {
				return nil, fmt.Errorf("MoveTo inside an open ring")
			}
			for k := 0; k < count; k++ {
				if i+1 >= len(g) {
					return nil, fmt.Errorf("short geometry")
				}
				dx, dy := int64(int32(g[i]>>1)^-int32(g[i]&1)), int64(int32(g[i+1]>>1)^-int32(g[i+1]&1))
				i += 2
				x, y = x+dx, y+dy
				cur = append(cur, [2]int64{x, y})
			}
		case cmdClose:
			rings = append(rings, cur)
			cur = nil
		default:
			return nil, fmt.Errorf("command %d", id)
		}
	}
	if typ != geomPolygon {
		return [][][][2]int64{{cur}}, nil
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("unclosed ring")
	}
	var polys [][][][2]int64
	for _, r := range rings {
		a := ringArea2(r)
		switch {
		case a > 0:
			polys = append(polys, [][][2]int64{r})
		case a < 0 && len(polys) > 0:
			polys[len(polys)-1] = append(polys[len(polys)-1], r)
		default:
			return nil, fmt.Errorf("ring of area %d first or degenerate", a)
		}
	}
	return polys, nil
}

func ringArea2(r [][2]int64) int64 {
	var a int64
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a
}
