// Package storetest is the one contract suite every event store adapter must pass
// (DESIGN.md §5). An adapter's test calls Run with a Harness that opens fresh storage.
package storetest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// Harness tells the suite how to get stores of one adapter.
type Harness struct {
	// Open returns a store on fresh, empty storage and a function that opens the same storage
	// again (after the suite closed the first store). The harness cleans up after itself.
	Open func(t *testing.T) (store domain.EventStore, reopen func(t *testing.T) domain.EventStore)
	// GapFree is true when positions run 1, 2, 3, … with no holes.
	GapFree bool
	// HashChain is true when the adapter seals events into the hash chain.
	HashChain bool
	// PerStreamIDs is true when the adapter can only recognise a stored event id within its
	// own stream (KurrentDB has no index by event id), so an id reused in another stream is not
	// refused.
	PerStreamIDs bool
}

// Run runs the whole contract suite.
func Run(t *testing.T, h Harness) {
	t.Run("ConcurrentSameExpectedVersion", func(t *testing.T) { testConcurrentSameVersion(t, h) })
	t.Run("ExpectedVersionRules", func(t *testing.T) { testExpectedVersionRules(t, h) })
	t.Run("IdempotentReappend", func(t *testing.T) { testIdempotentReappend(t, h) })
	t.Run("ConcurrentWritersOneSubscriber", func(t *testing.T) { testConcurrentWritersSubscriber(t, h) })
	t.Run("ReopenAndResume", func(t *testing.T) { testReopenAndResume(t, h) })
	t.Run("BadInputWritesNothing", func(t *testing.T) { testBadInput(t, h) })
	t.Run("RoundTripFields", func(t *testing.T) { testRoundTrip(t, h) })
	t.Run("ReadStreamPaging", func(t *testing.T) { testReadStreamPaging(t, h) })
	if h.HashChain {
		t.Run("HashChainVerifies", func(t *testing.T) { testHashChain(t, h) })
	}
}

func open(t *testing.T, h Harness) (domain.EventStore, func(t *testing.T) domain.EventStore) {
	t.Helper()
	s, reopen := h.Open(t)
	t.Cleanup(func() { _ = s.Close() })
	return s, reopen
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// NewEvent returns a valid event of about size bytes of JSON data.
func NewEvent(typ string, size int) domain.EventData {
	payload := map[string]any{"note": "城市运行", "pad": ""}
	b, _ := json.Marshal(payload)
	if pad := size - len(b); pad > 0 {
		payload["pad"] = strings.Repeat("x", pad)
		b, _ = json.Marshal(payload)
	}
	return domain.EventData{
		ID:            uuid.Must(uuid.NewV7()).String(),
		Type:          typ,
		SchemaVersion: 1,
		OccurredAt:    time.Date(2026, 11, 30, 8, 0, 0, 123456789, time.UTC),
		Data:          b,
		Metadata:      domain.Metadata{Actor: "operator-7", Channel: "test", CorrelationID: uuid.NewString()},
	}
}

func events(n int) []domain.EventData {
	out := make([]domain.EventData, n)
	for i := range out {
		out[i] = NewEvent("CaseReported", 200)
	}
	return out
}

func mustAppend(t *testing.T, s domain.EventStore, stream string, ev domain.ExpectedVersion, es []domain.EventData) domain.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t), stream, ev, es)
	if err != nil {
		t.Fatalf("append to %s at %v: %v", stream, ev, err)
	}
	return res
}

// ReadAllEvents reads the whole log.
func ReadAllEvents(t testing.TB, s domain.EventStore) []domain.RecordedEvent {
	t.Helper()
	var out []domain.RecordedEvent
	var after uint64
	for {
		page, err := s.ReadAll(context.Background(), after, 1000)
		if err != nil {
			t.Fatalf("read all after %d: %v", after, err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].Position
	}
}

func countAll(t *testing.T, s domain.EventStore) int { return len(ReadAllEvents(t, s)) }

func readStream(t *testing.T, s domain.EventStore, stream string) []domain.RecordedEvent {
	t.Helper()
	out, err := s.ReadStream(ctxT(t), stream, 1, 100000)
	if err != nil {
		t.Fatalf("read stream %s: %v", stream, err)
	}
	return out
}

func checkOrder(t *testing.T, h Harness, all []domain.RecordedEvent) {
	t.Helper()
	for i := 1; i < len(all); i++ {
		if all[i].Position <= all[i-1].Position {
			t.Fatalf("positions not increasing: %d then %d", all[i-1].Position, all[i].Position)
		}
		if h.GapFree && all[i].Position != all[i-1].Position+1 {
			t.Fatalf("gap in positions: %d then %d", all[i-1].Position, all[i].Position)
		}
	}
	if h.GapFree && len(all) > 0 && all[0].Position != 1 {
		t.Fatalf("first position is %d, want 1", all[0].Position)
	}
}

// NeedService is called when a test cannot reach a real service it needs. Under CI=true that is
// a failure (CI must start every service); elsewhere the test is skipped with a message naming
// the service.
func NeedService(t testing.TB, service string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is needed and not reachable: %v", service, err)
	}
	t.Skipf("SKIPPED: %s is not reachable (%v); start it to run this test", service, err)
}
