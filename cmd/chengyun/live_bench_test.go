package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
)

// BenchmarkLiveEventToIndicator is event → indicator as serve runs it: a report appended to the
// embedded store, read by the runner's live feed, decoded once, applied to the durable case
// list and to the indicator engine; timed until the engine has applied it. p99 in ms.
func BenchmarkLiveEventToIndicator(b *testing.B) {
	store, err := embedded.Open(filepath.Join(b.TempDir(), "data"), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	fsys, _ := cities.Open("wuhan")
	lc, err := loadCity("wuhan", fsys)
	if err != nil {
		b.Fatal(err)
	}
	cat, _ := indicators.DefaultCatalog()
	engine, err := indicators.New(cat, indicators.Config{Location: time.UTC, Calendar: lc.Calendar})
	if err != nil {
		b.Fatal(err)
	}
	sink, err := pebblesink.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	r := projections.NewRunner(store, catchUpOptions)
	_ = r.Add(projections.NewCaseList(lc.counts), sink)
	_ = r.Add(indicatorProjection{engine}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); r.Wait() }()
	if err := r.Start(ctx); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	for range b.N {
		id := uuid.NewString()
		data, _ := json.Marshal(cases.Reported{CaseID: id, Source: "hotline", Category: "E0101", Urgency: "normal", Title: "噪音",
			Location: cases.Location{District: "420106"}, VerifyDue: cases.Deadline{Stage: "verify", Due: time.Now().Add(time.Hour)}})
		res, err := store.Append(ctx, cases.StreamID(id), domain.ExpectedVersion(0), []domain.EventData{{ID: uuid.NewString(),
			Type: cases.TypeReported, SchemaVersion: 1, OccurredAt: time.Now(), Data: data}})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := r.WaitFor(ctx, "indicators", res.LastPosition); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
}
