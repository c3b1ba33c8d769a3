package locate

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
)

// benchLocate runs Locate over random points inside the city's bound and reports lookups/s.
// Run it with -cpu 1: the figure is per core.
func benchLocate(b *testing.B, c *city.City) {
	ix := New(c)
	pts := randomPoints(c.Bound(), 1<<16, 3)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var sink int
	for i := 0; i < b.N; i++ {
		if ix.Locate(pts[i&(len(pts)-1)]).Inside {
			sink++
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lookups/s")
	_ = sink
}

// BenchmarkLocateSynthetic17k is the figure before the real city loads: ~17,000 jittered
// grids over a Wuhan-sized bound.
func BenchmarkLocateSynthetic17k(b *testing.B) { benchLocate(b, testcity.New(testcity.Wuhanish())) }

func BenchmarkIndexBuildSynthetic17k(b *testing.B) {
	c := testcity.New(testcity.Wuhanish())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		New(c)
	}
}

// BenchmarkLocateWuhan is the target figure: ≥ 1,000,000 lookups/s on one core (-cpu 1) over
// random points inside Wuhan's bound (about half of them inside the city).
func BenchmarkLocateWuhan(b *testing.B) { benchLocate(b, loadWuhan(b)) }

func BenchmarkIndexBuildWuhan(b *testing.B) {
	c := loadWuhan(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		New(c)
	}
}
