package city

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Generation fills the layers a city has no surveyed data for. Everything is cut from one
// city-wide lattice: streets are groups of a district's lattice pieces, grids are the pieces
// themselves (slivers merged into a neighbour), communities are groups of a street's grids.
// Neighbouring pieces share their edges exactly, so coverage is complete, nothing overlaps,
// and a street's or community's outline is the exact union of its grids.

// unit is a grid before it gets a community: a lattice piece with the slivers merged into it
// (cell >= 0), or a grid from the city's file (grid != nil), which keeps its code.
type unit struct {
	cell  int
	x, y  float64 // position for grouping, in cell units (or km for file grids)
	parts []orb.Polygon
	km2   float64
	grid  *Area
}

// sliverShare is the fraction of a cell below which a piece is merged into a neighbour
// rather than being a grid of its own.
const sliverShare = 0.05

// maxCells bounds the lattice (Wuhan's extent needs about 34,000 cells of 0.5 km²).
const maxCells = 2_000_000

// cutAll cuts every area into lattice pieces (in parallel; results by index, so the output
// does not depend on scheduling). When a vertex falls on a lattice line the whole lattice is
// shifted and the cut redone, so all areas keep one lattice.
// Areas that passed the checks but still cannot be cut (rings crossing at a shared vertex,
// which the checks let through) are refused as a problem of file.
func cutAll(file string, bound orb.Bound, areaKm2 float64, areas []*Area) (*lattice, [][]piece, error) {
	// a lattice over a continent would take the machine down: refuse before allocating it
	cells := geo.Area(bound) / 1e6 / areaKm2
	if !(cells <= maxCells) {
		return nil, nil, errf(ConfigFile, "", "layers.grids.areaKm2", "%.0f grid cells of %v km² over the city's extent; the limit is %d: use larger grids", cells, areaKm2, maxCells)
	}
	for attempt := 0; attempt < 8; attempt++ {
		lt := newLattice(bound, areaKm2, attempt)
		if len(lt.xs) < 2 || len(lt.ys) < 2 || len(lt.xs)*len(lt.ys) > 4*maxCells {
			return nil, nil, errf(ConfigFile, "", "layers.grids.areaKm2", "the city's extent cannot be covered by grids of %v km²", areaKm2)
		}
		pieces := make([][]piece, len(areas))
		errs := make([]error, len(areas))
		parallel(len(areas), func(i int) { pieces[i], errs[i] = lt.cut(areas[i].Geometry) })
		onLine := false
		for i, err := range errs {
			switch {
			case err == errOnLine:
				onLine = true
			case err != nil:
				return nil, nil, errf(file, featureName(areas[i].Code, i), "geometry", "cannot be cut into grids: %v", err)
			}
		}
		if !onLine {
			return lt, pieces, overlaps(file, lt, areas, pieces)
		}
	}
	return nil, nil, errf(file, "", "geometry", "no lattice position avoids the vertices of the areas")
}

// overlaps refuses areas of one layer that overlap: with the pieces of all areas in hand it is
// a sum per cell, which must not exceed the cell. (Half a square metre of slack absorbs the
// rounding of areas that share a boundary exactly.) Overlapping districts or streets would
// give overlapping grids, and a point two grids.
func overlaps(file string, lt *lattice, areas []*Area, pieces [][]piece) error {
	type claim struct {
		km2  float64
		area int
	}
	cells := map[int]claim{}
	for i, pcs := range pieces {
		for _, p := range pcs {
			c, ok := cells[p.cell]
			if ok && c.km2+p.km2 > lt.cellKm2+0.5e-6 {
				x0, y0, x1, y1 := lt.cellBound(p.cell)
				return errf(file, featureName(areas[i].Code, i), "geometry", "overlaps %s %s by %.0f m² in the cell around %s",
					areas[c.area].Level, areas[c.area].Code, (c.km2+p.km2-lt.cellKm2)*1e6, fmtPoint(orb.Point{(x0 + x1) / 2, (y0 + y1) / 2}))
			}
			if !ok {
				c.area = i
			}
			c.km2 += p.km2
			cells[p.cell] = c
		}
	}
	return nil
}

