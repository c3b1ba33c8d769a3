package tiles

import (
	"fmt"
	"slices"

	"github.com/chengyun/chengyun/geo/tiles/featjson"
	"github.com/paulmach/orb"
)

// Filter selects the features of GeoJSON. The zero Filter selects all.
type Filter struct {
	Parent string    // only the children of this area code ("" for any)
	Bound  orb.Bound // only features whose bound meets this lon/lat bound (zero for any)
}

// GeoJSON returns a layer as a FeatureCollection in WGS84 at full detail, with the properties
// code, name, level, parent and generated (and count for an aggregate layer). For the labels
// layer the features are the label points.
func (s *Server) GeoJSON(name string, f Filter) ([]byte, error) {
	l := s.layer(name)
	if l == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownLayer, name)
	}
	var q orb.Bound
	if !f.Bound.IsZero() {
		q = worldBound(f.Bound)
	}
	w := featjson.New()
	if l.geo == nil {
		ids := s.labelIDs(q)
		for _, id := range ids {
			lb := &s.labels.pts[id]
			if f.Parent != "" && lb.area.Parent != f.Parent {
				continue
			}
			a := lb.area
			w.Feature(lb.ll, featjson.Prop{Key: "code", Value: a.Code}, featjson.Prop{Key: "name", Value: a.Name},
				featjson.Prop{Key: "level", Value: string(a.Level)}, featjson.Prop{Key: "parent", Value: a.Parent},
				featjson.Prop{Key: "generated", Value: a.Generated})
		}
		return w.Bytes(), nil
	}
	var ids []int32
	if q.IsZero() {
		ids = make([]int32, len(l.geo.feats))
		for i := range ids {
			ids[i] = int32(i)
		}
	} else {
		ids = l.geo.tree.search(q, nil)
		slices.Sort(ids)
	}
	for _, id := range ids {
		a := l.geo.feats[id].area
		if f.Parent != "" && a.Parent != f.Parent {
			continue
		}
		props := []featjson.Prop{{Key: "code", Value: a.Code}, {Key: "name", Value: a.Name},
			{Key: "level", Value: string(a.Level)}, {Key: "parent", Value: a.Parent}, {Key: "generated", Value: a.Generated}}
		if l.agg != nil {
			props = append(props, featjson.Prop{Key: "count", Value: l.agg.Get(a.Code)})
		}
		w.Feature(a.Geometry, props...)
	}
	return w.Bytes(), nil
}

func (s *Server) labelIDs(q orb.Bound) []int32 {
	if q.IsZero() {
		ids := make([]int32, len(s.labels.pts))
		for i := range ids {
			ids[i] = int32(i)
		}
		return ids
	}
	ids := s.labels.tree.search(q, nil)
	slices.Sort(ids)
	return ids
}
