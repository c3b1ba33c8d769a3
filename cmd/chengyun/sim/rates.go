package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// WuhanCasesPerDay is the demo's full-scale volume. Wuhan's 民呼我应 platform collected about
// 5.3 million cases in its first two years, about 7,300 a day. A demo runs at a fraction of
// it (Rates.Scale).
const WuhanCasesPerDay = 7300

// Rates shape how much a simulated city reports and when.
type Rates struct {
	// Scale is the fraction of WuhanCasesPerDay the city reports (0.1: 730 cases a day).
	Scale float64
	// YearAgo is the volume a year earlier relative to now (0.9: the city grew 11 %), so that
	// 同比 shows a change rather than an echo.
	YearAgo float64
	// Floor is the least share of a day any hour gets, as a fraction of an even spread
	// (0.5: an hour has at least half an average hour's cases). A live demo sets it so that
	// its city does not fall silent at night; the history keeps the true curve.
	Floor float64
}

// DefaultRates are the demo's: a tenth of Wuhan, growing 11 % a year.
var DefaultRates = Rates{Scale: 0.1, YearAgo: 0.9}

// hourly is the share of a day's hotline calls in each hour of the city's day (a 12345
// centre's typical curve: quiet nights, a morning peak around ten, a second one mid-afternoon).
var hourly = normalize([24]float64{0.8, 0.5, 0.35, 0.3, 0.3, 0.45, 1.2, 2.8, 5.5, 7.6, 8.0, 7.0,
	5.0, 5.4, 6.8, 7.0, 6.6, 5.6, 4.2, 4.0, 3.8, 3.2, 2.2, 1.4})

// patrolHourly is when patrols and grid workers are out: working hours only.
var patrolHourly = normalize([24]float64{0, 0, 0, 0, 0, 0, 0, 0.5, 6, 9, 10, 9, 4, 5, 9, 10, 9, 6, 1, 0, 0, 0, 0, 0})

// weekday scales a day's volume: weekends are quieter, Mondays busiest.
var weekday = [7]float64{time.Sunday: 0.72, time.Monday: 1.12, time.Tuesday: 1.05, time.Wednesday: 1.02,
	time.Thursday: 1.02, time.Friday: 1.0, time.Saturday: 0.78}

// sourceShare is how the demo's cases reach the city: mostly the 12345 hotline, then patrols,
// video AI, Open311 clients, higher authorities, the press and companies.
var sourceShare = []struct {
	src    cases.Source
	share  float64
	patrol bool // follows patrolHourly rather than hourly
}{
	{cases.SourceHotline, 0.62, false}, {cases.SourcePatrol, 0.22, true}, {cases.SourceVideo, 0.08, false},
	{cases.SourceOpen311, 0.03, false}, {cases.SourceHigher, 0.02, true}, {cases.SourceMedia, 0.015, false},
	{cases.SourceEnterprise, 0.015, true},
}

func normalize(w [24]float64) [24]float64 {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// expected is the mean number of cases of source si reported in the hour starting at h (in
// the city's zone), at volume factor f.
func (r Rates) expected(si int, h time.Time, f float64) float64 {
	s := sourceShare[si]
	curve := hourly
	if s.patrol {
		curve = patrolHourly
	}
	share := max(curve[h.Hour()], r.Floor/24)
	return WuhanCasesPerDay * r.Scale * f * s.share * share * weekday[h.Weekday()]
}

// poisson draws a count with mean lambda: Knuth's method for small means, a rounded normal
// for large ones (where the two are indistinguishable for a demo).
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
