package city

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/chengyun/chengyun/geo/cities"
)

var (
	loadOnce sync.Once
	loaded   map[string]*City
	loadErr  error
)

// shipped loads each shipped city once for the tests that only read it.
func shipped(t testing.TB, name string) *City {
	t.Helper()
	loadOnce.Do(func() {
		loaded = map[string]*City{}
		for _, n := range cities.Names() {
			fsys, err := cities.Open(n)
			if err != nil {
				loadErr = err
				return
			}
			if loaded[n], err = Load(fsys); err != nil {
				loadErr = err
				return
			}
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded[name]
}

func TestShippedCounts(t *testing.T) {
	for name, want := range map[string][2]int{"wuhan": {13, 193}, "nyc": {5, 0}} {
		c := shipped(t, name)
		t.Logf("%s: %d districts, %d streets, %d communities, %d grids", name, len(c.Districts), len(c.Streets), len(c.Communities), len(c.Grids))
		if len(c.Districts) != want[0] || (want[1] > 0 && len(c.Streets) != want[1]) {
			t.Errorf("%s: %d districts and %d streets, want %v", name, len(c.Districts), len(c.Streets), want)
		}
		for _, l := range Levels {
			for i, a := range c.Layer(l) {
				if a.Level != l || c.Area(a.Code) != a || (i > 0 && c.Layer(l)[i-1].Code >= a.Code) {
					t.Fatalf("%s: %s %s is misfiled or out of order", name, l, a.Code)
				}
				if l != District && (a.Parent == "" || c.Area(a.Parent) == nil || c.Area(a.Parent).Level != Levels[indexOf(l)-1]) {
					t.Fatalf("%s: %s %s has parent %q", name, l, a.Code, a.Parent)
				}
				if l != District && (!a.Generated || a.Props["generated"] != true) {
					t.Fatalf("%s: %s %s is generated but not marked", name, l, a.Code)
				}
			}
		}
	}
	if c := shipped(t, "nyc"); c.Area("1001") == nil || c.Area("1001").Name != "Manhattan 01" {
		t.Errorf("NYC sub-area 1001 is %+v, want Manhattan 01", c.Area("1001"))
	}
}

func indexOf(l Level) int {
	for i, m := range Levels {
		if m == l {
			return i
		}
	}
	return -1
}

// TestWuhanStreetNames: every row of streets.csv is a street, with its real name, in its
// district; the codes follow the unit-grid convention below it.
func TestWuhanStreetNames(t *testing.T) {
	c := shipped(t, "wuhan")
	data, err := os.ReadFile("../cities/wuhan/streets.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		s := c.Area(row[0])
		if s == nil || s.Name != row[1] || s.Parent != row[2] || s.Level != Street {
			t.Errorf("street %v: got %+v", row, s)
		}
	}
	if d := c.Area("420102"); d == nil || d.Name != "江岸区" {
		t.Errorf("district 420102 is %+v", d)
	}
	for _, g := range c.Grids {
		comm := c.Area(g.Parent)
		if len(g.Code) != 15 || g.Code[:12] != comm.Code || comm.Code[:9] != comm.Parent {
			t.Fatalf("grid %s in community %s of street %s breaks the code convention", g.Code, comm.Code, comm.Parent)
		}
	}
}

// TestGridAreas: full lattice cells are 0.5 km²; merged cells stay under 0.6; only cells
// clipped by a district boundary are smaller than 0.1 km²; the grids add up to the districts.
func TestGridAreas(t *testing.T) {
	for _, name := range cities.Names() {
		c := shipped(t, name)
		var grids, districts float64
		small, full := 0, 0
		for _, g := range c.Grids {
			a := geo.Area(g.Geometry) / 1e6
			grids += a
			if a > 0.6 {
				t.Errorf("%s: grid %s is %.3f km²", name, g.Code, a)
			}
			if len(g.Geometry) == 1 && len(g.Geometry[0]) == 1 && len(g.Geometry[0][0]) == 5 && math.Abs(a-0.5) < 0.002 {
				full++
			}
			if a < 0.1 {
				small++
				if rect(g) {
					t.Errorf("%s: grid %s is a whole cell of %.3f km²", name, g.Code, a)
				}
			}
		}
		for _, d := range c.Districts {
			districts += geo.Area(d.Geometry) / 1e6
		}
		t.Logf("%s: %.1f km² of districts, %.1f km² of grids; %d grids, %d whole cells, %d under 0.1 km² (clipped edge cells)", name, districts, grids, len(c.Grids), full, small)
		if math.Abs(grids-districts) > 0.005*districts {
			t.Errorf("%s: grids cover %.2f km², districts %.2f km²", name, grids, districts)
		}
		if full < len(c.Grids)/2 {
			t.Errorf("%s: only %d of %d grids are whole 0.5 km² cells", name, full, len(c.Grids))
		}
	}
}

// rect: the grid is one axis-aligned rectangle (an unclipped cell).
func rect(a *Area) bool {
	if len(a.Geometry) != 1 || len(a.Geometry[0]) != 1 || len(a.Geometry[0][0]) != 5 {
		return false
	}
	for i, p := range a.Geometry[0][0][:4] {
		q := a.Geometry[0][0][i+1]
		if p[0] != q[0] && p[1] != q[1] {
			return false
		}
	}
	return true
}

// TestRandomPoints: for 20,000 random points in the city's bound, the number of districts
// containing a point equals the number of grids containing it (0 or 1), and the grid's
// community, street and district all contain it too.
func TestRandomPoints(t *testing.T) {
	for _, name := range cities.Names() {
		c := shipped(t, name)
		b := c.Bound()
		rng := rand.New(rand.NewPCG(42, uint64(len(name))))
		inside := 0
		for range 20000 {
			p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			var ds, gs []*Area
			for _, d := range c.Districts {
				if d.Contains(p) {
					ds = append(ds, d)
				}
			}
			c.spatial[Grid].each(p, func(a *Area) { gs = append(gs, a) })
			if len(ds) != len(gs) || len(ds) > 1 {
				t.Fatalf("%s: point %v is in %d districts and %d grids", name, p, len(ds), len(gs))
			}
			if len(gs) == 0 {
				if c.At(Grid, p) != nil || c.At(Street, p) != nil {
					t.Fatalf("%s: point %v outside the districts has an area", name, p)
				}
				continue
			}
			inside++
			a := gs[0]
			for _, l := range []Level{Community, Street, District} {
				a = c.Area(a.Parent)
				if a == nil || a.Level != l || !a.Contains(p) || c.At(l, p) != a {
					t.Fatalf("%s: point %v: grid %s's %s %v does not contain it (At says %v)", name, p, gs[0].Code, l, a, c.At(l, p))
				}
			}
			if a != ds[0] {
				t.Fatalf("%s: point %v is in district %s but its grid %s leads to %s", name, p, ds[0].Code, gs[0].Code, a.Code)
			}
		}
		t.Logf("%s: %d of 20000 points inside the city", name, inside)
	}
}

// TestGeneratedValid: every generated area passes the checks a file's areas must pass.
func TestGeneratedValid(t *testing.T) {
	for _, name := range cities.Names() {
		c := shipped(t, name)
		for _, l := range Levels[1:] {
			for _, a := range c.Layer(l) {
				if _, err := Normalize(a.Geometry); err != nil {
					t.Fatalf("%s: %s %s: %v", name, l, a.Code, err)
				}
			}
		}
	}
}

// TestDeterministic: loading twice, once on one CPU, gives byte-identical layers.
func TestDeterministic(t *testing.T) {
	a := shipped(t, "wuhan")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	fsys, _ := cities.Open("wuhan")
	b, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Levels {
		x, _ := a.GeoJSON(l)
		y, _ := b.GeoJSON(l)
		if !bytes.Equal(x, y) {
			t.Errorf("the %s layer differs between two loads", l)
		}
	}
}

func BenchmarkLoadWuhan(b *testing.B) {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}
