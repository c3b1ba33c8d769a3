package cases

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/geo/coord"
)

// Source is the channel a case came in through.
type Source string

// The intake sources of DESIGN.md §4.
const (
	SourceHotline    Source = "hotline"      // 12345 citizen hotline
	SourcePatrol     Source = "patrol"       // grid inspector (网格员/监督员)
	SourceVideo      Source = "video"        // video AI
	SourceSensor     Source = "sensor"       // IoT alarm escalated to a case
	SourceOpen311    Source = "open311"      // Open311 GeoReport v2 clients
	SourceHigher     Source = "higher-level" // assigned by a higher authority (上级交办)
	SourceMedia      Source = "media"        // press and social media
	SourceEnterprise Source = "enterprise"   // reported by companies
)

// Sources lists every valid source.
var Sources = []Source{SourceHotline, SourcePatrol, SourceVideo, SourceSensor, SourceOpen311, SourceHigher, SourceMedia, SourceEnterprise}

// Valid reports whether s is one of Sources.
func (s Source) Valid() bool {
	for _, v := range Sources {
		if s == v {
			return true
		}
	}
	return false
}

// Point is a position. Events always hold WGS84 (CRS empty); commands may give GCJ-02 or BD-09
// with an explicit crs, converted when the command is decided.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
	CRS string  `json:"crs,omitempty"`
}

// normalized returns p in WGS84, or an invalid error naming field: an unknown crs, or a
// position that is not on Earth.
func (p *Point) normalized(field string) (*Point, error) {
	if p == nil {
		return nil, nil
	}
	sys, err := coord.ParseSystem(p.CRS)
	if err != nil {
		return nil, domain.Invalid(field+".crs", "%v", err)
	}
	if err := p.Validate(field); err != nil {
		return nil, err
	}
	w, err := coord.ToWGS84(sys, orb.Point{p.Lon, p.Lat})
	if err != nil {
		return nil, domain.Invalid(field, "%v", err)
	}
	return &Point{Lon: w[0], Lat: w[1]}, nil
}

// Validate returns an invalid error naming field when p is not a position on Earth.
func (p Point) Validate(field string) error {
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return domain.Invalid(field+".lon", "%v is not a longitude in [-180, 180]", p.Lon)
	}
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return domain.Invalid(field+".lat", "%v is not a latitude in [-90, 90]", p.Lat)
	}
	return nil
}

// Location is where a case is: a point, an address, and the codes of the areas that contain it
// (filled by the city model when the case is located).
type Location struct {
	Point             *Point `json:"point,omitempty"`
	Address           string `json:"address,omitempty"`
	District          string `json:"district,omitempty"`
	Street            string `json:"street,omitempty"`
	Community         string `json:"community,omitempty"`
	Grid              string `json:"grid,omitempty"`
	OutOfJurisdiction bool   `json:"outOfJurisdiction,omitempty"`
}

// Validate checks a proposed location: a point or an address is needed, and codes are short
// plain tokens.
func (l Location) Validate(field string) error {
	if l.Point == nil && strings.TrimSpace(l.Address) == "" {
		return domain.Invalid(field, "a point or an address is needed")
	}
	if _, err := l.Point.normalized(field + ".point"); err != nil {
		return err
	}
	if err := checkText(field+".address", l.Address, false, maxShortText); err != nil {
		return err
	}
	for _, c := range [...]struct{ name, code string }{{"district", l.District}, {"street", l.Street}, {"community", l.Community}, {"grid", l.Grid}} {
		if err := checkCode(field+"."+c.name, c.code); err != nil {
			return err
		}
	}
	return nil
}

// normalized returns l with its point in WGS84 and, when the city model is known, the codes
// of the areas that contain it (the model's codes win over the caller's; a point in no
// district is accepted and marked out of jurisdiction).
func (l Location) normalized(field string, locate func(Point) Location) (Location, error) {
	p, err := l.Point.normalized(field + ".point")
	if err != nil || p == nil {
		return l, err
	}
	l.Point = p
	if locate == nil {
		return l, nil
	}
	found := locate(*p)
	l.OutOfJurisdiction = found.OutOfJurisdiction
	if !found.OutOfJurisdiction {
		l.District, l.Street, l.Community, l.Grid = found.District, found.Street, found.Community, found.Grid
	}
	return l, nil
}

// Reporter is the citizen behind a report. It is personal data: masked for roles that may
// not see it.
type Reporter struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Text limits: long enough for any real note, short enough that no field can flood an event.
const (
	maxShortText = 500
	maxLongText  = 8000
	maxPhotos    = 20
	maxCodeLen   = 64
)

func checkText(field, s string, required bool, max int) error {
	if required && strings.TrimSpace(s) == "" {
		return domain.Invalid(field, "is required")
	}
	if len(s) > max {
		return domain.Invalid(field, "is %d bytes, at most %d", len(s), max)
	}
	for _, r := range s {
		if r == 0 || r == '\uFFFD' {
			return domain.Invalid(field, "contains a NUL or invalid UTF-8")
		}
	}
	return nil
}

func checkCode(field, s string) error {
	if len(s) > maxCodeLen {
		return domain.Invalid(field, "is %d bytes, at most %d", len(s), maxCodeLen)
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return domain.Invalid(field, "%q may hold only letters, digits, '-', '_' and '.'", s)
		}
	}
	return nil
}

func checkPhotos(field string, photos []string) error {
	if len(photos) > maxPhotos {
		return domain.Invalid(field, "%d photos, at most %d", len(photos), maxPhotos)
	}
	for i, p := range photos {
		if err := checkText(field+"["+strconv.Itoa(i)+"]", p, true, maxShortText); err != nil {
			return err
		}
	}
	return nil
}
