package city

import (
	"cmp"
	"errors"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// lattice is the city-wide square grid generated grids are cut from. It is square in the
// Lambert cylindrical equal-area projection with its standard parallel through the city's
// middle: in that projection meridians and parallels are straight, so the lattice lines are
// meridians and parallels and every cell is a lon/lat rectangle (clipping stays in degrees),
// and every cell has the same area on the sphere (the parallels are spaced by sin φ). Over a
// city the cells are squares on the ground to within a fraction of a percent.
type lattice struct {
	xs, ys  []float64 // line longitudes and latitudes, ascending
	cellKm2 float64
}

const deg = math.Pi / 180

// errOnLine says a vertex lies on a lattice line, or an edge passes (almost) through a
// lattice corner; the cutter then retries with the lattice shifted a little.
var errOnLine = errors.New("vertex on a lattice line")

// newLattice covers b with cells of areaKm2. attempt shifts the origin by a different
// fraction of a cell on each retry (deterministically: same input, same lattice).
func newLattice(b orb.Bound, areaKm2 float64, attempt int) *lattice {
	side := math.Sqrt(areaKm2) * 1000
	cos0 := math.Cos((b.Min[1] + b.Max[1]) / 2 * deg)
	const r = orb.EarthRadius
	frac := math.Mod(0.5+float64(attempt)*0.618033988749895, 1) // golden-ratio steps never repeat
	lt := &lattice{cellKm2: areaKm2}
	dLon := side / (r * cos0) / deg
	x0 := b.Min[0] - frac*dLon
	for i := 0; ; i++ {
		x := x0 + float64(i)*dLon
		lt.xs = append(lt.xs, x)
		if x > b.Max[0] || i > maxCells {
			break
		}
	}
	y0 := r*math.Sin(b.Min[1]*deg)/cos0 - frac*side
	for j := 0; ; j++ {
		s := (y0 + float64(j)*side) * cos0 / r
		y := math.Asin(max(-1, min(1, s))) / deg
		lt.ys = append(lt.ys, y)
		if y > b.Max[1] || s >= 1 || j > maxCells { // the caller bounds the cell count; this bounds the loop
			break
		}
	}
	return lt
}

// nx is the number of cell columns.
func (lt *lattice) nx() int { return len(lt.xs) - 1 }

// cellBound is the rectangle of cell id.
func (lt *lattice) cellBound(id int) (x0, y0, x1, y1 float64) {
	i, j := id%lt.nx(), id/lt.nx()
	return lt.xs[i], lt.ys[j], lt.xs[i+1], lt.ys[j+1]
}

// index is the k with lines[k] <= v < lines[k+1], clamped to the lattice.
func index(lines []float64, v float64) int {
	k, _ := slices.BinarySearch(lines, v)
	if k == len(lines) || lines[k] > v {
		k--
	}
	return max(0, min(k, len(lines)-2))
}

func (lt *lattice) cellOf(p orb.Point) int {
	return index(lt.ys, p[1])*lt.nx() + index(lt.xs, p[0])
}

func onLine(lines []float64, v float64) bool {
	_, found := slices.BinarySearch(lines, v)
	return found
}

// Kinds of ring points after split.
const (
	vertex = iota // an original vertex: on no lattice line
	onX           // a crossing of a meridian line: its longitude is exactly a line's
	onY           // a crossing of a parallel line: its latitude is exactly a line's
)

// split inserts, into a closed ring, the points where its edges cross lattice lines. The
// crossing of an edge with a line is computed once, from the edge, so the two cells on either
// side of the line get the identical point: that is what lets the union of neighbouring
// pieces cancel their shared edges exactly. The result is open (no repeated first point).
func (lt *lattice) split(r orb.Ring) (pts []orb.Point, kinds []int8, err error) {
	type hit struct {
		t    float64
		p    orb.Point
		kind int8
	}
	var hits []hit
	for k := 0; k+1 < len(r); k++ {
		a, b := r[k], r[k+1]
		if onLine(lt.xs, a[0]) || onLine(lt.ys, a[1]) {
			return nil, nil, errOnLine
		}
		pts, kinds = append(pts, a), append(kinds, vertex)
		hits = hits[:0]
		lo, hi := min(a[0], b[0]), max(a[0], b[0])
		for i := index(lt.xs, lo) + 1; i < len(lt.xs) && lt.xs[i] < hi; i++ {
			if x := lt.xs[i]; x > lo {
				t := (x - a[0]) / (b[0] - a[0])
				hits = append(hits, hit{t, orb.Point{x, a[1] + t*(b[1]-a[1])}, onX})
			}
		}
		lo, hi = min(a[1], b[1]), max(a[1], b[1])
		for j := index(lt.ys, lo) + 1; j < len(lt.ys) && lt.ys[j] < hi; j++ {
			if y := lt.ys[j]; y > lo {
				t := (y - a[1]) / (b[1] - a[1])
				hits = append(hits, hit{t, orb.Point{a[0] + t*(b[0]-a[0]), y}, onY})
			}
		}
		slices.SortFunc(hits, func(h, g hit) int { return cmp.Compare(h.t, g.t) })
		for n, h := range hits {
			// An edge through (or within rounding of) a lattice corner would make the order of
			// its two crossings, and so the cell between them, a matter of rounding: refuse, and
			// the caller shifts the lattice.
			if n > 0 && h.t-hits[n-1].t < 1e-9 || h.kind == onX && onLine(lt.ys, h.p[1]) || h.kind == onY && onLine(lt.xs, h.p[0]) {
				return nil, nil, errOnLine
			}
			pts, kinds = append(pts, h.p), append(kinds, h.kind)
		}
	}
	return pts, kinds, nil
}

// edgeCell is the cell an edge between consecutive split points lies in. An endpoint that is
// not on a line of a direction fixes the column (or row) without rounding doubt; only an edge
// from line to line uses its midpoint, which is then half a cell from either line.
func (lt *lattice) edgeCell(p, q orb.Point, kp, kq int8) int {
	col := func(lines []float64, k int, kind int8) int {
		switch {
		case kp != kind:
			return index(lines, p[k])
		case kq != kind:
			return index(lines, q[k])
		}
		return index(lines, (p[k]+q[k])/2)
	}
	return col(lt.ys, 1, onY)*lt.nx() + col(lt.xs, 0, onX)
}
