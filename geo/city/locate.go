package city

import (
	"math"

	"github.com/paulmach/orb"
)

// spatialIndex buckets areas by their bounds on a uniform grid over the layer, so finding the
// area at a point tests only the few whose bounds share its bucket.
type spatialIndex struct {
	bound   orb.Bound
	nx, ny  int
	buckets [][]int32
	areas   []*Area
}

func newSpatialIndex(areas []*Area) *spatialIndex {
	s := &spatialIndex{areas: areas}
	if len(areas) == 0 {
		return s
	}
	s.bound = areas[0].Bound
	for _, a := range areas[1:] {
		s.bound = s.bound.Union(a.Bound)
	}
	side := max(1, min(512, int(math.Ceil(math.Sqrt(float64(len(areas)))))))
	s.nx, s.ny = side, side
	s.buckets = make([][]int32, s.nx*s.ny)
	for k, a := range areas {
		i0, j0 := s.bucket(a.Bound.Min)
		i1, j1 := s.bucket(a.Bound.Max)
		for j := j0; j <= j1; j++ {
			for i := i0; i <= i1; i++ {
				s.buckets[j*s.nx+i] = append(s.buckets[j*s.nx+i], int32(k))
			}
		}
	}
	return s
}

func (s *spatialIndex) bucket(p orb.Point) (int, int) {
	f := func(v, lo, hi float64, n int) int {
		if hi <= lo {
			return 0
		}
		return max(0, min(n-1, int((v-lo)/(hi-lo)*float64(n))))
	}
	return f(p[0], s.bound.Min[0], s.bound.Max[0], s.nx), f(p[1], s.bound.Min[1], s.bound.Max[1], s.ny)
}

// each calls fn for every area containing p, in layer order.
func (s *spatialIndex) each(p orb.Point, fn func(*Area)) {
	if len(s.areas) == 0 || !s.bound.Contains(p) {
		return
	}
	i, j := s.bucket(p)
	for _, k := range s.buckets[j*s.nx+i] {
		if a := s.areas[k]; a.Contains(p) {
			fn(a)
		}
	}
}

// At returns the area of level l that contains p (WGS84), or nil when p is outside the city.
// The levels partition the city, so there is at most one.
func (c *City) At(l Level, p orb.Point) *Area {
	var found *Area
	if s := c.spatial[l]; s != nil {
		s.each(p, func(a *Area) {
			if found == nil {
				found = a
			}
		})
		return found
	}
	for _, a := range c.Layer(l) { // a City built by hand, without Index
		if a.Contains(p) {
			return a
		}
	}
	return nil
}
