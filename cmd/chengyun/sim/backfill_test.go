package sim

import (
	"context"
	"testing"
	"time"

	"github.com/chengyun/chengyun/eventstore/embedded"
)

// TestBackfillWritesOnce writes a small history, then writes it again (a restart before its
// record was kept): the second run finds every case stored and writes none of them again.
func TestBackfillWritesOnce(t *testing.T) {
	g := NewGenerator(wuhanWorld(t), Rates{Scale: 0.02, YearAgo: 0.9}, 5)
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	plan, err := RecordPlan(ctx, store, Plan{Seed: 5, Anchor: time.Date(2026, 11, 30, 15, 0, 0, 0, g.Location()), Days: 3, Scale: 0.02, YearAgo: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	// A second plan is refused: the first one stays the history.
	if again, err := RecordPlan(ctx, store, Plan{Seed: 9, Anchor: time.Now(), Days: 1}); err != nil || again != plan {
		t.Fatalf("second plan: %+v, %v; want the first %+v", again, err, plan)
	}
	var p1 Progress
	var windows []int
	p1.WindowDone = func(i int) { windows = append(windows, i) }
	first, err := Backfill(ctx, store, g, plan, 32, &p1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cases < 300 || first.Events < 10*first.Cases-first.Cases*2 || len(windows) != 2 {
		t.Fatalf("history: %+v, windows done %v", first, windows)
	}
	st1, _ := store.Stats(ctx)
	var p2 Progress
	second, err := Backfill(ctx, store, g, plan, 32, &p2)
	if err != nil {
		t.Fatal(err)
	}
	st2, _ := store.Stats(ctx)
	// Only the second completion record is new.
	if second.Cases != first.Cases || second.Events != first.Events || st2.Events != st1.Events+1 || st2.Streams != st1.Streams {
		t.Fatalf("second backfill: %+v after %+v; store %+v after %+v", second, first, st2, st1)
	}
	stored, done, err := HistoryState(ctx, store)
	if err != nil || stored == nil || *stored != plan || done == nil || done.Cases != first.Cases {
		t.Fatalf("history state: %+v %+v %v", stored, done, err)
	}
}
