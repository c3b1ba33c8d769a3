package locate

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// frame is the bucket geometry shared by the lattices of all levels of a city, so one bucket
// number addresses the same rectangle in each.
type frame struct {
	bound  orb.Bound
	nx, ny int
	sx, sy float64 // buckets per degree
}

// bucketsPerArea sets the resolution: buckets over the whole bound per area of the finest
// level. Denser means more buckets wholly inside one area (no polygon test) for more memory.
// Measured on Wuhan (BenchmarkLocateWuhan, -cpu 1): 16, 32 and 64 all give about 3M lookups/s,
// the lookup being bound by cache misses more than by polygon tests; 32 is the middle, about
// 2.5 MB of cells per level for Wuhan's 18,000 grids.
const bucketsPerArea = 32

// maxBuckets caps the memory (4 bytes a bucket per level, plus lists).
const maxBuckets = 1 << 23

func newFrame(bound orb.Bound, areas int) frame {
	w, h := bound.Max[0]-bound.Min[0], bound.Max[1]-bound.Min[1]
	w, h = math.Max(w, 1e-9), math.Max(h, 1e-9)
	n := float64(min(max(areas*bucketsPerArea, 1), maxBuckets))
	side := math.Sqrt(w * h / n)
	f := frame{bound: bound}
	f.nx = min(max(int(math.Ceil(w/side)), 1), 1<<14)
	f.ny = min(max(int(math.Ceil(h/side)), 1), 1<<14)
	f.sx, f.sy = float64(f.nx)/w, float64(f.ny)/h
	return f
}

func (f *frame) col(x float64) int { return min(max(int((x-f.bound.Min[0])*f.sx), 0), f.nx-1) }
func (f *frame) row(y float64) int { return min(max(int((y-f.bound.Min[1])*f.sy), 0), f.ny-1) }

// bucket returns the bucket of p, or -1 outside the bound.
func (f *frame) bucket(p orb.Point) int {
	b := &f.bound
	if !(p[0] >= b.Min[0] && p[0] <= b.Max[0] && p[1] >= b.Min[1] && p[1] <= b.Max[1]) {
		return -1
	}
	return f.row(p[1])*f.nx + f.col(p[0])
}

// rect returns bucket (i, j) grown by a margin far larger than the rounding of the bucket
// arithmetic, so "no edge touches the grown rectangle" is safe to rely on.
func (f *frame) rect(i, j int) orb.Bound {
	w, h := 1/f.sx, 1/f.sy
	mx, my := w*1e-6, h*1e-6
	x0, y0 := f.bound.Min[0]+float64(i)*w, f.bound.Min[1]+float64(j)*h
	return orb.Bound{Min: orb.Point{x0 - mx, y0 - my}, Max: orb.Point{x0 + w + mx, y0 + h + my}}
}

// lattice is the flat bucket index of one level. A cell either names the one area that
// covers the whole bucket (answered with no polygon test) or points at a list, in code
// order, of the areas reaching into it.
type lattice struct {
	g          *geom
	cells      []uint32
	lists      []uint32 // at an offset: count, then (area<<1 | covers) entries
	candidates int      // list entries in all, for tests and tuning
}

const (
	fullBit    = 1 << 31 // cell: the bucket lies inside area cell&^(fullBit|finalBit)
	finalBit   = 1 << 30 // cell: no coarser level reaches into the bucket, a miss is final
	offsetMask = finalBit - 1
	coversBit  = 1 // list entry: the area covers the whole bucket
)

// find returns the lowest-code area of the level containing p (in bucket bi), or -1, and
// whether a miss is final.
func (l *lattice) find(bi int, p orb.Point) (int, bool) {
	c := l.cells[bi]
	if c&fullBit != 0 {
		return int(c &^ fullBit), true
	}
	off := c & offsetMask
	n := l.lists[off]
	for _, e := range l.lists[off+1 : off+1+n] {
		if e&coversBit != 0 || l.g.contains(int(e>>1), p) {
			return int(e >> 1), true
		}
	}
	return -1, c&finalBit != 0
}

// occupied reports whether any area reaches into bucket bi.
func (l *lattice) occupied(bi int) bool {
	c := l.cells[bi]
	return c&fullBit != 0 || l.lists[c&offsetMask] != 0
}

func newLattice(g *geom, f *frame) *lattice {
	l := &lattice{g: g}
	l.pack(f.nx*f.ny, f.pairs(g))
	return l
}

