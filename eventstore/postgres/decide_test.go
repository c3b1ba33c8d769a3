package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func req(stream string, expected domain.ExpectedVersion, events ...domain.EventData) *request {
	r := &request{ctx: context.Background(), stream: stream, expected: expected, events: events, done: make(chan answer, 1)}
	for _, e := range events {
		r.ids = append(r.ids, uuid.MustParse(e.ID))
	}
	return r
}

func ev() domain.EventData { return storetest.NewEvent("CaseReported", 50) }

func emptyTip() *tip {
	return &tip{ids: map[[16]byte]domain.StoredID{}, versions: map[string]uint64{}}
}

// One batch settles appends in order: versions and ids taken by earlier appends of the batch
// count for later ones.
func TestDecideWithinOneBatch(t *testing.T) {
	a, b, c := ev(), ev(), ev()
	reqs := []*request{
		req("case-1", domain.ExpectNoStream, a, b),
		req("case-1", domain.ExpectNoStream, c), // stream exists by now: conflict
		req("case-1", 2, c),                     // at version 2: accepted
		req("case-1", domain.ExpectAny, a, b),   // replay of the first
		req("case-2", domain.ExpectAny, b),      // b is stored in case-1: conflict
		req("case-2", domain.ExpectStreamExists, ev()),
	}
	tp := emptyTip()
	d := decide(tp, reqs, time.Now())
	want := []struct {
		err         error
		first, last uint64
	}{
		{nil, 1, 2}, {domain.ErrConflict, 0, 0}, {nil, 3, 3}, {nil, 1, 2}, {domain.ErrConflict, 0, 0}, {domain.ErrConflict, 0, 0},
	}
	for i, w := range want {
		o := d.outcomes[i]
		if w.err != nil {
			if !errors.Is(o.err, w.err) {
				t.Fatalf("append %d: want %v, got %+v", i, w.err, o)
			}
			continue
		}
		if o.err != nil || o.res.FirstPosition != w.first || o.res.LastPosition != w.last {
			t.Fatalf("append %d: want positions %d..%d, got %+v", i, w.first, w.last, o)
		}
	}
	if len(d.records) != 3 || tp.position != 3 || tp.streams != 1 || d.streams["case-1"] != 3 {
		t.Fatalf("records %d, tip %+v, streams %v", len(d.records), tp, d.streams)
	}
	var prev domain.Hash
	for i, r := range d.records {
		if r.Position != uint64(i+1) || r.PrevHash != prev || domain.ComputeHash(prev, &r) != r.Hash {
			t.Fatalf("record %d is not sealed in order", i)
		}
		prev = r.Hash
	}
	if tp.hash != prev {
		t.Fatal("the tip does not carry the last hash")
	}
}

// A conflict decided against a stream version the writer only assumed must be re-decided.
func TestDecideAssumedVersion(t *testing.T) {
	tp := emptyTip()
	tp.assumed = map[string]bool{"case-a": true, "case-b": true}
	d := decide(tp, []*request{req("case-a", domain.ExpectNoStream, ev())}, time.Now())
	if d.unsure || len(d.records) != 1 {
		t.Fatalf("an accepted append on an assumed stream is checked by the insert: unsure=%v", d.unsure)
	}
	d = decide(tp, []*request{req("case-b", 4, ev())}, time.Now())
	if !d.unsure {
		t.Fatal("a conflict on an assumed stream version must make the decision unsure")
	}
	d = decide(tp, []*request{req("case-a", 7, ev())}, time.Now())
	if d.unsure {
		t.Fatal("case-a's version is known after this batch wrote it")
	}
}

// A caller whose ctx ended before its batch was taken gets ctx.Err() and nothing is written.
func TestCommitSkipsEndedCallers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := req("case-1", domain.ExpectAny, ev())
	r.ctx = ctx
	w := &writer{s: &Store{}}
	w.commit([]*request{r})
	if a := <-r.done; !errors.Is(a.err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", a.err)
	}
}

func TestQueueTakeRespectsLimits(t *testing.T) {
	q := newQueue()
	big := make([]domain.EventData, maxBatchEvents-1)
	for i := range big {
		big[i] = ev()
	}
	_ = q.push(req("case-1", domain.ExpectAny, big...))
	_ = q.push(req("case-1", domain.ExpectAny, ev(), ev()))
	_ = q.push(req("case-1", domain.ExpectAny, ev()))
	if batch, _ := q.take(); len(batch) != 1 {
		t.Fatalf("first batch holds %d appends, want 1 (the next would pass %d events)", len(batch), maxBatchEvents)
	}
	if batch, _ := q.take(); len(batch) != 2 || q.len() != 0 || q.events != 0 {
		t.Fatalf("second batch holds %d appends, %d left", len(batch), q.len())
	}
	q.close()
	if err := q.push(req("case-1", domain.ExpectAny, ev())); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("push after close: %v", err)
	}
}

// On the fast path ids are not looked up, so an append that looks like a conflict may be the
// retry of one already stored: the batch must be decided again under the lock, where the
// retry gets its original result, even when another append of the batch writes.
func TestFastPathConflictIsUnsure(t *testing.T) {
	tp := emptyTip()
	tp.versions["case-s"] = 1 // the writer's memory: its first attempt moved the stream
	tp.versions["case-t"] = 0
	tp.guessedIDs = true
	retry := req("case-s", domain.ExpectNoStream, ev())
	other := req("case-t", domain.ExpectNoStream, ev())
	d := decide(tp, []*request{retry, other}, time.Now())
	if !d.unsure {
		t.Fatalf("a conflict decided without looking up ids was taken as certain: %+v", d.outcomes[0])
	}
}

// The same retry through the store: a stored append re-sent at its original expected version,
// alongside new appends, gets its original result.
func TestRetryAlongsideNewAppendsGetsOriginalResult(t *testing.T) {
	s, _, _ := openStore(t)
	ctx := ctxFor(t)
	first := []domain.EventData{ev()}
	orig, err := s.Append(ctx, "case-retry", domain.ExpectNoStream, first)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 20 {
		errs := make(chan error, 9)
		for w := range 8 {
			go func() {
				_, err := s.Append(ctx, "case-busy-"+uuid.NewString()[:8], domain.ExpectNoStream, []domain.EventData{ev()})
				errs <- err
			}()
			_ = w
		}
		got, err := s.Append(ctx, "case-retry", domain.ExpectNoStream, first)
		if err != nil || got != orig {
			t.Fatalf("round %d: retry answered %+v, %v; want the original %+v", round, got, err, orig)
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
}
