// Package tiles serves a city's areas as Mapbox Vector Tiles (and as GeoJSON) for the map of
// the command center: one layer per level ("districts", "streets", "communities", "grids"),
// "labels" with a name point per area, and any aggregate.Layer added with AddAggregate, whose
// features carry a live "count".
//
// A tile is built on first request: its features are found through an R-tree of the layer,
// their geometry is taken simplified for the zoom (Douglas–Peucker at about a pixel, made per
// area once per zoom and shared by all tiles of that zoom), projected to the tile's 4096
// extent, clipped to the tile plus a buffer, snapped to integers and encoded; the gzipped
// bytes go into a byte-bounded LRU, and concurrent requests of one tile wait for a single
// build. Zooms past 16 reuse the z16 geometry.
//
// The MVT and GeoJSON encoders are this module's own (see mvt.go and package featjson): orb's
// encoders depend on libraries the geo layer may not import.
package tiles
