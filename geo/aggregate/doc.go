// Package aggregate keeps live counts for the map: per area of one level of the city
// (Layer: open cases per grid, say) and per hexagonal bin of a fixed size (HexBins, for heat
// maps). Projections feed them as events arrive; map layers read them as GeoJSON, and package
// tiles serves a Layer as vector tiles whose cache follows the layer's Version.
//
// Both are safe for concurrent use: many writers and readers at once.
package aggregate
