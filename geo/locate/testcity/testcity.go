// Package testcity builds synthetic cities for the tests and benchmarks of the geo packages,
// so they can run without the shipped city data: a lattice of (optionally jittered) grid
// cells, grouped into communities and streets by blocks and into districts by nearest seed,
// which makes irregular staircase districts, communities cut by district borders, an enclave
// (a district inside another: a polygon with a hole), an exclave (a two-part multipolygon)
// and a lake (a hole through every level). Neighbouring areas share their edges vertex for
// vertex, as a real tessellation does.
package testcity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/paulmach/orb"
)

// Options shape a synthetic city.
type Options struct {
	NX, NY    int       // grid cells across and up
	Origin    orb.Point // south-west corner, lon/lat
	Cell      orb.Point // cell size in degrees of lon and lat
	Jitter    float64   // lattice vertices move by up to this fraction of a cell (< 0.3)
	Districts int       // number of district seeds
	Street    int       // a street is a block of Street×Street cells (cut by districts)
	Community int       // a community is a block of Community×Community cells
	Blob      bool      // keep only the cells of a wobbly disc and cut a lake (else the rectangle)
	NoGrids   bool      // leave the grid level empty (communities are the finest level)
	Seed      uint64
}

// Wuhanish is about 17,000 grids of ~0.5 km² over an area the size of Wuhan.
func Wuhanish() Options {
	return Options{NX: 163, NY: 158, Origin: orb.Point{113.75, 30.1}, Cell: orb.Point{0.0075, 0.0065},
		Jitter: 0.2, Districts: 11, Street: 12, Community: 4, Blob: true, Seed: 1}
}

// Small is a few hundred grids: quick to test against everything.
func Small() Options {
	return Options{NX: 24, NY: 20, Origin: orb.Point{114.2, 30.5}, Cell: orb.Point{0.01, 0.008},
		Jitter: 0.2, Districts: 4, Street: 6, Community: 3, Blob: true, Seed: 2}
}

// Square is a plain lattice (no jitter, no blob): every edge is axis-aligned, so points exactly
// on edges and vertices are easy to make.
func Square() Options {
	return Options{NX: 12, NY: 10, Origin: orb.Point{114.0, 30.0}, Cell: orb.Point{0.01, 0.01},
		Districts: 3, Street: 4, Community: 2, Seed: 3}
}

// New builds the city.
func New(o Options) *city.City {
	b := &builder{o: o, rng: rand.New(rand.NewPCG(o.Seed, 99))}
	b.assign()
	c := &city.City{Name: "合成市", NameEN: "Synthetic", Code: "990100", Zoom: 10}
	c.Center = b.point(o.NX/2, o.NY/2)
	var dc, sc, cc map[int]string
	c.Districts, dc = b.areas(b.district, city.District, nil, nil)
	c.Streets, sc = b.areas(b.street, city.Street, b.district, dc)
	c.Communities, cc = b.areas(b.community, city.Community, b.street, sc)
	if !o.NoGrids {
		c.Grids, _ = b.areas(b.grid, city.Grid, b.community, cc)
	}
	c.Index()
	return c
}

// Vertex returns the lon/lat of lattice vertex (i, j) of a city built with o: the same
// float64 every area that has the vertex uses.
func Vertex(o Options, i, j int) orb.Point {
	return (&builder{o: o}).point(i, j)
}

type builder struct {
	o   Options
	rng *rand.Rand
	// per cell: the area id of each level (-1: not in the city); ids are dense per level
	district, street, community, grid []int
}

func (b *builder) cell(i, j int) int { return j*b.o.NX + i }

func (b *builder) point(i, j int) orb.Point {
	jx, jy := 0.0, 0.0
	if b.o.Jitter > 0 {
		h := uint64(i)*0x9e3779b97f4a7c15 ^ uint64(j)*0xc2b2ae3d27d4eb4f ^ b.o.Seed
		r := rand.New(rand.NewPCG(h, h>>7))
		jx, jy = (r.Float64()*2-1)*b.o.Jitter, (r.Float64()*2-1)*b.o.Jitter
	}
	return orb.Point{b.o.Origin[0] + (float64(i)+jx)*b.o.Cell[0], b.o.Origin[1] + (float64(j)+jy)*b.o.Cell[1]}
}

