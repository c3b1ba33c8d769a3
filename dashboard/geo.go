package dashboard

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/coord"
	"github.com/chengyun/chengyun/geo/locate"
	"github.com/chengyun/chengyun/geo/tiles"
)

// geoAPI serves the city model: vector tiles, GeoJSON layers and point location.
type geoAPI struct {
	city  *city.City
	index *locate.Index
	tiles *tiles.Server
}

// HandleGeo mounts the map API:
//
//	GET /tiles/{layer}/{z}/{x}/{y}.pbf   gzip-compressed Mapbox vector tiles (204 for an empty tile)
//	GET /api/v1/geo/city                 name, code, center, zoom, bound and layers
//	GET /api/v1/geo/layers/{layer}       GeoJSON of a layer (?parent=code, ?bbox=minLon,minLat,maxLon,maxLat)
//	GET /api/v1/geo/locate               ?lon=&lat=&crs=wgs84|gcj02|bd09 → district, street, community, grid
func (s *Server) HandleGeo(c *city.City, ix *locate.Index, ts *tiles.Server) {
	s.city = c
	g := &geoAPI{city: c, index: ix, tiles: ts}
	geo := Access{Perm: identity.PermGeoRead}
	s.route("GET /tiles/{layer}/{z}/{x}/{y}", geo, g.tile)
	s.route("GET /api/v1/geo/city", geo, g.meta)
	s.route("GET /api/v1/geo/layers/{layer}", geo, g.layer)
	s.route("GET /api/v1/geo/locate", geo, g.locate)
}

func (g *geoAPI) tile(w http.ResponseWriter, r *http.Request) {
	y, ok := strings.CutSuffix(r.PathValue("y"), ".pbf")
	if !ok {
		writeError(w, domain.NotFound("y", "tiles end in .pbf"))
		return
	}
	var zxy [3]uint32
	for i, v := range []string{r.PathValue("z"), r.PathValue("x"), y} {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			writeError(w, domain.Invalid([]string{"z", "x", "y"}[i], "%q is not a tile coordinate", v))
			return
		}
		zxy[i] = uint32(n)
	}
	b, err := g.tiles.Tile(r.PathValue("layer"), zxy[0], zxy[1], zxy[2])
	if err != nil {
		writeError(w, tileError(err))
		return
	}
	if b == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		// Tiles are cached compressed; the rare client that cannot take gzip pays the unzip.
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			_, _ = io.Copy(w, zr)
			return
		}
	}
	h.Set("Content-Encoding", "gzip")
	_, _ = w.Write(b)
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q-value above zero.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(enc, "gzip") && enc != "*" {
			continue
		}
		if qs, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q, err := strconv.ParseFloat(qs, 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}

func tileError(err error) error {
	switch {
	case errors.Is(err, tiles.ErrUnknownLayer):
		return domain.NotFound("layer", "%v", err)
	case errors.Is(err, tiles.ErrOutOfRange):
		return domain.Invalid("z", "%v", err)
	}
	return domain.Internal("tile", err)
}

// CityView is the body of GET /api/v1/geo/city.
type CityView struct {
	Name   string            `json:"name"`
	NameEN string            `json:"nameEn"`
	Code   string            `json:"code"`
	Center [2]float64        `json:"center"`
	Zoom   float64           `json:"zoom"`
	Bound  [4]float64        `json:"bound"` // minLon, minLat, maxLon, maxLat
	Counts map[string]int    `json:"counts"`
	Layers []tiles.LayerInfo `json:"layers"`
}

func (g *geoAPI) meta(w http.ResponseWriter, _ *http.Request) {
	b := g.city.Bound()
	v := CityView{Name: g.city.Name, NameEN: g.city.NameEN, Code: g.city.Code, Center: [2]float64(g.city.Center), Zoom: g.city.Zoom,
		Bound: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, Counts: map[string]int{}, Layers: g.tiles.Layers()}
	for _, l := range city.Levels {
		v.Counts[string(l)] = len(g.city.Layer(l))
	}
	writeJSON(w, http.StatusOK, v)
}

func (g *geoAPI) layer(w http.ResponseWriter, r *http.Request) {
	f := tiles.Filter{Parent: r.URL.Query().Get("parent")}
	if bb := r.URL.Query().Get("bbox"); bb != "" {
		parts := strings.Split(bb, ",")
		var v [4]float64
		var err error
		for i := 0; i < 4 && len(parts) == 4 && err == nil; i++ {
			v[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		}
		if len(parts) != 4 || err != nil || v[0] > v[2] || v[1] > v[3] {
			writeError(w, domain.Invalid("bbox", "%q is not minLon,minLat,maxLon,maxLat", bb))
			return
		}
		f.Bound = orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	}
	b, err := g.tiles.GeoJSON(r.PathValue("layer"), f)
	if err != nil {
		writeError(w, tileError(err))
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, _ = w.Write(b)
}

// LocateView is the body of GET /api/v1/geo/locate.
type LocateView struct {
	WGS84     [2]float64        `json:"wgs84"`
	Inside    bool              `json:"inside"` // false: out of the city's jurisdiction
	District  string            `json:"district,omitempty"`
	Street    string            `json:"street,omitempty"`
	Community string            `json:"community,omitempty"`
	Grid      string            `json:"grid,omitempty"`
	Names     map[string]string `json:"names"`
}

func (g *geoAPI) locate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var p orb.Point
	for i, name := range []string{"lon", "lat"} {
		v, err := strconv.ParseFloat(q.Get(name), 64)
		if err != nil {
			writeError(w, domain.Invalid(name, "%q is not a number", q.Get(name)))
			return
		}
		p[i] = v
	}
	if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		writeError(w, domain.Invalid("lon", "%v,%v is not a position on Earth", p[0], p[1]))
		return
	}
	sys, err := coord.ParseSystem(q.Get("crs"))
	if err != nil {
		writeError(w, domain.Invalid("crs", "%v", err))
		return
	}
	if p, err = coord.ToWGS84(sys, p); err != nil {
		writeError(w, domain.Invalid("lon", "%v", err))
		return
	}
	loc := g.index.Locate(p)
	v := LocateView{WGS84: [2]float64(p), Inside: loc.Inside, District: loc.District, Street: loc.Street,
		Community: loc.Community, Grid: loc.Grid, Names: map[string]string{}}
	for level, code := range map[string]string{"district": loc.District, "street": loc.Street, "community": loc.Community, "grid": loc.Grid} {
		if a := g.city.Area(code); a != nil {
			v.Names[level] = a.Name
		}
	}
	writeJSON(w, http.StatusOK, v)
}
