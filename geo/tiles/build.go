package tiles

import (
	"bytes"
	"compress/gzip"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// build makes one tile: select the features by bound (R-tree), take each one's geometry
// simplified for the zoom, project it to tile coordinates, clip it to the tile plus the
// buffer, snap it to the integer grid, encode and gzip.
func (s *Server) build(l *layer, z, x, y uint32) ([]byte, error) {
	w := newLayerWriter(l.name)
	if l.geo == nil {
		s.buildLabels(w, z, x, y)
	} else {
		s.buildPolygons(w, l, z, x, y)
	}
	if w.n == 0 {
		return nil, nil
	}
	return s.gzip(w.appendTo(nil))
}

// tileProj maps world coordinates to the extent of one tile.
type tileProj struct {
	scale, ox, oy float64
}

func newTileProj(z, x, y uint32) tileProj {
	return tileProj{scale: Extent * float64(uint64(1)<<z), ox: float64(x) * Extent, oy: float64(y) * Extent}
}

func (p tileProj) apply(w orb.Point) orb.Point {
	return orb.Point{w[0]*p.scale - p.ox, w[1]*p.scale - p.oy}
}

func (s *Server) buildPolygons(w *layerWriter, l *layer, z, x, y uint32) {
	zs := min(z, DetailZoom)
	buf := s.opts.Buffer
	q := tileBound(z, x, y, buf/Extent)
	ids := l.geo.tree.search(q, nil)
	slices.Sort(ids) // code order, so a tile's bytes do not depend on the tree
	proj := newTileProj(z, x, y)
	box := orb.Bound{Min: orb.Point{-buf, -buf}, Max: orb.Point{Extent + buf, Extent + buf}}
	var enc geomEncoder
	var scratch ringScratch
	for _, id := range ids {
		f := l.geo.feats[id]
		g := f.simplified(zs, s.opts.Tolerance)
		enc.reset()
		for _, p := range g {
			scratch.polygon(&enc, p, proj, q, box)
		}
		if len(enc.cmds) == 0 {
			continue
		}
		a := f.area
		w.tag("code", strVal(a.Code))
		w.tag("name", strVal(a.Name))
		w.tag("parent", strVal(a.Parent))
		w.tag("generated", boolVal(a.Generated))
		if l.agg != nil {
			w.tag("count", intVal(l.agg.Get(a.Code)))
		}
		w.feature(uint64(id)+1, geomPolygon, enc.cmds)
	}
}

func (s *Server) buildLabels(w *layerWriter, z, x, y uint32) {
	buf := s.opts.Buffer
	ids := s.labels.tree.search(tileBound(z, x, y, buf/Extent), nil)
	slices.Sort(ids)
	proj := newTileProj(z, x, y)
	var enc geomEncoder
	for _, id := range ids {
		lb := &s.labels.pts[id]
		if z < s.labelZoom(lb.area.Level) {
			continue
		}
		p := proj.apply(lb.world)
		if p[0] < -buf || p[1] < -buf || p[0] > Extent+buf || p[1] > Extent+buf {
			continue
		}
		enc.reset()
		enc.point(clampInt32(p[0]), clampInt32(p[1]))
		a := lb.area
		w.tag("code", strVal(a.Code))
		w.tag("name", strVal(a.Name))
		w.tag("level", strVal(string(a.Level)))
		w.tag("parent", strVal(a.Parent))
		w.feature(uint64(id)+1, geomPoint, enc.cmds)
	}
}

// ringScratch holds the buffers of one tile's polygon work, reused across features.
type ringScratch struct {
	pts    orb.Ring
	xs, ys []int32
}

// polygon encodes one polygon (world coordinates) into the tile, or nothing if it falls
// outside or collapses once snapped to the integer grid.
func (sc *ringScratch) polygon(enc *geomEncoder, p orb.Polygon, proj tileProj, q, box orb.Bound) {
	if len(p) == 0 || !p[0].Bound().Intersects(q) {
		return
	}
	for i, r := range p {
		if !sc.ring(enc, r, proj, box, i == 0) && i == 0 {
			return // no outer ring in this tile: nothing of the polygon either
		}
	}
}

// ring projects, clips and snaps one ring and encodes it with the winding MVT wants: outer
// rings positive area in tile coordinates (clockwise on screen, y down), holes negative.
func (sc *ringScratch) ring(enc *geomEncoder, r orb.Ring, proj tileProj, box orb.Bound, outer bool) bool {
	pr := sc.pts[:0]
	inside := true
	for _, pt := range r {
		t := proj.apply(pt)
		inside = inside && box.Contains(t)
		pr = append(pr, t)
	}
	sc.pts = pr
	if !inside {
		pr = clip.Ring(box, pr) // clip works in place on its input: pr is our scratch copy
		if len(pr) == 0 {
			return false
		}
	}
	xs, ys := sc.xs[:0], sc.ys[:0]
	for _, t := range pr {
		ix, iy := clampInt32(t[0]), clampInt32(t[1])
		if n := len(xs); n > 0 && xs[n-1] == ix && ys[n-1] == iy {
			continue
		}
		xs, ys = append(xs, ix), append(ys, iy)
	}
	for len(xs) > 1 && xs[len(xs)-1] == xs[0] && ys[len(ys)-1] == ys[0] {
		xs, ys = xs[:len(xs)-1], ys[:len(ys)-1] // MVT closes rings itself
	}
	sc.xs, sc.ys = xs, ys
	if len(xs) < 3 {
		return false
	}
	var a2 int64
	for i := range xs {
		j := (i + 1) % len(xs)
		a2 += int64(xs[i])*int64(ys[j]) - int64(xs[j])*int64(ys[i])
	}
	if a2 == 0 {
		return false
	}
	if (a2 > 0) != outer {
		slices.Reverse(xs)
		slices.Reverse(ys)
	}
	enc.ring(xs, ys)
	return true
}

func (s *Server) gzip(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(raw)/3 + 64)
	zw := s.gz.Get().(*gzip.Writer)
	defer s.gz.Put(zw)
	zw.Reset(&b)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
