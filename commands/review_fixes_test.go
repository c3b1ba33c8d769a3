package commands_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// flakyStore fails the first append to one stream as a lost connection would.
type flakyStore struct {
	domain.EventStore
	stream string
	failed atomic.Bool
}

func (f *flakyStore) Append(ctx context.Context, stream string, ev domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	if stream == f.stream && f.failed.CompareAndSwap(false, true) {
		return domain.AppendResult{}, domain.Unavailable("connection lost", nil)
	}
	return f.EventStore.Append(ctx, stream, ev, events)
}

// A merge whose second step (linking the master) failed is finished by its retry.
func TestRetriedMergeLinksTheMaster(t *testing.T) {
	base := newRig(t)
	master, dup := base.report(t, cases.SourceHotline), base.report(t, cases.SourceHotline)
	flaky := &flakyStore{EventStore: base.store, stream: cases.StreamID(master)}
	r := rigOn(t, flaky)
	meta := operator
	meta.IdempotencyKey = "merge-after-outage"
	if _, err := r.h.Execute(context.Background(), dup, cases.Merge{Into: master}, meta); domain.CodeOf(err) != domain.CodeUnavailable {
		t.Fatalf("first attempt: %v, want unavailable", err)
	}
	res, err := r.h.Execute(context.Background(), dup, cases.Merge{Into: master}, meta)
	if err != nil || !res.Replayed {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if m, _ := r.history(t, master); len(m.Duplicates) != 1 || m.Duplicates[0] != dup {
		t.Fatalf("master duplicates %v after the retry", m.Duplicates)
	}
}

// Two nodes run the same keyed request with different bodies: the second is answered with
// the first's stored events, and its cache holds what is stored, not what it proposed.
func TestKeyedRequestThroughStaleCacheIsAReplay(t *testing.T) {
	a := newRig(t)
	b := rigOn(t, a.store)
	id := a.report(t, cases.SourcePatrol)
	a.do(t, id, cases.Verify{})
	a.do(t, id, cases.Register{})
	b.do(t, id, cases.Supervise{Note: "b caches the case"})
	deps := a.city.Routing.Departments()
	meta := operator
	meta.IdempotencyKey = "dispatch-once"
	if _, err := a.h.Execute(context.Background(), id, cases.Dispatch{Department: deps[0].Code}, meta); err != nil {
		t.Fatal(err)
	}
	res, err := b.h.Execute(context.Background(), id, cases.Dispatch{Department: deps[1].Code}, meta)
	if err != nil || !res.Replayed || !strings.Contains(string(res.Events[0].Data), `"department":"`+deps[0].Code+`"`) {
		t.Fatalf("the second node's dispatch: %+v %v", res, err)
	}
	b.do(t, id, cases.Accept{})
	st, _ := b.history(t, id)
	if st.Department != deps[0].Code {
		t.Fatalf("accepted for %s, dispatched to %s", st.Department, deps[0].Code)
	}
}
