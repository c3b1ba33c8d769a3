package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// World coordinates are Web Mercator scaled to the unit square, x east and y south, the frame
// of the z/x/y tile scheme: tile (z, x, y) covers [x, x+1]×[y, y+1] / 2^z. Geometry is
// projected once into this frame, so a tile only scales and shifts it.

// maxLat is the latitude where Web Mercator's square ends.
const maxLat = 85.05112877980659

// toWorld projects lon/lat to world coordinates.
func toWorld(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return orb.Point{
		(p[0] + 180) / 360,
		0.5 - math.Log((1+s)/(1-s))/(4*math.Pi),
	}
}

// toLonLat is the inverse of toWorld.
func toLonLat(p orb.Point) orb.Point {
	n := math.Pi - 2*math.Pi*p[1]
	return orb.Point{p[0]*360 - 180, 180 / math.Pi * math.Atan(math.Sinh(n))}
}

// worldBound projects a lon/lat bound; y flips, so south becomes Max.
func worldBound(b orb.Bound) orb.Bound {
	lo, hi := toWorld(orb.Point{b.Min[0], b.Max[1]}), toWorld(orb.Point{b.Max[0], b.Min[1]})
	return orb.Bound{Min: lo, Max: hi}
}

// tileBound is the world bound of tile (z, x, y) grown by buf of its own width on each side.
func tileBound(z, x, y uint32, buf float64) orb.Bound {
	s := 1 / float64(uint64(1)<<z)
	return orb.Bound{
		Min: orb.Point{(float64(x) - buf) * s, (float64(y) - buf) * s},
		Max: orb.Point{(float64(x) + 1 + buf) * s, (float64(y) + 1 + buf) * s},
	}
}

// projectMultiPolygon projects every point of mp to world coordinates into new slices.
func projectMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			nr := make(orb.Ring, len(r))
			for k, pt := range r {
				nr[k] = toWorld(pt)
			}
			out[i][j] = nr
		}
	}
	return out
}
