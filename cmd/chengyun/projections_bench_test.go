package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
)

// BenchmarkCatchUpAll replays a log of real case histories (CHENGYUN_BENCH_EVENTS, default
// 100,000, written through the command handler) through what serve runs: the case list
// durable in its Pebble sink and the indicator engine in memory, fed by one runner that
// decodes each event once. The target is 150,000 events/s on a 2-core machine.
func BenchmarkCatchUpAll(b *testing.B) {
	n := uint64(100_000)
	if v, err := strconv.ParseUint(os.Getenv("CHENGYUN_BENCH_EVENTS"), 10, 64); err == nil && v > 0 {
		n = v
	}
	dir := filepath.Join(b.TempDir(), "data")
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	fillCity(b, store, n)
	// Measure the replay, not the bulk load's compactions.
	if err := store.Settle(context.Background()); err != nil {
		b.Fatal(err)
	}
	st, _ := store.Stats(context.Background())
	fsys, _ := cities.Open("wuhan")
	lc, err := loadCity("wuhan", fsys)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		sink, err := pebblesink.Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		engine, err := indicators.New(cat, indicators.Config{Location: time.UTC, Calendar: lc.Calendar})
		if err != nil {
			b.Fatal(err)
		}
		r := projections.NewRunner(store, catchUpOptions)
		_ = r.Add(projections.NewCaseList(lc.counts), sink)
		_ = r.Add(indicatorProjection{engine}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		b.StartTimer()
		start := time.Now()
		if err := r.Start(ctx); err != nil {
			b.Fatal(err)
		}
		for _, name := range r.Names() {
			if err := r.WaitFor(ctx, name, st.LastPosition); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
		b.StopTimer()
		cancel()
		r.Wait()
		_ = sink.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(st.LastPosition)*float64(b.N)/total.Seconds(), "events/s")
}
