package tiles

import (
	"compress/gzip"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/city"
)

// Errors of Tile and GeoJSON; wrapped with the details.
var (
	ErrUnknownLayer = errors.New("tiles: unknown layer")
	ErrOutOfRange   = errors.New("tiles: tile out of range")
)

// Options tune a Server. The zero value is the defaults.
type Options struct {
	CacheBytes int64 // byte budget of the tile cache; 0 means 64 MiB, negative disables caching
	CacheTiles int   // at most this many cached tiles as well; 0 means no count limit
	// MinZoom overrides the zoom from which a layer has features, by layer name. Defaults:
	// districts 0, streets 9, communities 11, grids 12, labels 8; aggregate layers take the
	// default of their level.
	MinZoom map[string]uint32
	// LabelMinZoom is the zoom from which the labels layer holds an area's name, by level.
	// Defaults: district 8, street 11, community 13, grid 15.
	LabelMinZoom map[city.Level]uint32
	MaxZoom      uint32  // deepest zoom served; 0 means 18 (deeper than 16 over-zooms)
	Buffer       float64 // clip margin around a tile, extent units; 0 means 64 (of 4096)
	// Tolerance is the Douglas–Peucker threshold in extent units; 0 means 8, one pixel of a
	// 512-pixel tile as Mapbox GL draws them (half a pixel of a 256-pixel tile).
	Tolerance float64
	// GzipLevel is the compress/gzip level; 0 means gzip.DefaultCompression: a tile is
	// compressed once and sent many times, and even so a cold tile stays far under 20 ms.
	GzipLevel int
}

// layerNames of the boundary layers, by level.
var layerNames = map[city.Level]string{
	city.District: "districts", city.Street: "streets", city.Community: "communities", city.Grid: "grids",
}

var defaultMinZoom = map[city.Level]uint32{city.District: 0, city.Street: 9, city.Community: 11, city.Grid: 12}

var defaultLabelZoom = map[city.Level]uint32{city.District: 8, city.Street: 11, city.Community: 13, city.Grid: 15}

// LabelsLayer is the name of the layer of name points.
const LabelsLayer = "labels"

// LayerInfo describes a layer for a map's style and legend.
type LayerInfo struct {
	Name      string     `json:"name"`
	Level     city.Level `json:"level,omitempty"` // "" for labels, which hold every level
	MinZoom   uint32     `json:"minzoom"`
	MaxZoom   uint32     `json:"maxzoom"`
	Features  int        `json:"features"`
	Aggregate bool       `json:"aggregate,omitempty"` // features carry a live "count"
}

// Server makes and caches the vector tiles of a city. Safe for concurrent use.
type Server struct {
	city   *city.City
	opts   Options
	levels map[city.Level]*levelGeom
	labels *labelSet
	cache  *cache
	gz     sync.Pool

	mu     sync.RWMutex // guards layers and nextID (AddAggregate)
	layers map[string]*layer
	nextID uint16
}

// layer is one servable layer: a level's boundaries, the labels, or an aggregate.
type layer struct {
	id      uint16 // in cache keys
	name    string
	geo     *levelGeom       // boundary and aggregate layers
	agg     *aggregate.Layer // aggregate layers
	minZoom uint32
}

// New prepares the tiles of c: it projects every area once and indexes each level; the
// simplification per zoom happens on first use.
func New(c *city.City, opts Options) *Server {
	if opts.CacheBytes == 0 {
		opts.CacheBytes = 64 << 20
	}
	if opts.MaxZoom == 0 {
		opts.MaxZoom = 18
	}
	opts.MaxZoom = min(opts.MaxZoom, 30)
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = 8
	}
	if opts.GzipLevel == 0 {
		opts.GzipLevel = gzip.DefaultCompression
	}
	s := &Server{city: c, opts: opts, levels: map[city.Level]*levelGeom{}, layers: map[string]*layer{}}
	s.cache = newCache(opts.CacheBytes, opts.CacheTiles)
	s.gz.New = func() any {
		w, err := gzip.NewWriterLevel(nil, opts.GzipLevel)
		if err != nil {
			w = gzip.NewWriter(nil)
		}
		return w
	}
	for _, lv := range city.Levels {
		areas := c.Layer(lv)
		if len(areas) == 0 {
			continue
		}
		g := newLevelGeom(lv, areas)
		s.levels[lv] = g
		s.add(&layer{name: layerNames[lv], geo: g, minZoom: s.minZoom(layerNames[lv], lv)})
	}
	s.labels = newLabelSet(c)
	lz := uint32(defaultLabelZoom[city.District])
	if z, ok := opts.MinZoom[LabelsLayer]; ok {
		lz = z
	}
	s.add(&layer{name: LabelsLayer, minZoom: lz})
	return s
}

