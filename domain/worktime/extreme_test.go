package worktime

import (
	"math"
	"testing"
	"time"
)

// Absurd inputs must still come back, quickly: counting stops at the year 10000.
func TestExtremes(t *testing.T) {
	tiny := mustParse(t, "name: tiny\ntimezone: America/New_York\nweekdays: [sun]\nhours: [\"01:59-02:00\"]\n")
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	huge := time.Duration(math.MaxInt64)
	for name, c := range map[string]*Calendar{"wuhan": load(t, "wuhan"), "nyc": load(t, "nyc"), "tiny": tiny} {
		horizonTime := time.Date(10000, 1, 1, 0, 0, 0, 0, c.Location())
		for _, start := range []time.Time{{}, time.Unix(-1<<62, 0), time.Date(2026, 2, 14, 9, 0, 0, 0, c.Location())} {
			began := time.Now()
			end := c.Add(start, huge)
			if end.Before(start) || end.After(horizonTime) {
				t.Errorf("%s: Add(%v, max) = %v", name, start, end)
			}
			if got := c.Between(start, far); got <= 0 {
				t.Errorf("%s: Between(%v, year 20000) = %v", name, start, got)
			}
			if got := c.AddDays(start, math.MaxInt); got.Before(start) || got.After(horizonTime) {
				t.Errorf("%s: AddDays(%v, max) = %v", name, start, got)
			}
			if el := time.Since(began); el > 2*time.Second {
				t.Errorf("%s from %v took %v", name, start, el)
			}
		}
		if got := c.Add(far, time.Hour); !got.Equal(far) {
			t.Errorf("%s: Add past the horizon = %v, want start", name, got)
		}
		if c.Between(far, far.AddDate(1, 0, 0)) != 0 || c.IsWorking(far) {
			t.Errorf("%s: working time past the horizon", name)
		}
	}
}
