package projections

import (
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// Limits of the map's case points.
const (
	DefaultMapLimit = 2000
	MaxMapLimit     = 20000
)

// BBox is a WGS84 box: west, south, east, north.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

func (b *BBox) contains(p *cases.Point) bool {
	return b == nil || p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// MapQuery picks the case points of the live map: open cases with a point.
type MapQuery struct {
	BBox     *BBox
	Status   []cases.Status // any of these open statuses; empty for all open cases
	District string         // only this district's cases ("" for all)
	Limit    int            // 1..MaxMapLimit; 0 is DefaultMapLimit
	// At, when set, is the map as it stood then: the cases reported by At and open at At,
	// with their status and SLA of that instant (the time-travel slider's map).
	At time.Time
}

// FeatureCollection is GeoJSON (RFC 7946) of case points.
type FeatureCollection struct {
	Type      string    `json:"type"` // "FeatureCollection"
	Features  []Feature `json:"features"`
	Total     int       `json:"total"`     // matching points the principal may see
	Truncated bool      `json:"truncated"` // Total > len(Features): zoom in or raise limit
}

// Feature is one case point.
type Feature struct {
	Type       string       `json:"type"` // "Feature"
	ID         string       `json:"id"`
	Geometry   PointGeom    `json:"geometry"`
	Properties FeatureProps `json:"properties"`
}

// PointGeom is a GeoJSON point: [lon, lat].
type PointGeom struct {
	Type        string     `json:"type"` // "Point"
	Coordinates [2]float64 `json:"coordinates"`
}

// FeatureProps are what a map marker shows. They hold no personal data.
type FeatureProps struct {
	Status   cases.Status `json:"status"`
	SLA      string       `json:"sla"`
	Category string       `json:"category"`
	Urgency  string       `json:"urgency"`
	Title    string       `json:"title"`
	Overdue  bool         `json:"overdue"`
}

// MapCases returns the points of the open cases the principal may read, newest reported
// first, inside q.BBox. Errors: invalid naming limit or bbox (west above east, south above
// north).
func (l *CaseList) MapCases(p identity.Principal, q MapQuery) (FeatureCollection, error) {
	limit, err := checkLimit(q.Limit, MaxMapLimit)
	if err != nil {
		return FeatureCollection{}, err
	}
	if q.Limit == 0 {
		limit = DefaultMapLimit
	}
	if b := q.BBox; b != nil && (b.MinLon > b.MaxLon || b.MinLat > b.MaxLat) {
		return FeatureCollection{}, domain.Invalid("bbox", "want minLon,minLat,maxLon,maxLat with min <= max")
	}
	rd := readerOf(p)
	fc := FeatureCollection{Type: "FeatureCollection", Features: []Feature{}}
	l.mu.RLock()
	defer l.mu.RUnlock()
	for i := l.until(q.At) - 1; i >= 0; i-- {
		en := l.order[i]
		st := en.st
		s, reported := en.standing(q.At)
		pt := st.Location.Point
		if !reported || !s.Status.Open() || pt == nil || !q.BBox.contains(pt) || len(q.Status) > 0 && !slices.Contains(q.Status, s.Status) ||
			q.District != "" && st.Location.District != q.District || !rd.may(en) {
			continue
		}
		fc.Total++
		if len(fc.Features) >= limit {
			continue
		}
		fc.Features = append(fc.Features, Feature{Type: "Feature", ID: st.ID,
			Geometry: PointGeom{Type: "Point", Coordinates: [2]float64{pt.Lon, pt.Lat}},
			Properties: FeatureProps{Status: s.Status, SLA: slaOf(s), Category: st.Category, Urgency: string(st.Urgency),
				Title: st.Title, Overdue: s.Overdue}})
	}
	fc.Truncated = fc.Total > len(fc.Features)
	return fc, nil
}