func (s *Server) minZoom(name string, lv city.Level) uint32 {
	if z, ok := s.opts.MinZoom[name]; ok {
		return z
	}
	return defaultMinZoom[lv]
}

func (s *Server) labelZoom(lv city.Level) uint32 {
	if z, ok := s.opts.LabelMinZoom[lv]; ok {
		return z
	}
	return defaultLabelZoom[lv]
}

func (s *Server) add(l *layer) {
	l.id = s.nextID
	s.nextID++
	s.layers[l.name] = l
}

// AddAggregate serves l as the layer name: the polygons of l's level with the properties of
// the boundary layer plus "count". Its cached tiles are keyed by l.Version(), so a change of
// any count makes the next request build fresh tiles. Adding a name again replaces the layer.
func (s *Server) AddAggregate(name string, l *aggregate.Layer) error {
	g := s.levels[l.Level()]
	if g == nil {
		return fmt.Errorf("%w: the city has no %s level for aggregate %q", ErrUnknownLayer, l.Level(), name)
	}
	if name == "" || name == LabelsLayer {
		return fmt.Errorf("tiles: aggregate layer name %q is empty or taken", name)
	}
	for _, n := range layerNames {
		if n == name {
			return fmt.Errorf("tiles: aggregate layer name %q is a boundary layer", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(&layer{name: name, geo: g, agg: l, minZoom: s.minZoom(name, l.Level())})
	return nil
}

func (s *Server) layer(name string) *layer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.layers[name]
}

// Layers lists the layers, boundary layers outermost first, then labels, then aggregates by
// name.
func (s *Server) Layers() []LayerInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]LayerInfo, 0, len(s.layers))
	for _, l := range s.layers {
		info := LayerInfo{Name: l.name, MinZoom: l.minZoom, MaxZoom: s.opts.MaxZoom, Aggregate: l.agg != nil}
		if l.geo != nil {
			info.Level, info.Features = l.geo.level, len(l.geo.feats)
		} else {
			info.Features = len(s.labels.pts)
		}
		out = append(out, info)
	}
	rank := func(i LayerInfo) int {
		switch {
		case i.Aggregate:
			return 10
		case i.Level == "":
			return 5
		}
		for k, lv := range city.Levels {
			if lv == i.Level {
				return k
			}
		}
		return 9
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Tile returns tile z/x/y of a layer as gzip-compressed Mapbox Vector Tile bytes, with one MVT
// layer named as the layer; nil and no error when the tile has no features (also below the
// layer's min zoom). It fails for an unknown layer and for z above the max zoom or x, y not
// below 2^z. The bytes are shared with the cache: do not modify them.
func (s *Server) Tile(name string, z, x, y uint32) ([]byte, error) {
	l := s.layer(name)
	if l == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownLayer, name)
	}
	if z > s.opts.MaxZoom || uint64(x) >= uint64(1)<<z || uint64(y) >= uint64(1)<<z {
		return nil, fmt.Errorf("%w: %d/%d/%d (max zoom %d)", ErrOutOfRange, z, x, y, s.opts.MaxZoom)
	}
	if z < l.minZoom || !s.touches(l, z, x, y) {
		return nil, nil
	}
	// The version is read before the build and the counts during it, so a tile may carry
	// counts newer than its key says, never older: a later request with the newer version
	// builds again, and no stale tile is ever served for a version.
	var version uint64
	if l.agg != nil {
		version = l.agg.Version()
	}
	k := tileKey{layer: l.id, z: uint8(z), x: x, y: y, version: version}
	return s.cache.get(k, func() ([]byte, error) { return s.build(l, z, x, y) })
}

// touches is the cheap test that the tile meets the layer's bound at all: most requests of a
// world map are far from the city and need no cache entry.
func (s *Server) touches(l *layer, z, x, y uint32) bool {
	b := s.labels.bound
	if l.geo != nil {
		b = l.geo.bound
	}
	return tileBound(z, x, y, s.opts.Buffer/Extent).Intersects(b)
}
