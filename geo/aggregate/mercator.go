package aggregate

import (
	"math"

	"github.com/paulmach/orb"
)

// earthRadius is the sphere radius of Web Mercator (EPSG:3857), in metres.
const earthRadius = 6378137.0

// maxLat is where Web Mercator's square ends.
const maxLat = 85.05112877980659

func mercator(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	return orb.Point{
		earthRadius * p[0] * math.Pi / 180,
		earthRadius * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)),
	}
}

func toLonLat(m orb.Point) orb.Point {
	return orb.Point{
		m[0] / earthRadius * 180 / math.Pi,
		(2*math.Atan(math.Exp(m[1]/earthRadius)) - math.Pi/2) * 180 / math.Pi,
	}
}

func validLonLat(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}
