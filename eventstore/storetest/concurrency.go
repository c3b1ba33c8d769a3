package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// a. 20 goroutines append to one stream at the same expected version: exactly one wins.
func testConcurrentSameVersion(t *testing.T, h Harness) {
	s, _ := open(t, h)
	for _, start := range []int{0, 3} {
		stream := fmt.Sprintf("case-race-%d", start)
		if start > 0 {
			mustAppend(t, s, stream, domain.ExpectNoStream, events(start))
		}
		var wg sync.WaitGroup
		errs := make([]error, 20)
		ready := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				_, errs[i] = s.Append(ctxT(t), stream, domain.ExpectedVersion(start), events(1))
			}()
		}
		close(ready)
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, domain.ErrConflict):
			default:
				t.Fatalf("appender %d: want a conflict error, got %v", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("stream at %d: %d appenders won, want exactly 1", start, wins)
		}
		if got := len(readStream(t, s, stream)); got != start+1 {
			t.Fatalf("stream holds %d events, want %d", got, start+1)
		}
	}
}

func testExpectedVersionRules(t *testing.T, h Harness) {
	s, _ := open(t, h)
	if _, err := s.Append(ctxT(t), "case-missing", domain.ExpectStreamExists, events(1)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("stream-exists on a missing stream: want conflict, got %v", err)
	}
	if _, err := s.Append(ctxT(t), "case-missing", 2, events(1)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("version 2 on a missing stream: want conflict, got %v", err)
	}
	r := mustAppend(t, s, "case-rules", domain.ExpectNoStream, events(2))
	if r.FirstVersion != 1 || r.LastVersion != 2 {
		t.Fatalf("first append: versions %d..%d, want 1..2", r.FirstVersion, r.LastVersion)
	}
	if _, err := s.Append(ctxT(t), "case-rules", domain.ExpectNoStream, events(1)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("no-stream on an existing stream: want conflict, got %v", err)
	}
	if _, err := s.Append(ctxT(t), "case-rules", 1, events(1)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("stale version: want conflict, got %v", err)
	}
	mustAppend(t, s, "case-rules", domain.ExpectStreamExists, events(1))
	mustAppend(t, s, "case-rules", domain.ExpectAny, events(1))
	r = mustAppend(t, s, "case-rules", 4, events(1))
	if r.LastVersion != 5 {
		t.Fatalf("after five events LastVersion = %d", r.LastVersion)
	}
	if n := countAll(t, s); n != 5 {
		t.Fatalf("log holds %d events, want 5 (conflicts must write nothing)", n)
	}
}

// c. 8 writers × 5,000 events to different streams while a subscriber reads from 0.
func testConcurrentWritersSubscriber(t *testing.T, h Harness) {
	const writers, each = 8, 5000
	s, _ := open(t, h)
	ctx := ctxT(t)
	sub, err := s.Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("case-writer-%d", w)
			for v := range each {
				if _, err := s.Append(ctx, stream, domain.ExpectedVersion(v), events(1)); err != nil {
					errc <- fmt.Errorf("writer %d event %d: %w", w, v, err)
					return
				}
			}
		}()
	}
	got := make([]domain.RecordedEvent, 0, writers*each)
	seen := make(map[string]bool, writers*each)
	deadline := time.After(90 * time.Second)
	for len(got) < writers*each {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d events: %v", len(got), sub.Err())
			}
			if seen[e.ID] {
				t.Fatalf("event %s delivered twice", e.ID)
			}
			seen[e.ID] = true
			got = append(got, e)
		case err := <-errc:
			t.Fatal(err)
		case <-deadline:
			t.Fatalf("subscriber got %d of %d events", len(got), writers*each)
		}
	}
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	all := ReadAllEvents(t, s)
	if len(all) != len(got) {
		t.Fatalf("ReadAll has %d events, subscriber %d", len(all), len(got))
	}
	checkOrder(t, h, all)
	for i := range all {
		if all[i].ID != got[i].ID || all[i].Position != got[i].Position {
			t.Fatalf("at %d the subscriber saw %s@%d, ReadAll %s@%d", i, got[i].ID, got[i].Position, all[i].ID, all[i].Position)
		}
	}
	select {
	case e := <-sub.Events():
		t.Fatalf("extra event delivered: %s@%d", e.ID, e.Position)
	case <-time.After(100 * time.Millisecond):
	}
}
