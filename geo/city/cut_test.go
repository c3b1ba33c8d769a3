package city

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// star is a random star-shaped (so simple) ring around c: concave, and crossing many cells.
func star(rng *rand.Rand, c orb.Point, n int, r0, r1 float64) orb.Ring {
	var r orb.Ring
	for k := range n {
		a := 2 * math.Pi * (float64(k) + rng.Float64()*0.5) / float64(n)
		d := r0 + rng.Float64()*(r1-r0)
		r = append(r, orb.Point{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)*0.86})
	}
	return append(r, r[0])
}

// TestCutPartitions cuts random concave polygons with holes and islands-in-holes and checks
// the pieces partition the polygon: the areas add up, every random point of the polygon is
// in exactly one piece and no point outside is in any, and the union of the pieces has the
// polygon's area.
func TestCutPartitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 40 {
		c := orb.Point{114 + rng.Float64(), 30 + rng.Float64()}
		outer := star(rng, c, 20+rng.IntN(60), 0.01, 0.08)
		hole := star(rng, c, 12, 0.002, 0.006)
		mp := orb.MultiPolygon{{outer, hole}}
		if round%2 == 0 { // an island inside the hole
			mp = append(mp, orb.Polygon{star(rng, c, 8, 0.0005, 0.0015)})
		}
		for _, pg := range mp {
			if e := checkSimple(pg); e != nil {
				t.Fatalf("round %d: random polygon is not simple: %s", round, e.msg)
			}
		}
		if e := normalise(mp, true); e != nil {
			t.Fatal(e.msg)
		}
		lt, pieces, err := cutAll("x", mp.Bound(), 0.2+rng.Float64(), []*Area{{Code: "x", Geometry: mp}})
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		var all []orb.Polygon
		for _, p := range pieces[0] {
			sum += p.km2
			all = append(all, p.polys...)
			for _, pg := range p.polys {
				if e := checkSimple(pg); e != nil {
					t.Fatalf("round %d: piece in cell %d: %s", round, p.cell, e.msg)
				}
			}
		}
		// orb/geo's area is the trapezoid rule in (longitude, sin latitude): adding the
		// crossing points to a straight lon/lat edge changes it by ~1e-5 for the long edges of
		// these test shapes, so the reference is the polygon with those points added
		split := orb.MultiPolygon{}
		for _, pg := range mp {
			var spg orb.Polygon
			for _, r := range pg {
				pts, _, _ := lt.split(r)
				spg = append(spg, append(orb.Ring(pts), pts[0]))
			}
			split = append(split, spg)
		}
		want := geo.Area(split) / 1e6
		if d := math.Abs(geo.Area(mp)/1e6 - want); d > 1e-4*want {
			t.Errorf("round %d: splitting edges changed the area by %g km²", round, d)
		}
		if math.Abs(sum-want) > 1e-9*want {
			t.Errorf("round %d: pieces add up to %.9f km², polygon is %.9f", round, sum, want)
		}
		u, err := union(all, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := geo.Area(u) / 1e6; math.Abs(got-want) > 1e-9*want {
			t.Errorf("round %d: union of pieces is %.9f km², polygon is %.9f", round, got, want)
		}
		b := mp.Bound()
		for range 2000 {
			p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			in := (&Area{Geometry: mp, Bound: b}).Contains(p)
			n := 0
			for _, pc := range pieces[0] {
				for _, pg := range pc.polys {
					if polygonContains(pg, p) {
						n++
						if pc.cell != lt.cellOf(p) {
							t.Fatalf("round %d: point %v in the piece of cell %d, but it is in cell %d", round, p, pc.cell, lt.cellOf(p))
						}
					}
				}
			}
			if (in && n != 1) || (!in && n != 0) {
				t.Fatalf("round %d: point %v: in polygon %v, in %d pieces", round, p, in, n)
			}
		}
	}
}

// TestUnionTouchingCorners: two cells meeting at a corner become two simple rings, not one
// ring through the corner twice.
func TestUnionTouchingCorners(t *testing.T) {
	a := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	b := orb.Polygon{{{1, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 1}}}
	c := orb.Polygon{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}}
	u, err := union([]orb.Polygon{a, b}, true)
	if err != nil || len(u) != 2 || len(u[0][0]) != 5 || len(u[1][0]) != 5 {
		t.Fatalf("corner-touching cells: %v, %v", u, err)
	}
	u, err = union([]orb.Polygon{a, b, c}, true)
	if err != nil || len(u) != 1 || len(u[0]) != 1 || len(u[0][0]) != 7 {
		t.Fatalf("an L of three cells should be one hexagon: %v, %v", u, err)
	}
	// a ring of 8 cells around a missing one: one polygon with a hole
	var cells []orb.Polygon
	for i := range 3 {
		for j := range 3 {
			if i == 1 && j == 1 {
				continue
			}
			x, y := float64(i), float64(j)
			cells = append(cells, orb.Polygon{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}})
		}
	}
	u, err = union(cells, true)
	if err != nil || len(u) != 1 || len(u[0]) != 2 || len(u[0][0]) != 5 || len(u[0][1]) != 5 || signedArea(u[0][1]) >= 0 {
		t.Fatalf("8 cells around a hole: %v, %v", u, err)
	}
}

func TestInteriorPoint(t *testing.T) {
	// a U whose centroid is in the notch, outside the shape
	u := orb.MultiPolygon{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}}
	p := interiorPoint(u)
	if !(&Area{Geometry: u, Bound: u.Bound()}).Contains(p) {
		t.Errorf("interior point %v of a U is outside it", p)
	}
	// a square with a hole in the middle of the scan line
	h := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}}
	p = interiorPoint(h)
	if !(&Area{Geometry: h, Bound: h.Bound()}).Contains(p) {
		t.Errorf("interior point %v of a holed square is outside it", p)
	}
}

func TestCheckSimple(t *testing.T) {
	for name, tc := range map[string]struct {
		pg orb.Polygon
		ok bool
	}{
		"square":             {orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}, true},
		"bowtie":             {orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}, false},
		"spike":              {orb.Polygon{{{0, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 0}}}, false},
		"self-touch":         {orb.Polygon{{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}}, false},
		"hole touching":      {orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{0, 2}, {2, 3}, {2, 1}, {0, 2}}}, true},
		"hole crossing":      {orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{-1, 2}, {2, 3}, {2, 1}, {-1, 2}}}, false},
		"hole through point": {orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{-1, 1}, {0, 2}, {-1, 3}, {2, 3}, {2, 1}, {-1, 1}}}, false},
	} {
		if e := checkSimple(tc.pg); (e == nil) != tc.ok {
			t.Errorf("%s: simple = %v, want %v (%v)", name, e == nil, tc.ok, e)
		}
	}
}
