package locate

import (
	"runtime"
	"sync"
	"testing"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
	"github.com/paulmach/orb"
)

// agree checks Index against the brute-force reference on n random points and on the
// vertices of the finest level (vertices are where the edge rule matters most). Under -race a
// big city gets a twentieth of the points and vertices: the reference costs points × areas.
func agree(t *testing.T, c *city.City, n int) {
	t.Helper()
	ix, ref := New(c), newReference(c)
	every := 1
	if raceEnabled && len(c.Layer(ix.Level())) > 5000 {
		n, every = n/20, 20
		t.Logf("race detector on: %d random points, every %dth area's vertices", n, every)
	}
	pts := randomPoints(c.Bound(), n, 11)
	for i, a := range c.Layer(ix.Level()) {
		if i%every != 0 {
			continue
		}
		for _, p := range a.Geometry {
			for _, r := range p {
				pts = append(pts, r...)
			}
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	mismatches, inside := 0, 0
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			bad, in := 0, 0
			for i := w; i < len(pts); i += workers {
				got, want := ix.Locate(pts[i]), ref.locate(pts[i])
				if got != want {
					if bad < 3 {
						t.Errorf("Locate(%v) = %+v, reference %+v", pts[i], got, want)
					}
					bad++
				}
				if got.Inside {
					in++
				}
			}
			mu.Lock()
			mismatches += bad
			inside += in
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	t.Logf("%d points (%d inside), %d mismatches", len(pts), inside, mismatches)
	if mismatches > 0 {
		t.Fatalf("%d mismatches", mismatches)
	}
	if inside == 0 {
		t.Fatal("no point inside: the test tests nothing")
	}
}

func TestAgreesWithReferenceSmall(t *testing.T) { agree(t, testcity.New(testcity.Small()), 100000) }

func TestAgreesWithReferenceSquare(t *testing.T) { agree(t, testcity.New(testcity.Square()), 100000) }

func TestAgreesWithReferenceNoGrids(t *testing.T) {
	o := testcity.Small()
	o.NoGrids = true // communities are the finest level: irregular, cut by district borders
	c := testcity.New(o)
	if New(c).Level() != city.Community {
		t.Fatal("a city with no grids should be located by communities")
	}
	agree(t, c, 100000)
}

func TestAgreesWithReference17k(t *testing.T) {
	c := testcity.New(testcity.Wuhanish())
	t.Logf("%d districts, %d streets, %d communities, %d grids", len(c.Districts), len(c.Streets), len(c.Communities), len(c.Grids))
	agree(t, c, referencePoints())
}

// TestSharedEdgesAndVertices puts points exactly on every lattice vertex and on the middle of
// every edge of a square lattice: each must get exactly one grid, the one north-east of it.
func TestSharedEdgesAndVertices(t *testing.T) {
	o := testcity.Square()
	c := testcity.New(o)
	ix, ref := New(c), newReference(c)
	gridAt := map[[2]int]string{}
	for _, g := range c.Grids {
		sw := g.Bound.Min
		i := int((sw[0]-o.Origin[0])/o.Cell[0] + 0.5)
		j := int((sw[1]-o.Origin[1])/o.Cell[1] + 0.5)
		gridAt[[2]int{i, j}] = g.Code
	}
	checked := 0
	for j := 0; j <= o.NY; j++ {
		for i := 0; i <= o.NX; i++ {
			v, east, north := testcity.Vertex(o, i, j), testcity.Vertex(o, i+1, j), testcity.Vertex(o, i, j+1)
			pts := []orb.Point{
				v,                             // a vertex shared by up to four grids
				{(v[0] + east[0]) / 2, v[1]},  // on an east-west edge
				{v[0], (v[1] + north[1]) / 2}, // on a north-south edge
			}
			for _, p := range pts {
				want := gridAt[[2]int{i, j}] // the grid whose south-west corner is (i, j)
				n := ref.count(p)
				if (want == "" && n != 0) || (want != "" && n != 1) {
					t.Errorf("%v on the lattice is in %d grids (want the one at %d,%d: %q)", p, n, i, j, want)
				}
				if got := ix.Locate(p); got.Grid != want || got.Inside != (want != "") {
					t.Errorf("Locate(%v) = %+v, want grid %q", p, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d points on edges and vertices", checked)
}

// TestJitteredVertices: on a jittered lattice the edges are slanted; every interior vertex is
// shared by four grids and must belong to exactly one.
func TestJitteredVertices(t *testing.T) {
	o := testcity.Small()
	c := testcity.New(o)
	ref := newReference(c)
	inner := 0
	for j := 1; j < o.NY; j++ {
		for i := 1; i < o.NX; i++ {
			p := testcity.Vertex(o, i, j)
			n := ref.count(p)
			if n > 1 {
				t.Errorf("vertex %d,%d %v is in %d grids", i, j, p, n)
			}
			if n == 1 {
				inner++
			}
		}
	}
	if inner == 0 {
		t.Fatal("no vertex inside")
	}
}

func TestOutside(t *testing.T) {
	c := testcity.New(testcity.Small())
	ix := New(c)
	b := c.Bound()
	for _, p := range []orb.Point{{0, 0}, {b.Min[0] - 0.1, b.Min[1]}, {b.Max[0] + 1e-9, b.Max[1]}, {-180, 90}} {
		if got := ix.Locate(p); got != (Location{}) {
			t.Errorf("Locate(%v) = %+v, want outside", p, got)
		}
	}
	// The lake of the synthetic city is a hole through every level.
	if got := ix.Locate(c.Center); !got.Inside || got.Grid == "" || got.District == "" || got.Street == "" || got.Community == "" {
		t.Errorf("Locate(center) = %+v, want every level", got)
	}
}

func TestParentsFromCodes(t *testing.T) {
	c := testcity.New(testcity.Small())
	ix := New(c)
	for _, g := range c.Grids[:50] {
		var p orb.Point // the mean of a (convex) grid cell's corners is inside it
		for _, v := range g.Geometry[0][0][:4] {
			p = orb.Point{p[0] + v[0]/4, p[1] + v[1]/4}
		}
		loc := ix.Locate(p)
		got := c.Area(loc.Grid)
		if loc.Grid != g.Code || got.Parent != loc.Community || c.Area(loc.Community).Parent != loc.Street || c.Area(loc.Street).Parent != loc.District {
			t.Errorf("Locate(%v) = %+v: parents do not follow the codes", p, loc)
		}
	}
}

func TestLocateAllocatesNothing(t *testing.T) {
	c := testcity.New(testcity.Small())
	ix := New(c)
	pts := randomPoints(c.Bound(), 1000, 5)
	i := 0
	if n := testing.AllocsPerRun(10000, func() { ix.Locate(pts[i%len(pts)]); i++ }); n != 0 {
		t.Fatalf("Locate allocates %v times per call", n)
	}
}

func TestContains(t *testing.T) {
	// A square with a square hole: the hole and its border's north-east sides are outside.
	outer := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	hole := orb.Ring{{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}
	mp := orb.MultiPolygon{{outer, hole}, {{{5, 0}, {6, 0}, {6, 1}, {5, 1}, {5, 0}}}}
	for _, c := range []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{0.5, 0.5}, true}, {orb.Point{2, 2}, false}, {orb.Point{0, 0}, true},
		{orb.Point{4, 2}, false}, {orb.Point{2, 4}, false}, {orb.Point{1, 2}, false},
		{orb.Point{3, 2}, true}, {orb.Point{2, 3}, true}, {orb.Point{2, 1}, false},
		{orb.Point{5.5, 0.5}, true}, {orb.Point{4.5, 0.5}, false},
	} {
		if got := Contains(mp, c.p); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

// referencePoints is how many random points the brute-force comparisons use: 100,000, or a
// tenth of that under -short (fewer points, never a skipped check).
func referencePoints() int {
	if testing.Short() {
		return 10000
	}
	return 100000
}
