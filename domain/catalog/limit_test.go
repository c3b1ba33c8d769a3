package catalog

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/chengyun/chengyun/domain"
)

func TestParseLimit(t *testing.T) {
	good := map[string]Limit{
		"0":       {},
		"2h":      {Time: 2 * time.Hour},
		"90m":     {Time: 90 * time.Minute},
		"3d":      {Days: 3},
		"1d4h":    {Days: 1, Time: 4 * time.Hour},
		"1h30m":   {Time: 90 * time.Minute},
		"2d0h15m": {Days: 2, Time: 15 * time.Minute},
		"3660d":   {Days: 3660},
		"10000h":  {Time: 10000 * time.Hour},
	}
	for s, want := range good {
		got, err := ParseLimit(s)
		if err != nil || got != want {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "d", "3", "h2", "-1d", "+1d", "1.5h", "2 h", " 2h", "2H", "4h1d", "1d1d", "1h1h",
		"2s", "2w", "1dh", "3661d", "10001h", "600001m", "9999h6000m", "12345678d", "0x10m", "2h\n"} {
		if l, err := ParseLimit(s); domain.CodeOf(err) != domain.CodeInvalid {
			t.Errorf("ParseLimit(%q) = %+v, %v; want an invalid error", s, l, err)
		}
	}
}

// validLimit draws any limit ParseLimit can return: whole minutes within the bounds.
func validLimit(t *rapid.T) Limit {
	return Limit{
		Days: rapid.IntRange(0, maxLimitDays).Draw(t, "days"),
		Time: time.Duration(rapid.IntRange(0, int(maxLimitTime/time.Minute)).Draw(t, "minutes")) * time.Minute,
	}
}

func TestLimitStringRoundTrip(t *testing.T) {
	for l, want := range map[Limit]string{{}: "0", {Days: 1, Time: 4 * time.Hour}: "1d4h", {Time: 90 * time.Minute}: "1h30m", {Days: 3}: "3d"} {
		if got := l.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", l, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		l := validLimit(t)
		back, err := ParseLimit(l.String())
		if err != nil || back != l {
			t.Fatalf("ParseLimit(%q) = %+v, %v; want %+v", l.String(), back, err, l)
		}
	})
}

func TestLimitScale(t *testing.T) {
	day, work := 24*time.Hour, 8*time.Hour
	cases := []struct {
		l    Limit
		f    float64
		day  time.Duration
		want Limit
	}{
		{Limit{Days: 3}, 1, day, Limit{Days: 3}},
		{Limit{Days: 3}, 0.5, day, Limit{Days: 1, Time: 12 * time.Hour}},
		{Limit{Days: 3}, 0.5, work, Limit{Days: 1, Time: 4 * time.Hour}}, // 1.5 working days
		{Limit{Days: 3}, 0.25, work, Limit{Time: 6 * time.Hour}},
		{Limit{Time: 30 * time.Hour}, 1, day, Limit{Days: 1, Time: 6 * time.Hour}}, // re-split
		{Limit{Time: 90 * time.Minute}, 0.5, day, Limit{Time: 45 * time.Minute}},
		{Limit{Days: 1, Time: 4 * time.Hour}, 0.25, work, Limit{Time: 3 * time.Hour}},
		{Limit{Time: 3 * time.Minute}, 0.25, day, Limit{Time: time.Minute}},      // rounds 45s to 1m
		{Limit{Time: time.Minute}, 0.01, day, Limit{Time: time.Minute}},          // never below a minute
		{Limit{Days: 1}, 0, day, Limit{Time: time.Minute}},                       // nor for a nonsense factor
		{Limit{Days: 1}, math.NaN(), day, Limit{Time: time.Minute}},              // ...
		{Limit{Days: 2}, 0.5, 0, Limit{Days: 1}},                                 // no day length: 24h
		{Limit{Days: maxLimitDays}, math.Inf(1), day, Limit{Days: maxLimitDays}}, // clamped
		{Limit{}, 0.5, day, Limit{}},
	}
	for _, c := range cases {
		if got := c.l.Scale(c.f, c.day); got != c.want {
			t.Errorf("%v.Scale(%v, %v) = %+v, want %+v", c.l, c.f, c.day, got, c.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		l := validLimit(t)
		f := rapid.Float64Range(0.001, 1).Draw(t, "f")
		d := time.Duration(rapid.IntRange(1, 48*60).Draw(t, "dayMinutes")) * time.Minute
		s := l.Scale(f, d)
		if l.IsZero() != s.IsZero() {
			t.Fatalf("Scale(%v) of %+v = %+v: zero-ness changed", f, l, s)
		}
		if s.Time < 0 || s.Time >= d || s.Days < 0 {
			t.Fatalf("Scale(%v, %v) of %+v = %+v: not split into whole days and the rest", f, d, l, s)
		}
		total := func(l Limit) float64 { return float64(l.Days)*d.Minutes() + l.Time.Minutes() }
		if want := math.Max(1, total(l)*f); !l.IsZero() && s.Days < maxLimitDays && math.Abs(total(s)-want) > 0.5 {
			t.Fatalf("Scale(%v, %v) of %+v = %+v: %v minutes, want %v", f, d, l, s, total(s), want)
		}
		if back, err := ParseLimit(s.String()); err != nil || back != s {
			t.Fatalf("scaled %+v does not round-trip: %v, %v", s, back, err)
		}
	})
}

func TestLimitJSONIsItsText(t *testing.T) {
	l, _ := ParseLimit("1d4h")
	b, err := json.Marshal(struct{ L Limit }{l})
	if err != nil || string(b) != `{"L":"1d4h"}` {
		t.Fatalf("%s %v", b, err)
	}
	var back struct{ L Limit }
	if err := json.Unmarshal(b, &back); err != nil || back.L != l {
		t.Fatalf("%+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"L":"soon"}`), &back); err == nil {
		t.Fatal("a bad limit decoded")
	}
}
