package projections_test

import (
	"context"
	"runtime/debug"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/projections"
)

// The collector's setting for the catch-up is the process's: it is given back once every
// projection is live.
func TestCatchUpGCIsRestored(t *testing.T) {
	w := newWorld(t)
	w.run(w.report(0, cases.Report{}), verify, register)
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	r := projections.NewRunner(w.store, projections.Options{CatchUpGC: 700})
	c := &counter{name: "c"}
	if err := r.Add(c, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); r.Wait() }()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, "c", w.head()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		now := debug.SetGCPercent(-1) // read it (setting is the only way) and put it straight back
		debug.SetGCPercent(now)
		if now == before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GC percent still %d after the catch-up, want %d back", now, before)
		}
	}
}
