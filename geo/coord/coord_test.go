package coord

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

var chinaCities = map[string]orb.Point{
	"Harbin":   {126.5349, 45.8038},
	"Urumqi":   {87.6168, 43.8256},
	"Lhasa":    {91.1409, 29.6456},
	"Kunming":  {102.8329, 24.8801},
	"Sanya":    {109.5119, 18.2528},
	"Shanghai": {121.4737, 31.2304},
	"Beijing":  {116.4074, 39.9042},
	"Wuhan":    {114.3055, 30.5928},
}

func roundTrip(t *testing.T, sys System, p orb.Point) float64 {
	t.Helper()
	q, err := FromWGS84(sys, p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ToWGS84(sys, q)
	if err != nil {
		t.Fatal(err)
	}
	return geo.Distance(p, r)
}

func TestRoundTrip(t *testing.T) {
	const limit = 0.01 // metres: the iteration aims at 1 cm, the requirement is 1 m
	for _, sys := range []System{GCJ02, BD09} {
		for name, p := range chinaCities {
			if d := roundTrip(t, sys, p); d > limit {
				t.Errorf("%s %s: round trip off by %.4f m", sys, name, d)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		worst := 0.0
		for range 10000 {
			p := orb.Point{73 + rng.Float64()*62, 18 + rng.Float64()*36}
			worst = max(worst, roundTrip(t, sys, p))
		}
		if worst > limit {
			t.Errorf("%s: worst round trip over 10,000 random points is %.4f m", sys, worst)
		}
		t.Logf("%s: worst round trip %.2e m", sys, worst)
	}
}

func TestKnownShift(t *testing.T) {
	// GCJ-02 moves central Wuhan by about 590 m, east and a little south (0.0054° east,
	// 0.0024° south); BD-09 adds roughly another kilometre to the north-east.
	w := chinaCities["Wuhan"]
	g, _ := FromWGS84(GCJ02, w)
	if d := geo.Distance(w, g); d < 400 || d > 800 || g[0] <= w[0] || g[1] >= w[1] {
		t.Errorf("GCJ-02 shift in Wuhan is %.0f m to %v, want a few hundred metres east-south-east", d, g)
	}
	b, _ := FromWGS84(BD09, w)
	if d := geo.Distance(g, b); d < 500 || d > 1500 {
		t.Errorf("BD-09 shift from GCJ-02 in Wuhan is %.0f m, want about a kilometre", d)
	}
	// a point outside the China box is not shifted
	nyc := orb.Point{-73.9857, 40.7484}
	for _, sys := range Systems {
		if q, err := FromWGS84(sys, nyc); err != nil || q != nyc {
			t.Errorf("%s moved New York to %v (%v)", sys, q, err)
		}
	}
}

func TestParseSystem(t *testing.T) {
	for in, want := range map[string]System{"": WGS84, "WGS84": WGS84, "EPSG:4326": WGS84, "gcj02": GCJ02,
		"GCJ-02": GCJ02, "bd09": BD09, " BD-09 ": BD09} {
		if got, err := ParseSystem(in); err != nil || got != want {
			t.Errorf("ParseSystem(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseSystem("mercator")
	if err == nil || !strings.Contains(err.Error(), `"mercator"`) || !strings.Contains(err.Error(), "gcj02") {
		t.Errorf("unknown system: got %v, want an error naming the value and the valid ones", err)
	}
	if _, err := ToWGS84("mercator", orb.Point{114, 30}); err == nil {
		t.Error("ToWGS84 accepted an unknown system")
	}
	if _, err := FromWGS84("GCJ-02", orb.Point{114, 30}); err == nil {
		t.Error("FromWGS84 accepted a non-canonical system value")
	}
}

func TestNotFinite(t *testing.T) {
	for _, p := range []orb.Point{{math.NaN(), 30}, {114, math.Inf(1)}, {181, 30}, {114, -91}} {
		for _, sys := range Systems {
			if _, err := ToWGS84(sys, p); err == nil {
				t.Errorf("ToWGS84(%s, %v) accepted it", sys, p)
			}
		}
	}
}

func BenchmarkGCJToWGS(b *testing.B) {
	p := chinaCities["Wuhan"]
	for b.Loop() {
		_, _ = ToWGS84(GCJ02, p)
	}
}

func FuzzToWGS84(f *testing.F) {
	f.Add("gcj02", 114.3, 30.6)
	f.Add("bd09", 116.4, 39.9)
	f.Add("wgs84", -73.9, 40.7)
	f.Add("gcj02", math.NaN(), 30.0)
	f.Add("bd09", math.Inf(-1), math.Inf(1))
	f.Add("x", 72.004, 55.8271)
	f.Fuzz(func(t *testing.T, s string, lon, lat float64) {
		sys, err := ParseSystem(s)
		if err != nil {
			sys = System(s)
		}
		p := orb.Point{lon, lat}
		w, err := ToWGS84(sys, p)
		if err != nil {
			return
		}
		if math.IsNaN(w[0]) || math.IsNaN(w[1]) {
			t.Fatalf("ToWGS84(%s, %v) = %v without an error", sys, p, w)
		}
		if _, err := FromWGS84(sys, w); err != nil && math.Abs(w[0]) <= 180 && math.Abs(w[1]) <= 90 {
			t.Fatalf("FromWGS84(%s, %v): %v", sys, w, err)
		}
	})
}
