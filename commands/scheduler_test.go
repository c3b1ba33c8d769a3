package commands_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// startScheduler follows the store until the test ends and waits until it has seen the log.
func startScheduler(t *testing.T, r *rig) *commands.Scheduler {
	t.Helper()
	s := commands.NewScheduler(r.store, r.h, r.clock.Now, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Follow(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	catchUp(t, r, s)
	return s
}

func catchUp(t *testing.T, r *rig, s *commands.Scheduler) {
	t.Helper()
	st, err := r.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, st.LastPosition); err != nil {
		t.Fatalf("scheduler did not reach position %d: %v", st.LastPosition, err)
	}
}

func count(evs []domain.RecordedEvent, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestSchedulerMarksOnceAcrossRestart walks a dispatched case past its warning point, restarts
// store and scheduler from disk, passes the deadline, and checks that each mark is written
// exactly once however often the scheduler ticks.
func TestSchedulerMarksOnceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	r := rigOn(t, st)
	id := r.report(t, cases.SourcePatrol)
	r.do(t, id, cases.Verify{})
	r.do(t, id, cases.Register{})
	r.do(t, id, cases.Dispatch{})
	r.do(t, id, cases.Accept{})
	state, _ := r.history(t, id)
	handle := state.Deadlines[cases.StageHandle]
	if handle.Due.IsZero() || !handle.WarnAt.Before(handle.Due) {
		t.Fatalf("handle deadline %+v", handle)
	}

	sched := startScheduler(t, r)
	if n := sched.Tick(context.Background(), handle.WarnAt.Add(-time.Second)); n != 0 {
		t.Fatalf("%d marks before the warning point", n)
	}
	r.clock.Set(handle.WarnAt)
	if n := sched.Tick(context.Background(), handle.WarnAt); n != 1 {
		t.Fatalf("%d marks at the warning point, want 1", n)
	}
	catchUp(t, r, sched)
	if n := sched.Tick(context.Background(), handle.WarnAt.Add(time.Minute)); n != 0 {
		t.Fatalf("warned again: %d", n)
	}

	// Restart: a new store handle on the same directory and a new scheduler.
	_ = st.Close()
	st = openStore(t, dir)
	defer st.Close()
	r2 := rigOn(t, st)
	r2.clock.Set(handle.Due.Add(time.Minute))
	sched2 := startScheduler(t, r2)
	if n := sched2.Tick(context.Background(), handle.Due.Add(-time.Second)); n != 0 {
		t.Fatalf("after restart, %d marks before the deadline (the warning must not repeat)", n)
	}
	if n := sched2.Tick(context.Background(), handle.Due.Add(time.Minute)); n != 1 {
		t.Fatalf("%d overdue marks, want 1", n)
	}
	catchUp(t, r2, sched2)
	for range 3 {
		sched2.Tick(context.Background(), handle.Due.Add(time.Hour))
	}
	_, evs := r2.history(t, id)
	if w, o := count(evs, cases.TypeDeadlineWarned), count(evs, cases.TypeOverdue); w != 1 || o != 1 {
		t.Fatalf("%d warnings and %d overdue marks, want 1 and 1", w, o)
	}

	// An extension makes a new deadline, which is watched afresh.
	r2.do(t, id, cases.RequestExtension{Extra: "1d", Reason: "需协调"})
	res := r2.do(t, id, cases.GrantExtension{})
	g, _ := cases.Decode(res.Events[0])
	newDue := g.Payload.(cases.ExtensionGranted).HandleDue
	catchUp(t, r2, sched2)
	r2.clock.Set(newDue.Due)
	if n := sched2.Tick(context.Background(), newDue.Due); n != 2 {
		t.Fatalf("%d marks for the extended deadline, want a warning and an overdue", n)
	}
}

// TestSchedulerSkipsMetDeadlines checks that a case handled in time is never marked.
func TestSchedulerSkipsMetDeadlines(t *testing.T) {
	r := newRig(t)
	id := r.report(t, cases.SourcePatrol)
	for _, c := range []cases.Command{cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Handle{Feedback: "已处理"}, cases.Inspect{Pass: true}, cases.Close{}, cases.Revisit{Reached: true, Satisfaction: cases.Satisfied, Solved: true}} {
		r.do(t, id, c)
	}
	sched := startScheduler(t, r)
	if n := sched.Tick(context.Background(), monday.Add(90*24*time.Hour)); n != 0 {
		t.Fatalf("%d marks on a case closed in time", n)
	}
}
