package indicators

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// million is a generated history of about a million events: 95,000 cases over 60 days, plus
// the same month a year earlier (同比 has data).
var million = sync.OnceValue(func() []domain.RecordedEvent {
	var tb testing.B
	now := generate(&tb, genOpts{cases: 80_000, start: time.Date(2026, 2, 1, 0, 0, 0, 0, shanghai), span: 60 * 24 * time.Hour, seed: 11})
	old := generate(&tb, genOpts{cases: 15_000, start: time.Date(2025, 2, 1, 0, 0, 0, 0, shanghai), span: 30 * 24 * time.Hour, seed: 12})
	all := append(old, now...)
	for i := range all {
		all[i].Position = uint64(i + 1)
	}
	return all
})

// BenchmarkReplay folds the million-event history through the whole catalog: events/s.
func BenchmarkReplay(b *testing.B) {
	events := million()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		e := newEngine(b)
		for _, ev := range events {
			if err := e.Apply(ev, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(events)*b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkAsOf answers every indicator of one scope (the city, a district, a grid) at random
// past instants over the million-event history: the time-travel slider's query. p99 in ms.
func BenchmarkAsOf(b *testing.B) {
	events := million()
	e := newEngine(b)
	for _, ev := range events {
		if err := e.Apply(ev, nil); err != nil {
			b.Fatal(err)
		}
	}
	first, last := events[0].OccurredAt, events[len(events)-1].OccurredAt
	grid := e.intern[dimGrid].codes[len(e.intern[dimGrid].codes)/2]
	scopes := []Scope{{Dim: "city"}, {Dim: "district", Code: "420106"}, {Dim: "grid", Code: grid}}
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		at := first.Add(time.Duration(int64(i*7919) % int64(last.Sub(first))))
		t0 := time.Now()
		if _, err := e.Evaluate(scopes[i%len(scopes)], at, nil); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(len(events)), "events")
}
