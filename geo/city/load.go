package city

import (
	"cmp"
	"encoding/json"
	"io/fs"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/geo/coord"
)

// Load reads a city folder: city.yaml and the layers it names. It validates every file,
// converts coordinates to WGS84, generates the layers the city has no file for, links each
// area to its parent and indexes the result. Problems with the folder are *Error.
func Load(fsys fs.FS) (*City, error) {
	data, err := fs.ReadFile(fsys, ConfigFile)
	if err != nil {
		return nil, errf(ConfigFile, "", "", "%s", missingMsg(err))
	}
	cfg, err := parseConfig(data)
	if err != nil {
		return nil, err
	}
	crs, _ := coord.ParseSystem(cfg.CRS) // checked by parseConfig
	center, err := coord.ToWGS84(crs, orb.Point{cfg.Center[0], cfg.Center[1]})
	if err != nil {
		return nil, errf(ConfigFile, "", "center", "%v", err)
	}
	if cfg.Calendar != "" {
		if _, err := fs.Stat(fsys, cfg.Calendar); err != nil {
			return nil, errf(ConfigFile, "", "calendar", "file %q %s", cfg.Calendar, missingMsg(err))
		}
	}
	c := &City{Name: cfg.Name, NameEN: cfg.NameEn, Code: cfg.Code, Center: center, Zoom: cfg.Zoom, Calendar: cfg.Calendar}
	if err := build(c, fsys, cfg, crs); err != nil {
		return nil, err
	}
	for _, l := range Levels {
		slices.SortFunc(c.Layer(l), func(a, b *Area) int { return cmp.Compare(a.Code, b.Code) })
	}
	c.Index()
	return c, nil
}

// build fills the four layers. Files are read and checked first, so a broken file is
// reported before any generation work.
func build(c *City, fsys fs.FS, cfg *config, crs coord.System) error {
	l := &cfg.Layers
	codes := codeBook{}
	var err error
	load := func(field string, spec layerFile, level Level) []*Area {
		if err != nil || spec.File == "" {
			return nil
		}
		var areas []*Area
		if areas, err = loadLayer(fsys, field, spec, level, crs); err == nil {
			err = codes.add(spec.File, "properties."+spec.Code, areas)
		}
		return areas
	}
	c.Districts = load("layers.districts", l.Districts, District)
	c.Streets = load("layers.streets", l.Streets.layerFile, Street)
	c.Communities = load("layers.communities", l.Communities.layerFile, Community)
	c.Grids = load("layers.grids", l.Grids.layerFile, Grid)
	if err != nil {
		return err
	}
	gridArea := l.Grids.AreaKm2
	var lt *lattice
	var streetPieces [][]piece // the lattice pieces of each street, when streets are generated

	if l.Streets.File != "" {
		if err := link(l.Streets.File, l.Streets.Parent, c.Streets, c.Districts, District); err != nil {
			return err
		}
	} else {
		names, err := streetNames(fsys, l.Streets, c.Districts)
		if err != nil {
			return err
		}
		var pieces [][]piece
		if lt, pieces, err = cutAll(l.Districts.File, c.Bound(), gridArea, c.Districts); err != nil {
			return err
		}
		if c.Streets, streetPieces, err = genStreets(lt, c.Districts, pieces, l.Streets, names); err != nil {
			return err
		}
		if err := codes.add(ConfigFile, "layers.streets", c.Streets); err != nil {
			return err
		}
	}
	if l.Communities.File != "" {
		if err := link(l.Communities.File, l.Communities.Parent, c.Communities, c.Streets, Street); err != nil {
			return err
		}
	}

	switch {
	case l.Grids.File != "" && l.Communities.File != "":
		err = link(l.Grids.File, l.Grids.Parent, c.Grids, c.Communities, Community)
	case l.Grids.File != "": // surveyed grids, generated communities grouping them
		if err = link(l.Grids.File, l.Grids.Parent, c.Grids, c.Streets, Street); err == nil {
			err = groupFileGrids(c, l)
		}
	case l.Communities.File != "": // generated grids inside surveyed communities
		err = gridsInCommunities(c, l)
	default:
		err = gridsAndCommunities(c, l, lt, streetPieces)
	}
	if err != nil {
		return err
	}
	if l.Communities.File == "" {
		err = codes.add(ConfigFile, "layers.communities", c.Communities)
	}
	if err == nil && l.Grids.File == "" {
		err = codes.add(ConfigFile, "layers.grids", c.Grids)
	}
	return err
}

// streetNames reads the names file for generated streets and checks its districts exist.
func streetNames(fsys fs.FS, conf streetsConf, districts []*Area) (map[string][]nameRow, error) {
	if conf.Names == "" {
		return nil, nil
	}
	names, err := readNames(fsys, conf.Names, "layers.streets.names")
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, d := range districts {
		known[d.Code] = true
	}
	var unknown []nameRow
	for parent, rows := range names {
		if !known[parent] {
			unknown = append(unknown, rows[0])
		}
	}
	if len(unknown) > 0 { // report the first in the file
		r := slices.MinFunc(unknown, func(a, b nameRow) int { return a.row - b.row })
		return nil, errf(conf.Names, featureName(r.code, r.row), "parent", "no district has code %s", r.parent)
	}
	return names, nil
}

