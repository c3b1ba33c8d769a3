package sim

import (
	"context"
	"runtime/debug"
	"testing"
	"time"

	"github.com/chengyun/chengyun/eventstore/embedded"
)

// BenchmarkBackfill writes the demo's default history (60 days and the month a year earlier,
// a tenth of Wuhan) into a fresh embedded store on disk, as serve --demo does at first start.
func BenchmarkBackfill(b *testing.B) {
	g := NewGenerator(wuhanWorld(b), DefaultRates, 1)
	plan := Plan{Seed: 1, Anchor: time.Date(2026, 12, 1, 10, 0, 0, 0, g.Location()), Days: 60, Scale: DefaultRates.Scale, YearAgo: DefaultRates.YearAgo}
	// serve --demo raises the GC percent while it writes the history (cmd/chengyun/demo.go).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var events int64
	for b.Loop() {
		b.StopTimer()
		store, err := embedded.Open(b.TempDir(), embedded.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var p Progress
		w, err := Backfill(context.Background(), store, g, plan, benchWriters, &p)
		if err != nil {
			b.Fatal(err)
		}
		events += int64(w.Events)
		b.StopTimer()
		_ = store.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events")
}

var benchWriters = 256 // as serve --demo writes
