package tiles

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
	"github.com/chengyun/chengyun/geo/locate/testcity"
	"github.com/paulmach/orb"
)

// tilePixels is how wide a tile is drawn: 512, as Mapbox GL draws vector tiles, so the
// default simplification (8 of 4096) is one pixel.
const tilePixels = 512

// canvas holds, per pixel, the index of the district drawn there (-1: none).
type canvas struct {
	w, h   int
	tx, ty uint32 // tile at the top left
	idx    []int16
}

// fillRings scanline-fills the rings (pixel coordinates) with v, even-odd, at pixel centres.
func (c *canvas) fillRings(rings [][]orb.Point, v int16) {
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, r := range rings {
		for _, p := range r {
			minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
		}
	}
	var xs []float64
	for py := max(int(math.Floor(minY)), 0); py <= min(int(math.Ceil(maxY)), c.h-1); py++ {
		yc := float64(py) + 0.5
		xs = xs[:0]
		for _, r := range rings {
			for k := range r {
				a, b := r[k], r[(k+1)%len(r)]
				if (a[1] > yc) != (b[1] > yc) {
					xs = append(xs, a[0]+(yc-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
		}
		slices.Sort(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			// pixel px is filled when its centre px+0.5 lies in [xs[k], xs[k+1])
			for px := max(int(math.Ceil(xs[k]-0.5)), 0); px < min(int(math.Ceil(xs[k+1]-0.5)), c.w); px++ {
				c.idx[py*c.w+px] = v
			}
		}
	}
}

func (c *canvas) png(path string, palette []color.RGBA) error {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for i, v := range c.idx {
		col := color.RGBA{255, 255, 255, 255}
		if v >= 0 {
			col = palette[int(v)%len(palette)]
		}
		img.SetRGBA(i%c.w, i/c.w, col)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func palette(n int) []color.RGBA {
	out := make([]color.RGBA, n)
	for i := range out {
		h := float64(i) * 0.618033988749895 // golden-ratio hues: neighbours differ
		h -= math.Floor(h)
		r, g, b := hsv(h, 0.55+0.3*float64(i%3)/2, 0.95-0.2*float64(i%2))
		out[i] = color.RGBA{r, g, b, 255}
	}
	return out
}

func hsv(h, s, v float64) (uint8, uint8, uint8) {
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return uint8(r * 255), uint8(g * 255), uint8(b * 255)
}

// outputDir is where the tests leave their pictures.
func outputDir(t *testing.T) string {
	if d := os.Getenv("CHENGYUN_TEST_OUTPUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// drawDistricts fetches the district tiles covering the city at zoom z, decodes and draws
// them, writes the PNG, and compares every 3rd pixel centre with point-in-polygon on the
// original WGS84 district geometry. It returns the share of agreeing pixels of the whole
// picture, and the stricter share among the pixels inside the city by either the drawing or
// the truth (the city covers a small part of its tiles, and only there can they differ).
func drawDistricts(t *testing.T, c *city.City, cityName string, z uint32) (all, inside float64) {
	return drawDistrictsWith(t, c, cityName, z, Options{})
}

func drawDistrictsWith(t *testing.T, c *city.City, cityName string, z uint32, opts Options) (float64, float64) {
	s := New(c, opts)
	b := worldBound(c.Bound())
	n := float64(uint64(1) << z)
	tx0, ty0 := uint32(b.Min[0]*n), uint32(b.Min[1]*n)
	tx1, ty1 := uint32(b.Max[0]*n), uint32(b.Max[1]*n)
	cv := &canvas{w: int(tx1-tx0+1) * tilePixels, h: int(ty1-ty0+1) * tilePixels, tx: tx0, ty: ty0}
	cv.idx = make([]int16, cv.w*cv.h)
	for i := range cv.idx {
		cv.idx[i] = -1
	}
	code := map[string]int16{}
	for i, d := range c.Districts {
		code[d.Code] = int16(i)
	}
	scale := float64(tilePixels) / Extent
	tiles := 0
	for ty := ty0; ty <= ty1; ty++ {
		for tx := tx0; tx <= tx1; tx++ {
			data, err := s.Tile("districts", z, tx, ty)
			if err != nil {
				t.Fatal(err)
			}
			if data == nil {
				continue
			}
			dt, err := decodeGzipped(data)
			if err != nil {
				t.Fatalf("tile %d/%d/%d: %v", z, tx, ty, err)
			}
			l := dt["districts"]
			if l == nil || l.extent != Extent || l.version != 2 {
				t.Fatalf("tile %d/%d/%d: layer %+v", z, tx, ty, l)
			}
			tiles++
			ox, oy := float64(tx-tx0)*tilePixels, float64(ty-ty0)*tilePixels
			for _, f := range l.features {
				v, ok := code[f.props["code"].(string)]
				if !ok {
					t.Fatalf("feature with code %v", f.props["code"])
				}
				for _, poly := range f.polygons {
					var rings [][]orb.Point
					for _, r := range poly {
						pr := make([]orb.Point, len(r))
						for k, p := range r {
							pr[k] = orb.Point{ox + float64(p[0])*scale, oy + float64(p[1])*scale}
						}
						rings = append(rings, pr)
					}
					cv.fillRings(rings, v)
				}
			}
		}
	}
	path := filepath.Join(outputDir(t), "districts-"+cityName+"-z"+itoa(int(z))+".png")
	if err := cv.png(path, palette(len(c.Districts))); err != nil {
		t.Fatal(err)
	}
	t.Logf("drew %d tiles of zoom %d into %s (%d×%d)", tiles, z, path, cv.w, cv.h)

	// The truth: point in polygon on the WGS84 districts (through locate, whose edge rule is
	// exact; a city of districts only, so it answers with them).
	dc := &city.City{Districts: c.Districts}
	dc.Index()
	ix := locate.New(dc)
	agree, counted, all, allAgree := 0, 0, 0, 0
	for py := 1; py < cv.h; py += 3 {
		for px := 1; px < cv.w; px += 3 {
			wx := (float64(tx0) + (float64(px)+0.5)/tilePixels) / n
			wy := (float64(ty0) + (float64(py)+0.5)/tilePixels) / n
			want := int16(-1)
			if loc := ix.Locate(toLonLat(orb.Point{wx, wy})); loc.Inside {
				want = code[loc.District]
			}
			got := cv.idx[py*cv.w+px]
			all++
			if got == want {
				allAgree++
			}
			if got >= 0 || want >= 0 {
				counted++
				if got == want {
					agree++
				}
			}
		}
	}
	if counted == 0 {
		t.Fatal("no pixel inside the city")
	}
	share, allShare := float64(agree)/float64(counted), float64(allAgree)/float64(all)
	t.Logf("zoom %d: %.3f%% of all %d sampled pixels agree; %d of the %d inside the city (%.3f%%)", z, 100*allShare, all, agree, counted, 100*share)
	return allShare, share
}

// checkDrawing draws zooms 8 and 10 and holds them to 99 % of all pixels, and 98.5 % of the
// pixels inside the city (where the simplification of about one pixel moves the borders).
func checkDrawing(t *testing.T, c *city.City, cityName string) {
	for _, z := range []uint32{8, 10} {
		all, inside := drawDistricts(t, c, cityName, z)
		if all < 0.99 || inside < 0.985 {
			t.Errorf("zoom %d: %.2f%% of all pixels and %.2f%% inside the city agree with the districts", z, 100*all, 100*inside)
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestTilesDrawDistrictsSynthetic(t *testing.T) {
	checkDrawing(t, testcity.New(testcity.Wuhanish()), "synthetic")
}
