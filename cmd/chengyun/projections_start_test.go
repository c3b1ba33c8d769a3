package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/eventstore/postgres"
	"github.com/chengyun/chengyun/eventstore/storetest"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
)

// nothing is an in-memory projection, as the indicator engine is wired.
type nothing struct{ n int }

func (p *nothing) Name() string                                   { return "nothing" }
func (p *nothing) Apply(projections.Tx, *projections.Event) error { p.n++; return nil }

func flagsFor(url, pgSchema, dir, rmSchema string) (storeFlags, projectionFlags) {
	return storeFlags{url: &url, pgSchema: &pgSchema}, projectionFlags{dir: &dir, pgSchema: &rmSchema}
}

func wuhanCity(t *testing.T) *loadedCity {
	fsys, _ := cities.Open("wuhan")
	lc, err := loadCity("wuhan", fsys)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

// startAndCheck starts the projections as serve does, waits for the head and checks the case
// list against the count layers; it returns the number of cases.
func startAndCheck(t *testing.T, store domain.EventStore, sf storeFlags, pf projectionFlags) int {
	t.Helper()
	lc := wuhanCity(t)
	metrics := dashboard.NewMetrics()
	extra := &nothing{}
	rm, err := startProjections(context.Background(), store, sf, pf, lc.counts, metrics, slog.New(slog.DiscardHandler), extra)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := rm.stop(); err != nil {
			t.Fatal(err)
		}
	}()
	st, _ := store.Stats(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, n := range []string{"cases", "nothing"} {
		if err := rm.runner.WaitFor(ctx, n, st.LastPosition); err != nil {
			t.Fatal(err)
		}
	}
	open := int64(0)
	for _, r := range rm.cases.All() {
		if r.Status.Open() {
			open++
		}
	}
	total := int64(0)
	for _, n := range lc.counts[city.District].Snapshot() {
		total += n
	}
	if total != open || extra.n != int(st.LastPosition) {
		t.Fatalf("district counts add up to %d, %d cases open; the in-memory projection saw %d of %d events", total, open, extra.n, st.LastPosition)
	}
	// The lag reaches /metrics within the runner's reporting interval.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		mfs, _ := metrics.Registry.Gather()
		found := false
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					found = found || l.GetValue() == "projection-cases"
				}
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no projection lag in the metrics")
		}
	}
	return rm.cases.Len()
}

func TestStartProjectionsEmbedded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fillCity(t, store, 400)
	sf, pf := flagsFor(dir, "chengyun", "", "")
	n := startAndCheck(t, store, sf, pf)
	if _, err := os.Stat(dir + "-projections"); err != nil || n == 0 {
		t.Fatalf("read models beside the store: %v, %d cases", err, n)
	}
	// A second start loads the rows before it has applied anything.
	lc := wuhanCity(t)
	rm, err := startProjections(context.Background(), store, sf, pf, lc.counts, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if rm.cases.Len() != n {
		t.Fatalf("loaded %d cases, want %d", rm.cases.Len(), n)
	}
	// A rebuild while the server runs is refused, with the reason.
	var out bytes.Buffer
	if err := rebuild([]string{"--store", dir}, &out); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("rebuild beside a running server: %v", err)
	}
	if err := rm.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestStartProjectionsPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	schema := "cy_rmcmd_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	defer func() {
		for _, s := range []string{schema, schema + "_rm"} {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{s}.Sanitize()+" CASCADE")
		}
		_ = conn.Close(context.Background())
	}()
	store, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	fillCity(t, store, 300)
	sf, pf := flagsFor(url, schema, "", "")
	n := startAndCheck(t, store, sf, pf)
	var rows int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{schema + "_rm", "rows"}.Sanitize()).Scan(&rows); err != nil || rows != n {
		t.Fatalf("%d rows in %s_rm (%v), %d cases", rows, schema, err, n)
	}
	store.Close()
	var out bytes.Buffer
	if err := rebuild([]string{"--store", url, "--pg-schema", schema, "--progress", "10ms"}, &out); err != nil {
		t.Fatalf("rebuild on postgres: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "cases: rebuilt at position") || !strings.Contains(out.String(), "events/s") {
		t.Fatalf("rebuild said: %s", out.String())
	}
}

// TestIndicatorEngineAsProjection: the engine fed by the runner (events decoded once, shared
// with the case list) answers as an engine that read the log itself.
func TestIndicatorEngineAsProjection(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fillCity(t, store, 600)
	lc := wuhanCity(t)
	newEngine := func() *indicators.Engine {
		cat, err := indicators.DefaultCatalog()
		if err != nil {
			t.Fatal(err)
		}
		e, err := indicators.New(cat, indicators.Config{Location: time.UTC, Calendar: lc.Calendar})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	fed, alone := newEngine(), newEngine()
	sf, pf := flagsFor(dir, "chengyun", "", "")
	rm, err := startProjections(context.Background(), store, sf, pf, lc.counts, nil, slog.New(slog.DiscardHandler), indicatorProjection{fed})
	if err != nil {
		t.Fatal(err)
	}
	defer rm.stop()
	evs, err := store.ReadAll(context.Background(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := alone.Apply(e, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rm.runner.WaitFor(ctx, "indicators", evs[len(evs)-1].Position); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	a, errA := fed.Evaluate(indicators.Scope{Dim: "city"}, at, nil)
	b, errB := alone.Evaluate(indicators.Scope{Dim: "city"}, at, nil)
	if errA != nil || errB != nil || len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("runner-fed engine differs (%v, %v): %d vs %d indicators", errA, errB, len(a), len(b))
	}
}