// parallel runs f(0..n-1) on GOMAXPROCS workers.
func parallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func generatedArea(code, name string, level Level, parent string, mp orb.MultiPolygon) *Area {
	return &Area{Code: code, Name: name, Level: level, Parent: parent, Geometry: mp, Bound: mp.Bound(),
		Generated: true, Props: map[string]any{"generated": true}}
}

func cellItem(lt *lattice, cell int, w float64, k int) item {
	return item{x: float64(cell%lt.nx()) + 0.5, y: float64(cell/lt.nx()) + 0.5, w: w, k: k}
}

// genStreets groups each district's pieces into its streets: one per names row (real codes
// and names) or, without names, one per conf.AreaKm2. It returns the streets and the pieces
// of each.
func genStreets(lt *lattice, districts []*Area, pieces [][]piece, conf streetsConf, names map[string][]nameRow) ([]*Area, [][]piece, error) {
	var streets []*Area
	var members [][]piece
	for d, dist := range districts {
		pcs := pieces[d]
		items := make([]item, len(pcs))
		km2 := 0.0
		for k, p := range pcs {
			items[k] = cellItem(lt, p.cell, p.km2, k)
			km2 += p.km2
		}
		rows := names[dist.Code]
		if conf.Names != "" {
			if len(rows) == 0 {
				return nil, nil, errf(conf.Names, dist.Code, "parent", "district %s (%s) has no streets in the file", dist.Code, dist.Name)
			}
			slices.SortFunc(rows, func(a, b nameRow) int { return cmp.Compare(a.code, b.code) })
		} else {
			n := int(math.Round(km2 / conf.AreaKm2))
			for k := range max(1, min(n, 999)) {
				rows = append(rows, nameRow{fmt.Sprintf("%s%03d", dist.Code, k+1), fmt.Sprintf("%s%s%02d", dist.Name, conf.Label, k+1), dist.Code, k})
			}
		}
		if len(rows) > len(pcs) {
			return nil, nil, errf(ConfigFile, "", "layers.grids.areaKm2", "district %s has %d streets but only %d grid cells: use smaller grids", dist.Code, len(rows), len(pcs))
		}
		for g, grp := range bisect(items, len(rows)) {
			m := make([]piece, len(grp))
			for k, it := range grp {
				m[k] = pcs[it.k]
			}
			slices.SortFunc(m, func(a, b piece) int { return a.cell - b.cell })
			streets = append(streets, generatedArea(rows[g].code, rows[g].name, Street, dist.Code, nil))
			members = append(members, m)
		}
	}
	errs := make([]error, len(streets))
	parallel(len(streets), func(s int) {
		var parts []orb.Polygon
		for _, p := range members[s] {
			parts = append(parts, p.polys...)
		}
		mp, err := union(parts, true)
		streets[s].Geometry, streets[s].Bound, errs[s] = mp, mp.Bound(), err
	})
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return streets, members, nil
}

// mergeSlivers makes grids of one parent's pieces: a piece under sliverShare of a cell joins
// the neighbour in the same parent it shares the longest edge with, or, when it touches
// none (an islet), the nearest grid, so no ground is dropped.
func mergeSlivers(lt *lattice, pcs []piece) ([]unit, error) {
	thr := sliverShare * lt.cellKm2
	var units []unit
	byCell := map[int]int{}
	for _, p := range pcs {
		if p.km2 >= thr {
			byCell[p.cell] = len(units)
			units = append(units, newUnit(lt, p))
		}
	}
	if len(units) == 0 && len(pcs) > 0 { // a parent of slivers only: its largest piece is the grid
		big := 0
		for k, p := range pcs {
			if p.km2 > pcs[big].km2 {
				big = k
			}
		}
		byCell[pcs[big].cell] = 0
		units = append(units, newUnit(lt, pcs[big]))
	}
	extra := make([][]orb.Polygon, len(units))
	nx := lt.nx()
	for _, p := range pcs {
		if _, ok := byCell[p.cell]; ok {
			continue
		}
		target, longest := -1, 0.0
		for _, nb := range [4]int{p.cell - 1, p.cell + 1, p.cell - nx, p.cell + nx} {
			if u, ok := byCell[nb]; ok && (nb/nx == p.cell/nx || nb%nx == p.cell%nx) {
				if l := sharedLength(p.polys, units[u].parts); l > longest {
					target, longest = u, l
				}
			}
		}
		if target < 0 {
			target = nearestUnit(units, p.cell, nx)
		}
		extra[target] = append(extra[target], p.polys...)
		units[target].km2 += p.km2
	}
	for u := range units {
		if len(extra[u]) > 0 {
			// untidy: the grid's lattice vertices must stay for its community's union to cancel
			// the edges it shares with its neighbours exactly
			mp, err := union(append(slices.Clone(units[u].parts), extra[u]...), false)
			if err != nil {
				return nil, err
			}
			units[u].parts = mp
		}
	}
	return units, nil
}

