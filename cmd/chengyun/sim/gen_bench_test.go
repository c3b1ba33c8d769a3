package sim

import (
	"testing"
	"time"
)

func BenchmarkHistoryDay(b *testing.B) {
	g := NewGenerator(wuhanWorld(b), DefaultRates, 1)
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, g.Location())
	cut := day.AddDate(0, 0, 20)
	events, cases := 0, 0
	for b.Loop() {
		for h := 0; h < 24; h++ {
			for _, a := range g.Hour(day.Add(time.Duration(h)*time.Hour), 1) {
				events += len(g.History(a, cut).Events)
				cases++
			}
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(cases), "events/case")
}
