package commands_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

func TestWholeLoopRecordsActorAndChannel(t *testing.T) {
	r := newRig(t)
	id := r.report(t, cases.SourceHotline)
	for _, c := range []cases.Command{cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{},
		cases.Handle{Feedback: "已清运", Photos: []string{"s3://photos/1.jpg"}}, cases.Inspect{Pass: true}, cases.Close{},
		cases.Revisit{Reached: true, Satisfaction: cases.Satisfied, Solved: true}} {
		r.clock.Set(r.clock.Now().Add(30 * time.Minute))
		r.do(t, id, c)
	}
	st, evs := r.history(t, id)
	if st.Status != cases.StatusClosed || !st.Revisited || len(evs) != 9 {
		t.Fatalf("status %s revisited %v after %d events", st.Status, st.Revisited, len(evs))
	}
	for _, e := range evs {
		if e.Metadata.Actor != operator.Actor || e.Metadata.Channel != operator.Channel {
			t.Fatalf("%s has metadata %+v", e.Type, e.Metadata)
		}
	}
}

func TestIllegalTransitionWritesNothing(t *testing.T) {
	r := newRig(t)
	id := r.report(t, cases.SourcePatrol)
	_, err := r.h.Execute(context.Background(), id, cases.Dispatch{}, operator)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict || de.Field != "status" {
		t.Fatalf("dispatch of a reported case: %v", err)
	}
	if _, evs := r.history(t, id); len(evs) != 1 {
		t.Fatalf("%d events after a refused command", len(evs))
	}
	_, err = r.h.Execute(context.Background(), commands.NewCaseID(commands.Meta{}), cases.Verify{}, operator)
	if domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("verify of an unknown case: %v", err)
	}
	if _, err := r.h.Execute(context.Background(), "NOT-A-UUID", cases.Verify{}, operator); domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("a malformed id: %v", err)
	}
}

func TestIdempotencyKeyReturnsFirstResult(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	r := rigOn(t, st)
	meta := operator
	meta.IdempotencyKey = "report-2026-0001"
	id := commands.NewCaseID(meta)
	rep := cases.Report{Source: cases.SourceHotline, Category: category(t, r.city), Title: "噪音扰民", Location: cases.Location{Address: "洪山区珞喻路"}}
	first, err := r.h.Execute(context.Background(), id, rep, meta)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.h.Execute(context.Background(), id, rep, meta)
	if err != nil || !again.Replayed || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	// The key survives a restart: the proof is in the log, not in memory.
	_ = st.Close()
	st = openStore(t, dir)
	defer st.Close()
	r = rigOn(t, st)
	meta.IdempotencyKey = "verify-1"
	r.h.Execute(context.Background(), id, cases.Verify{}, meta)
	again, err = r.h.Execute(context.Background(), id, cases.Verify{}, meta)
	if err != nil || !again.Replayed {
		t.Fatalf("retried verify after restart: %+v %v", again, err)
	}
	if _, evs := r.history(t, id); len(evs) != 2 {
		t.Fatalf("%d events, want report and one verify", len(evs))
	}
}

func TestConcurrentCommandsAreRetriedNotLost(t *testing.T) {
	r := newRig(t)
	id := r.report(t, cases.SourceHotline)
	const writers = 32
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.h.Execute(context.Background(), id, cases.Supervise{Note: "请尽快核实"}, operator)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st, evs := r.history(t, id); st.Supervised != writers || len(evs) != writers+1 {
		t.Fatalf("supervised %d times in %d events, want %d", st.Supervised, len(evs), writers)
	}
}

func TestDispatchSuggestsAndRecordsOverride(t *testing.T) {
	r := newRig(t)
	id := r.report(t, cases.SourcePatrol)
	r.do(t, id, cases.Verify{})
	r.do(t, id, cases.Register{})
	res := r.do(t, id, cases.Dispatch{})
	d, _ := cases.Decode(res.Events[0])
	disp := d.Payload.(cases.Dispatched)
	if disp.Department == "" || disp.Department != disp.Suggested || disp.Overridden {
		t.Fatalf("dispatch without a department: %+v", disp)
	}
	r.do(t, id, cases.Return{Reason: "不属于本单位"})
	var other string
	for _, dep := range r.city.Routing.Departments() {
		if dep.Code != disp.Suggested {
			other = dep.Code
			break
		}
	}
	res = r.do(t, id, cases.Dispatch{Department: other})
	d, _ = cases.Decode(res.Events[0])
	if over := d.Payload.(cases.Dispatched); !over.Overridden || over.Department != other || over.Suggested != disp.Suggested {
		t.Fatalf("override: %+v", over)
	}
	if _, err := r.h.Execute(context.Background(), id, cases.Return{Reason: "x"}, operator); err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.Execute(context.Background(), id, cases.Dispatch{Department: "no-such-dept"}, operator); domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("unknown department: %v", err)
	}
}

func TestMergeKeepsBothHistories(t *testing.T) {
	r := newRig(t)
	master, dup := r.report(t, cases.SourceHotline), r.report(t, cases.SourceHotline)
	meta := operator
	meta.IdempotencyKey = "merge-1"
	for range 2 { // the retry links once
		if _, err := r.h.Execute(context.Background(), dup, cases.Merge{Into: master, Reason: "同一地点重复诉求"}, meta); err != nil {
			t.Fatal(err)
		}
	}
	d, devs := r.history(t, dup)
	m, mevs := r.history(t, master)
	if d.Status != cases.StatusMerged || d.MergedInto != master || len(devs) != 2 {
		t.Fatalf("duplicate: %s into %s, %d events", d.Status, d.MergedInto, len(devs))
	}
	if len(m.Duplicates) != 1 || m.Duplicates[0] != dup || len(mevs) != 2 {
		t.Fatalf("master: duplicates %v, %d events", m.Duplicates, len(mevs))
	}
	if _, err := r.h.Execute(context.Background(), master, cases.Merge{Into: commands.NewCaseID(commands.Meta{})}, operator); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("merge into a missing case: %v", err)
	}
}

// TestTwoHandlersOnOneStore runs two handlers (two nodes) on one store: each one's cache goes
// stale when the other writes, and neither may refuse or lose a command because of it.
func TestTwoHandlersOnOneStore(t *testing.T) {
	a := newRig(t)
	b := rigOn(t, a.store)
	id := a.report(t, cases.SourcePatrol)
	b.do(t, id, cases.Supervise{Note: "b has seen the case"}) // b caches it at version 2
	a.do(t, id, cases.Verify{})                               // b's cache is now stale
	b.do(t, id, cases.Register{})                             // legal only on the fresh state
	_, err := a.h.Execute(context.Background(), id, cases.Verify{}, operator)
	var de *domain.Error
	if !errors.As(err, &de) || de.Field != "status" || !strings.Contains(de.Msg, "registered") {
		t.Fatalf("a stale verify must be refused naming the stored status: %v", err)
	}
	a.do(t, id, cases.Dispatch{}) // a's stale cache conflicts on append and is refreshed
	if st, evs := a.history(t, id); st.Status != cases.StatusDispatched || len(evs) != 5 {
		t.Fatalf("%s after %d events", st.Status, len(evs))
	}
}
