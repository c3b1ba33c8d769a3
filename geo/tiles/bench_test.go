package tiles

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate/testcity"
	"github.com/paulmach/orb"
)

type tileReq struct {
	layer   string
	z, x, y uint32
}

// centreTiles lists every tile of zooms 8–14 of every layer over a box of about 20 km round
// the city centre (the busy part of the map), where each layer has features at that zoom.
func centreTiles(s *Server, c *city.City) []tileReq {
	box := orb.Bound{Min: orb.Point{c.Center[0] - 0.1, c.Center[1] - 0.09}, Max: orb.Point{c.Center[0] + 0.1, c.Center[1] + 0.09}}
	b := worldBound(box)
	var out []tileReq
	for _, info := range s.Layers() {
		for z := max(uint32(8), info.MinZoom); z <= 14; z++ {
			n := float64(uint64(1) << z)
			for ty := uint32(b.Min[1] * n); ty <= uint32(b.Max[1]*n); ty++ {
				for tx := uint32(b.Min[0] * n); tx <= uint32(b.Max[0]*n); tx++ {
					out = append(out, tileReq{info.Name, z, tx, ty})
				}
			}
		}
	}
	return out
}

func p99(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[(len(d)*99)/100]) / float64(time.Millisecond)
}

// benchCold builds every centre tile from a new Server (empty cache, nothing simplified yet)
// and reports the 99th percentile of one tile's build.
func benchCold(b *testing.B, c *city.City) {
	var times []time.Duration
	var bytes, tiles int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := New(c, Options{})
		reqs := centreTiles(s, c)
		b.StartTimer()
		for _, r := range reqs {
			start := time.Now()
			data, err := s.Tile(r.layer, r.z, r.x, r.y)
			times = append(times, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			bytes += len(data)
			tiles++
		}
	}
	b.ReportMetric(p99(times), "p99-ms")
	b.ReportMetric(float64(bytes)/float64(tiles)/1024, "KiB/tile")
	b.ReportMetric(float64(len(times))/float64(b.N), "tiles/op")
}

// benchCached warms the centre tiles, then requests them at random.
func benchCached(b *testing.B, c *city.City) {
	s := New(c, Options{})
	reqs := centreTiles(s, c)
	for _, r := range reqs {
		if _, err := s.Tile(r.layer, r.z, r.x, r.y); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[rng.IntN(len(reqs))]
		start := time.Now()
		if _, err := s.Tile(r.layer, r.z, r.x, r.y); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.ReportMetric(p99(times), "p99-ms")
}

// BenchmarkTileCold is the target: p99 ≤ 20 ms for a tile built from nothing (Wuhan).
func BenchmarkTileCold(b *testing.B) { benchCold(b, loadWuhan(b)) }

// BenchmarkTileCached is the target: p99 ≤ 1 ms for a cached tile (Wuhan).
func BenchmarkTileCached(b *testing.B) { benchCached(b, loadWuhan(b)) }

func BenchmarkTileColdSynthetic(b *testing.B) { benchCold(b, testcity.New(testcity.Wuhanish())) }

func BenchmarkTileCachedSynthetic(b *testing.B) { benchCached(b, testcity.New(testcity.Wuhanish())) }
