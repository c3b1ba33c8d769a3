package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func req(stream string, ev domain.ExpectedVersion, events ...domain.EventData) *appendReq {
	return newAppendReq(context.Background(), stream, ev, events)
}

// Once a write has failed, no answer of a batch in flight may say success: not a fresh append,
// and not a replay of an append that was in the failed batch.
func TestFailedStoreAnswersNothingAsSuccess(t *testing.T) {
	s := openAt(t, t.TempDir()+"/data")
	defer s.Close()
	replay := domain.AppendResult{StreamID: "case-1", FirstVersion: 1, LastVersion: 1, FirstPosition: 1, LastPosition: 1}
	p := &pendingBatch{reqs: []*appendReq{req("case-1", domain.ExpectAny, storetest.NewEvent("CaseReported", 10))},
		resps: []appendResp{{res: replay}}}
	s.fail(errors.New("disk full"))
	s.publish(p)
	if !errors.Is(p.resps[0].err, domain.ErrUnavailable) {
		t.Fatalf("after a failed write the replay was answered %+v", p.resps[0])
	}
	if _, err := s.Append(context.Background(), "case-2", domain.ExpectAny, []domain.EventData{storetest.NewEvent("CaseReported", 10)}); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("append to a failed store: %v", err)
	}
}

// The version cache may start over, but never in the middle of a batch: a stream decided
// earlier in the batch is not yet in Pebble, and two appends at "no stream" must not both win.
func TestVersionCacheResetKeepsBatchVersions(t *testing.T) {
	old := maxCachedStreams
	maxCachedStreams = 1
	defer func() { maxCachedStreams = old }()
	s := openAt(t, t.TempDir()+"/data")
	defer s.Close()
	for _, stream := range []string{"case-a", "case-b"} {
		if _, err := s.Append(context.Background(), stream, domain.ExpectNoStream, []domain.EventData{storetest.NewEvent("CaseReported", 10)}); err != nil {
			t.Fatal(err)
		}
	}
	// Hand the sequencer one batch of three appends at once, as a busy store would.
	batch := []*appendReq{
		req("case-x", domain.ExpectNoStream, storetest.NewEvent("CaseReported", 10)),
		req("case-y", domain.ExpectNoStream, storetest.NewEvent("CaseReported", 10)),
		req("case-y", domain.ExpectNoStream, storetest.NewEvent("CaseReported", 10)),
	}
	for _, r := range batch {
		s.reqs <- r
	}
	var errs []error
	for _, r := range batch {
		select {
		case a := <-r.done:
			errs = append(errs, a.err)
		case <-time.After(5 * time.Second):
			t.Fatal("no answer")
		}
	}
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], domain.ErrConflict) {
		t.Fatalf("answers %v; want ok, ok, conflict", errs)
	}
	if got, _ := s.ReadStream(context.Background(), "case-y", 1, 10); len(got) != 1 {
		t.Fatalf("case-y holds %d events, want 1", len(got))
	}
}

// Reads after Close are refused, and a subscriber that is behind when the store closes ends
// cleanly instead of reading a closed Pebble.
func TestReadsAfterCloseAreRefused(t *testing.T) {
	s := openAt(t, t.TempDir()+"/data")
	for i := range 20 {
		batch := make([]domain.EventData, 500)
		for j := range batch {
			batch[j] = storetest.NewEvent("CaseReported", 200)
		}
		if _, err := s.Append(context.Background(), "case-close", domain.ExpectedVersion(i*500), batch); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := s.Subscribe(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	<-sub.Events() // started, and far behind
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-sub.Events():
		case <-deadline:
			t.Fatal("subscription did not end when the store closed")
		}
	}
	if _, err := s.ReadAll(context.Background(), 0, 10); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("ReadAll after Close: %v", err)
	}
	if _, err := s.ReadStream(context.Background(), "case-close", 1, 10); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("ReadStream after Close: %v", err)
	}
	if _, err := s.Subscribe(context.Background(), 0); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}
