// Package coord converts points between the coordinate systems city data and reports come in:
// WGS84 (GPS, GeoJSON), GCJ-02 (the Chinese national obfuscation that AMap, Tencent and most
// Chinese data sets use) and BD-09 (Baidu, GCJ-02 with a further offset). Everything inside
// Chengyun is WGS84; points are converted once, where they enter.
package coord

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// System names a coordinate system.
type System string

// The supported systems.
const (
	WGS84 System = "wgs84"
	GCJ02 System = "gcj02"
	BD09  System = "bd09"
)

// Systems lists the supported systems.
var Systems = []System{WGS84, GCJ02, BD09}

// aliases maps the accepted spellings (lower case) to systems.
var aliases = map[string]System{
	"":          WGS84, // data without a stated system is GeoJSON's default
	"wgs84":     WGS84,
	"epsg:4326": WGS84,
	"gcj02":     GCJ02,
	"gcj-02":    GCJ02,
	"bd09":      BD09,
	"bd-09":     BD09,
}

// ParseSystem parses a system name, case-insensitively; the empty string is WGS84.
func ParseSystem(s string) (System, error) {
	if sys, ok := aliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return sys, nil
	}
	return "", fmt.Errorf("unknown coordinate system %q: use wgs84 (or epsg:4326), gcj02 (or gcj-02) or bd09 (or bd-09)", s)
}

// ToWGS84 converts p from sys to WGS84.
func ToWGS84(sys System, p orb.Point) (orb.Point, error) {
	if err := check(sys, p); err != nil {
		return p, err
	}
	switch sys {
	case GCJ02:
		return gcjToWGS(p), nil
	case BD09:
		return gcjToWGS(bdToGCJ(p)), nil
	}
	return p, nil
}

// FromWGS84 converts p from WGS84 to sys.
func FromWGS84(sys System, p orb.Point) (orb.Point, error) {
	if err := check(sys, p); err != nil {
		return p, err
	}
	switch sys {
	case GCJ02:
		return wgsToGCJ(p), nil
	case BD09:
		return gcjToBD(wgsToGCJ(p)), nil
	}
	return p, nil
}

// check refuses unknown systems and points that are not on the earth: NaN and infinities
// would otherwise travel silently through the trigonometry.
func check(sys System, p orb.Point) error {
	switch sys {
	case WGS84, GCJ02, BD09:
	default:
		_, err := ParseSystem(string(sys))
		if err != nil {
			return err
		}
		return fmt.Errorf("coordinate system %q is not canonical: parse it with ParseSystem", sys)
	}
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return fmt.Errorf("point (%v, %v) is not a finite longitude/latitude", p[0], p[1])
	}
	if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("point (%v, %v) is out of range: longitude must be in [-180, 180], latitude in [-90, 90]", p[0], p[1])
	}
	return nil
}
