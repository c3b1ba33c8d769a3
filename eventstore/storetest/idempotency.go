package storetest

import (
	"errors"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

// b. Re-appending events whose ids are stored returns the original result and writes nothing.
func testIdempotentReappend(t *testing.T, h Harness) {
	s, _ := open(t, h)
	mustAppend(t, s, "case-other", domain.ExpectNoStream, events(1))
	batch := events(3)
	first := mustAppend(t, s, "case-idem", domain.ExpectNoStream, batch)
	mustAppend(t, s, "case-idem", 3, events(1))
	before := countAll(t, s)
	for _, ev := range []domain.ExpectedVersion{domain.ExpectNoStream, domain.ExpectAny, 3} {
		again, err := s.Append(ctxT(t), "case-idem", ev, batch)
		if err != nil {
			t.Fatalf("re-append at %v: %v", ev, err)
		}
		if again != first {
			t.Fatalf("re-append at %v returned %+v, want the original %+v", ev, again, first)
		}
	}
	single, err := s.Append(ctxT(t), "case-idem", domain.ExpectAny, batch[1:2])
	if err != nil || single.FirstVersion != 2 || single.LastVersion != 2 {
		t.Fatalf("re-append of one stored event: %+v, %v; want version 2", single, err)
	}
	if got := countAll(t, s); got != before {
		t.Fatalf("re-appends wrote: %d events, want %d", got, before)
	}
	mixed := append([]domain.EventData{batch[0]}, events(1)...)
	if _, err := s.Append(ctxT(t), "case-idem", domain.ExpectAny, mixed); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("append of one stored and one new id: want conflict, got %v", err)
	}
	if !h.PerStreamIDs {
		if _, err := s.Append(ctxT(t), "case-elsewhere", domain.ExpectAny, batch[:1]); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("stored id in another stream: want conflict, got %v", err)
		}
	}
	if got := countAll(t, s); got != before {
		t.Fatalf("refused appends wrote: %d events, want %d", got, before)
	}
}
