package coord

import (
	"math"

	"github.com/paulmach/orb"
)

// GCJ-02 moves a WGS84 point by an offset that is a published closed-form function of the
// position (a polynomial plus sine terms in degrees from (105°E, 35°N)), scaled from metres to
// degrees on the Krasovsky 1940 ellipsoid. The function is public; its inverse is not closed
// form, so it is solved by iteration.
const (
	krasovskyA  = 6378245.0              // semi-major axis, metres
	krasovskyEE = 0.00669342162296594323 // first eccentricity squared
)

// inChina is the rough bounding box the common implementations use to decide whether a point
// is shifted at all: outside it GCJ-02 and BD-09 equal WGS84. It is a box, not the border,
// so points in neighbouring countries near China are shifted too, as they are by the map
// providers themselves.
func inChina(p orb.Point) bool {
	return p[0] >= 72.004 && p[0] <= 137.8347 && p[1] >= 0.8293 && p[1] <= 55.8271
}

// offsetMetres are the two published series, in Krasovsky "metres" (before scaling).
func offsetMetres(x, y float64) (dLon, dLat float64) {
	// shared periodic terms of the two series
	s := (20*math.Sin(6*math.Pi*x) + 20*math.Sin(2*math.Pi*x)) * 2 / 3
	dLat = -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x)) + s +
		(20*math.Sin(math.Pi*y)+40*math.Sin(math.Pi*y/3))*2/3 +
		(160*math.Sin(math.Pi*y/12)+320*math.Sin(math.Pi*y/30))*2/3
	dLon = 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x)) + s +
		(20*math.Sin(math.Pi*x)+40*math.Sin(math.Pi*x/3))*2/3 +
		(150*math.Sin(math.Pi*x/12)+300*math.Sin(math.Pi*x/30))*2/3
	return dLon, dLat
}

// gcjOffset is the GCJ-02 shift of a WGS84 point, in degrees.
func gcjOffset(p orb.Point) (dLon, dLat float64) {
	if !inChina(p) {
		return 0, 0
	}
	mx, my := offsetMetres(p[0]-105, p[1]-35)
	rad := p[1] * math.Pi / 180
	sin := math.Sin(rad)
	w := 1 - krasovskyEE*sin*sin
	sw := math.Sqrt(w)
	// metres to degrees: meridional radius of curvature M = a(1-e²)/W³ for latitude,
	// parallel radius N·cosφ = a/W·cosφ for longitude
	dLat = my * 180 / (krasovskyA * (1 - krasovskyEE) / (w * sw) * math.Pi)
	dLon = mx * 180 / (krasovskyA / sw * math.Cos(rad) * math.Pi)
	return dLon, dLat
}

func wgsToGCJ(p orb.Point) orb.Point {
	dLon, dLat := gcjOffset(p)
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// gcjToWGS solves wgsToGCJ(w) = g by fixed-point iteration w ← g − offset(w). The offset
// changes by well under 1 % of a step per step (its derivative is tiny), so this converges
// geometrically; 1e-10° is about 0.01 mm. The one-step approximation g − offset(g) is off by
// up to a few metres, which is why it is not used.
func gcjToWGS(g orb.Point) orb.Point {
	if !inChina(g) {
		return g
	}
	w := g
	for range 30 {
		dLon, dLat := gcjOffset(w)
		next := orb.Point{g[0] - dLon, g[1] - dLat}
		done := math.Abs(next[0]-w[0]) < 1e-11 && math.Abs(next[1]-w[1]) < 1e-11
		w = next
		if done {
			break
		}
	}
	return w
}

// Baidu's BD-09 rotates and scales GCJ-02 slightly around the origin and adds a fixed offset.
const xPi = math.Pi * 3000.0 / 180.0

func gcjToBD(g orb.Point) orb.Point {
	if !inChina(g) {
		return g
	}
	x, y := g[0], g[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*xPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// bdToGCJ starts from the usual closed-form approximate inverse and refines it by Newton-free
// iteration (the map is a near-identity), so BD-09 round trips are as tight as GCJ-02 ones.
func bdToGCJ(b orb.Point) orb.Point {
	if !inChina(b) {
		return b
	}
	x, y := b[0]-0.0065, b[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*xPi)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for range 10 {
		f := gcjToBD(g)
		ex, ey := b[0]-f[0], b[1]-f[1]
		g = orb.Point{g[0] + ex, g[1] + ey}
		if math.Abs(ex) < 1e-11 && math.Abs(ey) < 1e-11 {
			break
		}
	}
	return g
}
