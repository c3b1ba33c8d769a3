package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
)

func openPebble(t testing.TB, dir string) *pebblesink.Sink {
	t.Helper()
	s, err := pebblesink.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runOnce starts a runner with the case list durable in sink, waits for the head, and stops
// it; it returns the list and the runner's last status.
func runOnce(t *testing.T, store domain.EventStore, sink projections.Sink, until uint64) (*projections.CaseList, projections.ProjectionStatus) {
	t.Helper()
	list := projections.NewCaseList(nil)
	r := projections.NewRunner(store, projections.Options{Retry: 10 * time.Millisecond})
	if err := r.Add(list, sink); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); r.Wait() }()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitAll(t, r, until)
	return list, statusOf(t, r, projections.CaseListName)
}

// sinkRows reads a projection's stored rows as JSON values.
func sinkRows(t testing.TB, s projections.Sink, name string) map[string]any {
	t.Helper()
	out := map[string]any{}
	err := s.Scan(context.Background(), name, func(k string, v []byte) error {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		out[k] = x
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rebuilt is the case list replayed from position 0, in memory: what every durable run must
// equal.
func rebuilt(t *testing.T, store domain.EventStore, until uint64) []projections.CaseRow {
	t.Helper()
	list := projections.NewCaseList(nil)
	r := startRunner(t, store, reg{p: list})
	waitAll(t, r, until)
	return list.All()
}

func TestDurableListResumesFromItsCheckpoint(t *testing.T) {
	w := newWorld(t)
	newHistory(t, w)
	dir := t.TempDir()
	sink := openPebble(t, dir)
	first, st := runOnce(t, w.store, sink, w.head())
	if !st.Durable || st.Position != w.head() || st.Applied != w.head() {
		t.Fatalf("first run: %+v", st)
	}
	before := first.All()
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	// More happens while no projection runs.
	was := w.head()
	id := w.report(2, cases.Report{Title: "新案件"})
	w.run(id, verify, register, dispatch)
	sink = openPebble(t, dir)
	defer sink.Close()
	if pos, _ := sink.Checkpoint(context.Background(), projections.CaseListName); pos != was {
		t.Fatalf("checkpoint %d, want %d", pos, was)
	}
	loaded := projections.NewCaseList(nil)
	if err := loaded.Load(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if got := loaded.All(); !reflect.DeepEqual(got, before) {
		t.Fatalf("loaded list differs from the one that wrote it:\n%+v\n%+v", got, before)
	}
	second, st := runOnce(t, w.store, sink, w.head())
	if st.Applied != w.head()-was {
		t.Fatalf("second run applied %d events, want only the %d new ones", st.Applied, w.head()-was)
	}
	if got, want := second.All(), rebuilt(t, w.store, w.head()); !reflect.DeepEqual(got, want) {
		t.Fatalf("resumed list differs from a rebuild:\n%+v\n%+v", got, want)
	}
}

// busyCity runs n cases through random paths from several goroutines at once.
func busyCity(t *testing.T, w *world, n int) {
	t.Helper()
	paths := [][]cases.Command{
		toClose, toHandle, {verify}, {cases.Void{Reason: "误报"}},
		{verify, register, dispatch, cases.Return{Reason: "非本单位"}, dispatch, accept, cases.Supervise{Note: "请加快"}},
		{verify, register, dispatch, accept, cases.RequestExtension{Extra: "1d", Reason: "材料"}, cases.GrantExtension{}, handle,
			cases.Inspect{Pass: false, Note: "未完成"}, handle, inspect, closeIt, cases.Reopen{Reason: "复发"}},
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				id := w.report(i%len(w.city.places), cases.Report{Title: fmt.Sprintf("案件 %d", i)})
				w.run(id, paths[rand.IntN(len(paths))]...)
			}
		}()
	}
	wg.Wait()
}

// TestRebuildEqualsLive follows a busy city live into a sink, then drops the projection and
// replays it from zero: rows and checkpoint are the same, and so is the in-memory list.
func TestRebuildEqualsLive(t *testing.T) {
	w := newWorld(t)
	sink := openPebble(t, t.TempDir())
	defer sink.Close()
	live := projections.NewCaseList(nil)
	r := projections.NewRunner(w.store, projections.Options{})
	if err := r.Add(live, sink); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	busyCity(t, w, 120)
	head := w.head()
	waitAll(t, r, head)
	cancel()
	r.Wait()
	liveRows, liveAll := sinkRows(t, sink, projections.CaseListName), live.All()
	if len(liveRows) != 120 {
		t.Fatalf("%d rows stored, want 120", len(liveRows))
	}
	if err := sink.Drop(context.Background(), projections.CaseListName); err != nil {
		t.Fatal(err)
	}
	again, st := runOnce(t, w.store, sink, head)
	if st.Position != head || st.Applied != head {
		t.Fatalf("rebuild: %+v", st)
	}
	if got := sinkRows(t, sink, projections.CaseListName); !reflect.DeepEqual(got, liveRows) {
		t.Fatal("rebuilt rows differ from the live ones")
	}
	if !reflect.DeepEqual(again.All(), liveAll) {
		t.Fatal("rebuilt list differs from the live one")
	}
	checkCounters(t, w.store, liveAll)
}

// checkCounters holds every row to its stream: as many events applied as the stream holds,
// and counters equal to the events of their type (an event applied twice would show).
func checkCounters(t testing.TB, store domain.EventStore, rows []projections.CaseRow) {
	t.Helper()
	for _, row := range rows {
		evs, err := store.ReadStream(context.Background(), cases.StreamID(row.ID), 1, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, e := range evs {
			n[e.Type]++
		}
		if row.Version != uint64(len(evs)) || row.Returns != n[cases.TypeReturned] || row.Reworks != n[cases.TypeReworkOrdered] ||
			row.Extensions != n[cases.TypeExtGranted] || row.Supervised != n[cases.TypeSupervised] || row.Reopens != n[cases.TypeReopened] ||
			row.Position != evs[len(evs)-1].Position {
			t.Fatalf("case %s: row %+v, stream %v (%d events)", row.ID, row, n, len(evs))
		}
	}
}

// flakySink is a real Pebble sink whose every third commit fails as unavailable before it
// reaches Pebble, as a lost database connection would.
type flakySink struct {
	*pebblesink.Sink
	commits atomic.Int64
}

func (f *flakySink) Begin(ctx context.Context, name string) (projections.Tx, error) {
	tx, err := f.Sink.Begin(ctx, name)
	return &flakyTx{Tx: tx, f: f}, err
}

type flakyTx struct {
	projections.Tx
	f *flakySink
}

func (t *flakyTx) Commit(ctx context.Context, pos uint64) error {
	if t.f.commits.Add(1)%3 == 0 {
		t.Tx.Rollback()
		return domain.Unavailable("connection lost (injected)", nil)
	}
	return t.Tx.Commit(ctx, pos)
}

// TestFailedCommitsAreRetried: a commit that fails for a passing reason is retried after the
// mirror is loaded again from the sink, so the list and its rows end as a clean replay's.
func TestFailedCommitsAreRetried(t *testing.T) {
	w := newWorld(t)
	busyCity(t, w, 40)
	sink := &flakySink{Sink: openPebble(t, t.TempDir())}
	defer sink.Close()
	layers := newLayers(t)
	list := projections.NewCaseList(layers)
	r := projections.NewRunner(w.store, projections.Options{PageSize: 17, BatchSize: 17, MaxCommit: 17, Retry: time.Millisecond})
	if err := r.Add(list, sink); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); r.Wait() }()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitAll(t, r, w.head())
	if sink.commits.Load() < 6 {
		t.Fatalf("only %d commits", sink.commits.Load())
	}
	if got, want := list.All(), rebuilt(t, w.store, w.head()); !reflect.DeepEqual(got, want) {
		t.Fatal("list after retried commits differs from a rebuild")
	}
	checkCounters(t, w.store, list.All())
	checkLayers(t, list, layers)
	loaded := projections.NewCaseList(nil)
	if err := loaded.Load(ctx, sink); err != nil || !reflect.DeepEqual(loaded.All(), list.All()) {
		t.Fatalf("stored rows differ from the list: %v", err)
	}
}