// gridsAndCommunities generates grids in every street and groups them into communities. With
// generated streets the district's lattice pieces are reused; with surveyed streets each
// street is cut.
func gridsAndCommunities(c *City, l *layersConf, lt *lattice, streetPieces [][]piece) error {
	if streetPieces == nil {
		var err error
		if lt, streetPieces, err = cutAll(l.Streets.File, c.Bound(), l.Grids.AreaKm2, c.Streets); err != nil {
			return err
		}
	}
	comms := make([][]*Area, len(c.Streets))
	grids := make([][]*Area, len(c.Streets))
	errs := make([]error, len(c.Streets))
	parallel(len(c.Streets), func(s int) {
		units, err := mergeSlivers(lt, streetPieces[s])
		if err == nil {
			comms[s], grids[s], err = genCommunities(c.Streets[s], units, l.Communities, l.Grids.Label)
		}
		errs[s] = err
	})
	for s := range c.Streets {
		if errs[s] != nil {
			return errs[s]
		}
		c.Communities = append(c.Communities, comms[s]...)
		c.Grids = append(c.Grids, grids[s]...)
	}
	return nil
}

// gridsInCommunities generates grids inside each surveyed community.
func gridsInCommunities(c *City, l *layersConf) error {
	lt, pieces, err := cutAll(l.Communities.File, c.Bound(), l.Grids.AreaKm2, c.Communities)
	if err != nil {
		return err
	}
	for k, comm := range c.Communities {
		units, err := mergeSlivers(lt, pieces[k])
		if err != nil {
			return err
		}
		gs, err := gridAreas(comm, units, l.Grids.Label)
		if err != nil {
			return err
		}
		c.Grids = append(c.Grids, gs...)
	}
	return nil
}

// groupFileGrids groups surveyed grids, street by street, into generated communities. Their
// outlines are unions of the grids, exact where the grids share their vertices.
func groupFileGrids(c *City, l *layersConf) error {
	byStreet := map[string][]unit{}
	for _, g := range c.Grids {
		p := interiorPoint(g.Geometry)
		// km on the ground, near enough for grouping
		byStreet[g.Parent] = append(byStreet[g.Parent], unit{cell: len(byStreet[g.Parent]), x: p[0] * 111.32 * cosDeg(p[1]), y: p[1] * 110.57, parts: g.Geometry, grid: g})
	}
	c.Grids = nil
	for _, s := range c.Streets {
		if len(byStreet[s.Code]) == 0 {
			continue
		}
		comms, grids, err := genCommunities(s, byStreet[s.Code], l.Communities, l.Grids.Label)
		if err != nil {
			return err
		}
		c.Communities = append(c.Communities, comms...)
		c.Grids = append(c.Grids, grids...)
	}
	return nil
}

// loadLayer reads, checks and converts one layer file.
func loadLayer(fsys fs.FS, field string, spec layerFile, level Level, crs coord.System) ([]*Area, error) {
	data, err := fs.ReadFile(fsys, spec.File)
	if err != nil {
		return nil, errf(ConfigFile, "", field+".file", "%q %s", spec.File, missingMsg(err))
	}
	feats, err := decodeLayer(spec.File, spec.Code, data)
	if err != nil {
		return nil, err
	}
	if len(feats) == 0 {
		return nil, errf(spec.File, "", "features", "empty: a layer needs at least one area")
	}
	areas := make([]*Area, 0, len(feats))
	for _, f := range feats {
		code := propString(f.props[spec.Code])
		if code == "" {
			return nil, errf(spec.File, f.name, "properties."+spec.Code, "missing or empty code")
		}
		if e := checkPositions(f.geom, f.path); e != nil {
			return nil, errf(spec.File, f.name, e.field, "%s", e.msg)
		}
		if crs != coord.WGS84 {
			for _, pg := range f.geom {
				for _, r := range pg {
					for i, p := range r {
						r[i], _ = coord.ToWGS84(crs, p) // positions are checked: no error
					}
				}
			}
		}
		if e := normalise(f.geom, f.path); e != nil {
			return nil, errf(spec.File, f.name, e.field, "%s", e.msg)
		}
		var e *geomErr
		if f.geom, e = dissolve(f.geom); e != nil {
			return nil, errf(spec.File, f.name, e.field, "%s", e.msg)
		}
		a := &Area{Code: code, Name: propString(f.props[spec.Name]), Level: level, Geometry: f.geom, Bound: f.geom.Bound()}
		if level != District {
			a.Parent = propString(f.props[spec.Parent])
		}
		if a.Name == "" {
			a.Name = code
		}
		delete(f.props, spec.Code)
		delete(f.props, spec.Name)
		delete(f.props, spec.Parent)
		a.Props = plainNumbers(f.props).(map[string]any)
		a.Generated = a.Props["generated"] == true
		areas = append(areas, a)
	}
	return areas, nil
}

// plainNumbers turns the json.Numbers kept for codes back into float64, as encoding/json would
// have decoded them, for the map layers.
func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = plainNumbers(e)
		}
	case []any:
		for k, e := range v {
			v[k] = plainNumbers(e)
		}
	}
	return v
}
