package tiles

import "math"

// A hand-written Mapbox Vector Tile (v2.1) encoder. orb's encoding/mvt would do, but it needs
// gogo/protobuf and a BSON library, which the geo layer may not import (architecture_test.go);
// the format is small enough that writing the protobuf wire format directly is simpler and
// faster: no intermediate message tree, one buffer per layer.

// Extent is the tile coordinate range of every layer.
const Extent = 4096

// MVT geometry types and commands.
const (
	geomPoint   = 1
	geomPolygon = 3
	cmdMoveTo   = 1
	cmdLineTo   = 2
	cmdClose    = 7
)

// value is a property value as MVT stores it: a string, an int or a bool.
type value struct {
	kind byte // 's', 'i', 'b'
	s    string
	i    int64
}

func strVal(s string) value { return value{kind: 's', s: s} }
func intVal(i int64) value  { return value{kind: 'i', i: i} }
func boolVal(b bool) value {
	if b {
		return value{kind: 'b', i: 1}
	}
	return value{kind: 'b'}
}

// layerWriter accumulates the features of one MVT layer.
type layerWriter struct {
	name     string
	features []byte
	keys     []string
	keyIdx   map[string]uint32
	vals     []value
	valIdx   map[value]uint32
	n        int
	tags     []uint32
	geom     []uint32
}

func newLayerWriter(name string) *layerWriter {
	return &layerWriter{name: name, keyIdx: map[string]uint32{}, valIdx: map[value]uint32{}}
}

// tag adds a key/value pair to the feature being built.
func (w *layerWriter) tag(k string, v value) {
	ki, ok := w.keyIdx[k]
	if !ok {
		ki = uint32(len(w.keys))
		w.keyIdx[k] = ki
		w.keys = append(w.keys, k)
	}
	vi, ok := w.valIdx[v]
	if !ok {
		vi = uint32(len(w.vals))
		w.valIdx[v] = vi
		w.vals = append(w.vals, v)
	}
	w.tags = append(w.tags, ki, vi)
}

// feature writes a feature with the tags added since the last one and geometry commands g.
func (w *layerWriter) feature(id uint64, typ uint32, g []uint32) {
	var body []byte
	body = appendTag(body, 1, 0)
	body = appendVarint(body, id)
	body = appendPacked(body, 2, w.tags)
	body = appendTag(body, 3, 0)
	body = appendVarint(body, uint64(typ))
	body = appendPacked(body, 4, g)
	w.features = appendTag(w.features, 2, 2)
	w.features = appendVarint(w.features, uint64(len(body)))
	w.features = append(w.features, body...)
	w.tags = w.tags[:0]
	w.n++
}

// appendTo appends the layer as field 3 of a Tile message.
func (w *layerWriter) appendTo(tile []byte) []byte {
	var l []byte
	l = appendTag(l, 15, 0)
	l = appendVarint(l, 2)
	l = appendString(l, 1, w.name)
	l = append(l, w.features...)
	for _, k := range w.keys {
		l = appendString(l, 3, k)
	}
	for _, v := range w.vals {
		var m []byte
		switch v.kind {
		case 's':
			m = appendString(m, 1, v.s)
		case 'i':
			m = appendTag(m, 4, 0)
			m = appendVarint(m, uint64(v.i))
		case 'b':
			m = appendTag(m, 7, 0)
			m = appendVarint(m, uint64(v.i))
		}
		l = appendTag(l, 4, 2)
		l = appendVarint(l, uint64(len(m)))
		l = append(l, m...)
	}
	l = appendTag(l, 5, 0)
	l = appendVarint(l, Extent)
	tile = appendTag(tile, 3, 2)
	tile = appendVarint(tile, uint64(len(l)))
	return append(tile, l...)
}

// geomEncoder writes geometry commands with the cursor carried between rings, as MVT wants.
type geomEncoder struct {
	cmds   []uint32
	cx, cy int32
}

func (e *geomEncoder) reset() { e.cmds, e.cx, e.cy = e.cmds[:0], 0, 0 }

// ring writes a polygon ring given as integer tile coordinates without the closing point.
func (e *geomEncoder) ring(xs, ys []int32) {
	e.cmds = append(e.cmds, command(cmdMoveTo, 1))
	e.delta(xs[0], ys[0])
	e.cmds = append(e.cmds, command(cmdLineTo, len(xs)-1))
	for i := 1; i < len(xs); i++ {
		e.delta(xs[i], ys[i])
	}
	e.cmds = append(e.cmds, command(cmdClose, 1))
}

// point writes a single point.
func (e *geomEncoder) point(x, y int32) {
	e.cmds = append(e.cmds, command(cmdMoveTo, 1))
	e.delta(x, y)
}

func (e *geomEncoder) delta(x, y int32) {
	dx, dy := x-e.cx, y-e.cy
	e.cmds = append(e.cmds, zigzag(dx), zigzag(dy))
	e.cx, e.cy = x, y
}

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }
func zigzag(v int32) uint32        { return uint32((v << 1) ^ (v >> 31)) }

func appendTag(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendString(b []byte, field int, s string) []byte {
	b = appendTag(b, field, 2)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendPacked(b []byte, field int, vs []uint32) []byte {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	b = appendTag(b, field, 2)
	b = appendVarint(b, uint64(n))
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// clampInt32 keeps tile coordinates in range whatever a caller's geometry does.
func clampInt32(f float64) int32 {
	return int32(math.Max(math.MinInt32/2, math.Min(math.MaxInt32/2, math.Round(f))))
}
