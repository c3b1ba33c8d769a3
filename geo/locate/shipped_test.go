package locate

import (
	"testing"

	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
)

// loadWuhan is the shipped Wuhan, loaded once per test binary.
func loadWuhan(tb testing.TB) *city.City { return testcity.Wuhan(tb) }

func TestAgreesWithReferenceWuhan(t *testing.T) {
	c := loadWuhan(t)
	t.Logf("%d districts, %d streets, %d communities, %d grids", len(c.Districts), len(c.Streets), len(c.Communities), len(c.Grids))
	agree(t, c, referencePoints())
}

// TestWuhanVerticesOneGrid: every vertex of every grid of Wuhan is claimed by at most one
// grid, and a vertex inside the city (one the districts claim) by exactly one.
func TestWuhanVerticesOneGrid(t *testing.T) {
	c := loadWuhan(t)
	ix, ref := New(c), newReference(c)
	dc := &city.City{Districts: c.Districts}
	dc.Index()
	dix := New(dc)
	seen, gaps := 0, 0
	every := 4 // a quarter of the grids: every vertex is shared by several anyway
	if raceEnabled {
		every = 80
	}
	for gi, g := range c.Grids {
		if gi%every != 0 {
			continue
		}
		for _, p := range g.Geometry {
			for _, r := range p {
				for _, v := range r {
					n := ref.count(v)
					inCity := dix.Locate(v).Inside
					if n > 1 {
						t.Fatalf("vertex %v is in %d grids", v, n)
					}
					if inCity && n == 0 {
						gaps++ // the grids leave a gap the district fills: Locate falls back
						if loc := ix.Locate(v); !loc.Inside || loc.District == "" {
							t.Fatalf("vertex %v inside a district located as %+v", v, loc)
						}
					}
					seen++
				}
			}
		}
	}
	t.Logf("%d vertices, %d in a district but in no grid", seen, gaps)
}

func TestAgreesWithReferenceNYC(t *testing.T) {
	fsys, err := cities.Open("nyc")
	if err != nil {
		t.Fatal(err)
	}
	c, err := city.Load(fsys)
	if err != nil {
		t.Fatalf("loading nyc: %v", err)
	}
	agree(t, c, 100000)
}
