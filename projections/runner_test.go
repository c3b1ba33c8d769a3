package projections_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/projections"
)

// counter counts the events it is given, and fails on the first event of type failOn.
type counter struct {
	name   string
	failOn string
	events atomic.Int64
	cases  atomic.Int64 // events that came decoded as case events
	resets atomic.Int64
}

func (c *counter) Name() string { return c.name }
func (c *counter) Reset()       { c.events.Store(0); c.cases.Store(0); c.resets.Add(1) }
func (c *counter) Apply(_ projections.Tx, e *projections.Event) error {
	if e.Type == c.failOn {
		return errors.New("refusing " + e.Type)
	}
	c.events.Add(1)
	if e.Case != nil {
		c.cases.Add(1)
	}
	return nil
}

// TestFailingProjectionStopsAlone: one projection that cannot apply an event stops there,
// with the event in its status; the case list and a counter go on to the head, live.
func TestFailingProjectionStopsAlone(t *testing.T) {
	w := newWorld(t)
	a := w.report(0, cases.Report{})
	w.run(a, verify, register)
	failing := &counter{name: "fragile", failOn: cases.TypeRegistered}
	steady := &counter{name: "steady"}
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: failing}, reg{p: list}, reg{p: steady})
	b := w.report(1, cases.Report{})
	w.run(b, verify, register, dispatch)
	head := w.head()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range []string{"cases", "steady"} {
		if err := r.WaitFor(ctx, n, head); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	err := r.WaitFor(ctx, "fragile", head)
	if domain.CodeOf(err) != domain.CodeInternal || !strings.Contains(err.Error(), "refusing CaseRegistered") {
		t.Fatalf("waiting on the failed projection: %v", err)
	}
	if steady.events.Load() != int64(head) || steady.cases.Load() != int64(head) || failing.events.Load() != 2 {
		t.Fatalf("steady saw %d events (%d decoded), fragile %d; head %d", steady.events.Load(), steady.cases.Load(), failing.events.Load(), head)
	}
	st := statusOf(t, r, "fragile")
	if st.State != projections.StateFailed || st.Failure == nil || st.Failure.Position != 3 || st.Failure.Type != cases.TypeRegistered ||
		st.Failure.EventID == "" || st.Position != 2 || st.LagEvents != head-2 || st.LagSeconds <= 0 {
		t.Fatalf("failed status: %+v %+v", st, st.Failure)
	}
	if st := statusOf(t, r, "cases"); st.State != projections.StateLive || st.LagEvents != 0 || st.LagSeconds != 0 || st.Durable {
		t.Fatalf("case list status: %+v", st)
	}
	if list.Len() != 2 || steady.resets.Load() != 1 {
		t.Fatalf("list holds %d cases; counter reset %d times", list.Len(), steady.resets.Load())
	}
	// Live events still reach the others.
	w.run(b, accept)
	waitAll(t, r, 0)
	if err := r.WaitFor(ctx, "steady", w.head()); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, "nothing", 1); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown projection: %v", err)
	}
}

// An event of a case stream that does not decode stops the case list (it needs the event)
// and nobody else; the failure names the event.
func TestUndecodableCaseEventStopsTheCaseListOnly(t *testing.T) {
	w := newWorld(t)
	a := w.report(0, cases.Report{})
	bad := domain.EventData{ID: uuid.Must(uuid.NewV7()).String(), Type: cases.TypeVerified, SchemaVersion: 1,
		OccurredAt: time.Now(), Data: []byte(`{"note": 12}`)}
	res, err := w.store.Append(context.Background(), cases.StreamID(a), domain.ExpectAny, []domain.EventData{bad})
	if err != nil {
		t.Fatal(err)
	}
	w.report(1, cases.Report{})
	steady := &counter{name: "steady"}
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list}, reg{p: steady})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, "steady", w.head()); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, "cases", w.head()); domain.CodeOf(err) != domain.CodeInternal {
		t.Fatalf("case list: %v", err)
	}
	st := statusOf(t, r, "cases")
	if st.Failure == nil || st.Failure.Position != res.LastPosition || st.Failure.EventID != bad.ID || st.Position != res.LastPosition-1 {
		t.Fatalf("status: %+v %+v", st, st.Failure)
	}
	if steady.cases.Load() != int64(w.head())-1 {
		t.Fatalf("steady got %d decoded case events of %d", steady.cases.Load(), w.head())
	}
}

func statusOf(t *testing.T, r *projections.Runner, name string) projections.ProjectionStatus {
	t.Helper()
	for _, s := range r.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no status of %s", name)
	return projections.ProjectionStatus{}
}

// TestSLAColours follows one case through its warnings, an overdue stage and the stage's end,
// with the real deadline scheduler writing the marks.
func TestSLAColours(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sched := commands.NewScheduler(w.store, w.h, w.clock, slog.New(slog.DiscardHandler))
	go func() { _ = sched.Follow(ctx) }()
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	id := w.report(0, cases.Report{})
	w.run(id, verify, register, dispatch)
	row := func() projections.CaseRow {
		t.Helper()
		waitAll(t, r, w.head())
		for _, row := range list.All() {
			if row.ID == id {
				return row
			}
		}
		t.Fatal("no row")
		return projections.CaseRow{}
	}
	tick := func(at time.Time) {
		t.Helper()
		if err := sched.WaitFor(ctx, w.head()); err != nil {
			t.Fatal(err)
		}
		w.mu.Lock()
		w.now = at // the marks are decided on the handler's clock
		w.mu.Unlock()
		if n := sched.Tick(ctx, at); n != 1 {
			t.Fatalf("tick at %s wrote %d marks", at, n)
		}
	}
	got := row()
	if got.SLA != projections.SLAGreen || got.Deadlines[0].Stage != cases.StageAccept {
		t.Fatalf("dispatched: %s %+v", got.SLA, got.Deadlines)
	}
	acceptDue := got.Deadlines[0]
	tick(acceptDue.WarnAt.Add(time.Second))
	if got = row(); got.SLA != projections.SLAAmber || got.Overdue {
		t.Fatalf("after the warning: %s overdue=%v", got.SLA, got.Overdue)
	}
	tick(acceptDue.Due.Add(time.Second))
	if got = row(); got.SLA != projections.SLARed || !got.Overdue {
		t.Fatalf("after the deadline: %s overdue=%v", got.SLA, got.Overdue)
	}
	yes := true
	if page, _ := list.Query(admin, projections.CaseQuery{Overdue: &yes}); len(page.Cases) != 1 {
		t.Fatalf("overdue filter: %v", ids(page.Cases))
	}
	w.run(id, accept) // the accept stage ends: its overdue mark no longer counts
	if got = row(); got.SLA != projections.SLAGreen || got.Overdue {
		t.Fatalf("accepted: %s overdue=%v", got.SLA, got.Overdue)
	}
	w.run(id, handle, inspect, closeIt)
	if got = row(); got.SLA != projections.SLAGrey {
		t.Fatalf("closed: %s", got.SLA)
	}
}
