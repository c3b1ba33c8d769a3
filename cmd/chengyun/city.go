package main

import (
	"fmt"
	"io/fs"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
	"github.com/chengyun/chengyun/geo/tiles"
)

// loadedCity is everything serve needs from a city folder: the write side's catalog, routing
// and calendar, and the map's model, point index and tiles.
type loadedCity struct {
	commands.City
	model *city.City
	index *locate.Index
	tiles *tiles.Server
	// counts are the live aggregate layers (cases per district, street and grid) that the
	// projections feed; the tile server serves them as agg-districts, agg-streets, agg-grids.
	counts map[city.Level]*aggregate.Layer
}

func loadCity(name string, fsys fs.FS) (*loadedCity, error) {
	cfg, err := commands.LoadCity(fsys)
	if err != nil {
		return nil, fmt.Errorf("city %s: %w", name, err)
	}
	model, err := city.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("city %s: %w", name, err)
	}
	lc := &loadedCity{City: cfg, model: model, index: locate.New(model), tiles: tiles.New(model, tiles.Options{})}
	lc.City.Locate = lc.locate
	lc.counts = map[city.Level]*aggregate.Layer{}
	for _, l := range []city.Level{city.District, city.Street, city.Grid} {
		lc.counts[l] = aggregate.NewLayer(model, l)
		if err := lc.tiles.AddAggregate("agg-"+string(l)+"s", lc.counts[l]); err != nil {
			return nil, fmt.Errorf("city %s: %w", name, err)
		}
	}
	return lc, nil
}

// locate is the domain's view of the point index.
func (lc *loadedCity) locate(p cases.Point) cases.Location {
	l := lc.index.Locate(orb.Point{p.Lon, p.Lat})
	return cases.Location{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, OutOfJurisdiction: !l.Inside}
}