// pairs finds, per area, the buckets its edges touch and the buckets it covers, as
// bucket<<32 | area<<1 | covers.
func (f *frame) pairs(g *geom) []uint64 {
	stamp := make([]int32, f.nx*f.ny) // last area that touched the bucket, +1
	var pairs []uint64
	var xs []float64
	const m = 1e-6 // the margin of rect, in buckets
	for ai := 0; ai+1 < len(g.areas); ai++ {
		mark := int32(ai + 1)
		for q := g.areas[ai]; q < g.areas[ai+1]; q++ {
			for r := g.polys[q]; r < g.polys[q+1]; r++ {
				ring := g.ring(r)
				for k := 1; k < len(ring); k++ {
					a, b := ring[k-1], ring[k]
					for j := f.row(min(a[1], b[1]) - m/f.sy); j <= f.row(max(a[1], b[1])+m/f.sy); j++ {
						for i := f.col(min(a[0], b[0]) - m/f.sx); i <= f.col(max(a[0], b[0])+m/f.sx); i++ {
							bi := j*f.nx + i
							if stamp[bi] != mark && segmentTouches(a, b, f.rect(i, j)) {
								stamp[bi] = mark
								pairs = append(pairs, uint64(bi)<<32|uint64(ai)<<1)
							}
						}
					}
				}
			}
		}
		// Buckets no edge touches are wholly inside or wholly outside; a scanline through
		// the bucket centres, polygon by polygon, tells which (those centres are far from
		// every edge, so plain float arithmetic is exact enough there).
		for q := g.areas[ai]; q < g.areas[ai+1]; q++ {
			pb := g.pb[q]
			for j := f.row(pb.Min[1]); j <= f.row(pb.Max[1]); j++ {
				yc := f.bound.Min[1] + (float64(j)+0.5)/f.sy
				xs = g.scanline(q, yc, xs[:0])
				for k := 0; k+1 < len(xs); k += 2 {
					i0 := int(math.Ceil((xs[k]-f.bound.Min[0])*f.sx - 0.5))
					i1 := int(math.Floor((xs[k+1]-f.bound.Min[0])*f.sx - 0.5))
					for i := max(i0, 0); i <= min(i1, f.nx-1); i++ {
						bi := j*f.nx + i
						if stamp[bi] != mark {
							stamp[bi] = mark
							pairs = append(pairs, uint64(bi)<<32|uint64(ai)<<1|coversBit)
						}
					}
				}
			}
		}
	}
	return pairs
}

// pack turns the pairs into cells: a lone covering area is stored in the cell itself, anything
// else gets a list sorted by area index, which is code order, so the first hit is the lowest
// code.
func (l *lattice) pack(nb int, pairs []uint64) {
	slices.Sort(pairs)
	l.cells = make([]uint32, nb)
	l.lists = []uint32{0} // offset 0: the empty list
	for k := 0; k < len(pairs); {
		bi := int(pairs[k] >> 32)
		e := k
		for e < len(pairs) && int(pairs[e]>>32) == bi {
			e++
		}
		if e-k == 1 && pairs[k]&coversBit != 0 {
			l.cells[bi] = fullBit | uint32(pairs[k]&0xffffffff)>>1
		} else {
			l.cells[bi] = uint32(len(l.lists))
			l.lists = append(l.lists, uint32(e-k))
			for _, p := range pairs[k:e] {
				l.lists = append(l.lists, uint32(p&0xffffffff))
			}
			l.candidates += e - k
		}
		k = e
	}
	if len(l.lists) > offsetMask {
		panic("locate: lattice lists overflow") // would need 4G entries: far beyond maxBuckets
	}
}

// scanline appends to xs the sorted x where the edges of polygon q cross the line y = yc.
func (g *geom) scanline(q int32, yc float64, xs []float64) []float64 {
	for r := g.polys[q]; r < g.polys[q+1]; r++ {
		ring := g.ring(r)
		for k := 1; k < len(ring); k++ {
			a, b := ring[k-1], ring[k]
			if (a[1] > yc) != (b[1] > yc) {
				xs = append(xs, a[0]+(yc-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	return xs
}

// segmentTouches reports whether segment ab meets the closed rectangle r: their bounds
// overlap and the rectangle's corners are not all strictly on one side of the segment's line.
func segmentTouches(a, b orb.Point, r orb.Bound) bool {
	if max(a[0], b[0]) < r.Min[0] || min(a[0], b[0]) > r.Max[0] ||
		max(a[1], b[1]) < r.Min[1] || min(a[1], b[1]) > r.Max[1] {
		return false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	side := func(x, y float64) float64 { return dx*(y-a[1]) - dy*(x-a[0]) }
	s1, s2 := side(r.Min[0], r.Min[1]), side(r.Max[0], r.Min[1])
	s3, s4 := side(r.Max[0], r.Max[1]), side(r.Min[0], r.Max[1])
	return !(s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) && !(s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0)
}