func newUnit(lt *lattice, p piece) unit {
	it := cellItem(lt, p.cell, 0, 0)
	return unit{cell: p.cell, x: it.x, y: it.y, parts: p.polys, km2: p.km2}
}

// sharedLength is the length (in degrees, for comparison only) of the edges a and b share.
func sharedLength(a, b []orb.Polygon) float64 {
	set := map[[2]orb.Point]bool{}
	for _, pg := range b {
		for _, r := range pg {
			for i := 0; i+1 < len(r); i++ {
				set[[2]orb.Point{r[i], r[i+1]}] = true
			}
		}
	}
	l := 0.0
	for _, pg := range a {
		for _, r := range pg {
			for i := 0; i+1 < len(r); i++ {
				if set[[2]orb.Point{r[i+1], r[i]}] {
					l += math.Hypot(r[i+1][0]-r[i][0], r[i+1][1]-r[i][1])
				}
			}
		}
	}
	return l
}

func nearestUnit(units []unit, cell, nx int) int {
	best, bestD := 0, math.Inf(1)
	for u, un := range units {
		di, dj := float64(un.cell%nx-cell%nx), float64(un.cell/nx-cell/nx)
		if d := di*di + dj*dj; d < bestD {
			best, bestD = u, d
		}
	}
	return best
}

// genCommunities groups a street's grids into communities of about conf.GridsPer and codes
// them the unit-grid way: community = street code + 3 digits, grid = community code + 3.
func genCommunities(street *Area, units []unit, conf commConf, gridLabel string) ([]*Area, []*Area, error) {
	items := make([]item, len(units))
	for k, u := range units {
		items[k] = item{x: u.x, y: u.y, w: 1, k: k}
	}
	k := max(1, int(math.Round(float64(len(units))/float64(conf.GridsPer))))
	if k > 999 {
		return nil, nil, errf(ConfigFile, "", "layers.communities.gridsPer", "street %s would get %d communities; codes allow 999", street.Code, k)
	}
	var comms, grids []*Area
	for g, grp := range bisect(items, k) {
		members := make([]unit, len(grp))
		var parts []orb.Polygon
		for n, it := range grp {
			members[n] = units[it.k]
			parts = append(parts, units[it.k].parts...)
		}
		mp, err := union(parts, true)
		if err != nil {
			return nil, nil, err
		}
		c := generatedArea(fmt.Sprintf("%s%03d", street.Code, g+1), fmt.Sprintf("%s%s%03d", street.Name, conf.Label, g+1), Community, street.Code, mp)
		gs, err := gridAreas(c, members, gridLabel)
		if err != nil {
			return nil, nil, err
		}
		comms, grids = append(comms, c), append(grids, gs...)
	}
	return comms, grids, nil
}

// gridAreas makes the grids of a community, north-west first: generated ones coded community
// code + 3 digits, file ones keeping their code and getting the community as parent.
func gridAreas(parent *Area, units []unit, label string) ([]*Area, error) {
	if len(units) > 999 {
		return nil, errf(ConfigFile, "", "layers.grids.areaKm2", "community %s would get %d grids; codes allow 999", parent.Code, len(units))
	}
	units = slices.Clone(units)
	slices.SortFunc(units, func(a, b unit) int { return cmpItems(-a.y, -b.y, a.x, b.x, a.cell, b.cell) })
	out := make([]*Area, len(units))
	for n, u := range units {
		if u.grid != nil {
			u.grid.Parent = parent.Code
			out[n] = u.grid
			continue
		}
		out[n] = generatedArea(fmt.Sprintf("%s%03d", parent.Code, n+1), fmt.Sprintf("%s%s%03d", parent.Name, label, n+1), Grid, parent.Code, orb.MultiPolygon(u.parts))
	}
	return out, nil
}