// inCity is the wobbly disc minus a lake, or every cell.
func (b *builder) inCity(i, j int) bool {
	if !b.o.Blob {
		return true
	}
	u := (float64(i)+0.5)/float64(b.o.NX)*2 - 1
	v := (float64(j)+0.5)/float64(b.o.NY)*2 - 1
	a := math.Atan2(v, u)
	r := math.Hypot(u, v)
	if r > 0.92+0.08*math.Sin(5*a) {
		return false
	}
	lu, lv := u-0.3, v+0.25 // the lake
	return math.Hypot(lu, lv) > 0.09
}

// assign gives every cell its district (nearest seed, plus an enclave and an exclave), street
// and community (blocks within the district) and grid.
func (b *builder) assign() {
	o := b.o
	n := o.NX * o.NY
	type seed struct{ x, y float64 }
	seeds := make([]seed, o.Districts)
	for k := range seeds {
		seeds[k] = seed{b.rng.Float64() * float64(o.NX), b.rng.Float64() * float64(o.NY)}
	}
	b.district = make([]int, n)
	for j := 0; j < o.NY; j++ {
		for i := 0; i < o.NX; i++ {
			c := b.cell(i, j)
			if !b.inCity(i, j) {
				b.district[c] = -1
				continue
			}
			best, bd := 0, math.Inf(1)
			for k, s := range seeds {
				d := math.Abs(float64(i)-s.x) + 1.3*math.Abs(float64(j)-s.y) // staircase borders
				if d < bd {
					best, bd = k, d
				}
			}
			b.district[c] = best
		}
	}
	// An enclave district round seed 0 and an exclave of district 1 inside the district
	// of seed 2, each a few cells square, when the city is big enough to hold them.
	if o.Districts >= 3 && o.NX >= 12 && o.NY >= 12 {
		b.square(int(seeds[0].x), int(seeds[0].y), o.Districts, 2)
		b.square(int(seeds[2].x)+1, int(seeds[2].y)+1, 1, 1)
	}
	b.street = b.blocks(b.district, o.Street)
	b.community = b.blocks(b.street, o.Community)
	b.grid = make([]int, n)
	for c := range b.grid {
		b.grid[c] = -1
		if b.district[c] >= 0 {
			b.grid[c] = c
		}
	}
}

// square sets the cells within r of (ci, cj) that are in the city to district d.
func (b *builder) square(ci, cj, d, r int) {
	for j := cj - r; j <= cj+r; j++ {
		for i := ci - r; i <= ci+r; i++ {
			if i >= 0 && j >= 0 && i < b.o.NX && j < b.o.NY && b.district[b.cell(i, j)] >= 0 {
				b.district[b.cell(i, j)] = d
			}
		}
	}
}

// blocks splits each area of the parent level into size×size blocks of cells.
func (b *builder) blocks(parent []int, size int) []int {
	ids := map[[3]int]int{}
	out := make([]int, len(parent))
	for j := 0; j < b.o.NY; j++ {
		for i := 0; i < b.o.NX; i++ {
			c := b.cell(i, j)
			if parent[c] < 0 {
				out[c] = -1
				continue
			}
			k := [3]int{parent[c], i / size, j / size}
			id, ok := ids[k]
			if !ok {
				id = len(ids)
				ids[k] = id
			}
			out[c] = id
		}
	}
	return out
}

// areas makes the areas of one level from the cells' ids: codes extend the parent's code by
// three digits in order of first cell, so sorting by code keeps children after parents.
func (b *builder) areas(ids []int, lv city.Level, parent []int, parentCodes map[int]string) ([]*city.Area, map[int]string) {
	first := map[int]int{} // id → first cell
	var order []int
	for c, id := range ids {
		if id < 0 {
			continue
		}
		if _, ok := first[id]; !ok {
			first[id] = c
			order = append(order, id)
		}
	}
	codes := make(map[int]string, len(order))
	children := map[int]int{}
	edges := b.boundaries(ids)
	var out []*city.Area
	for _, id := range order {
		a := &city.Area{Level: lv, Generated: lv == city.Grid, Props: map[string]any{}}
		if parent == nil {
			a.Code = fmt.Sprintf("9901%02d", id+1)
		} else {
			pid := parent[first[id]]
			a.Parent = parentCodes[pid]
			children[pid]++
			a.Code = fmt.Sprintf("%s%03d", a.Parent, children[pid])
		}
		codes[id] = a.Code
		a.Name = fmt.Sprintf("%s %s", lv, a.Code)
		a.Geometry = b.multiPolygon(edges[id])
		a.Bound = a.Geometry.Bound()
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y *city.Area) int { return strings.Compare(x.Code, y.Code) })
	return out, codes
}
