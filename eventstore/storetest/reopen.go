package storetest

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// d. Close and reopen keeps everything; a subscription from a checkpoint resumes right after it.
func testReopenAndResume(t *testing.T, h Harness) {
	s, reopen := h.Open(t)
	for i := range 10 {
		mustAppend(t, s, "case-reopen", domain.ExpectedVersion(i*3), events(3))
	}
	before := ReadAllEvents(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s = reopen(t)
	t.Cleanup(func() { _ = s.Close() })
	after := ReadAllEvents(t, s)
	if len(after) != len(before) {
		t.Fatalf("after reopen %d events, before %d", len(after), len(before))
	}
	for i := range before {
		if before[i].ID != after[i].ID || before[i].Position != after[i].Position || before[i].Hash != after[i].Hash {
			t.Fatalf("event %d changed across reopen: %+v vs %+v", i, before[i], after[i])
		}
	}
	st, err := s.Stats(ctxT(t))
	if err != nil || st.Events != 30 || st.Streams != 1 || st.LastPosition != before[29].Position {
		t.Fatalf("stats after reopen: %+v, %v", st, err)
	}
	// The reopened store carries on where it stopped: versions, positions and the chain.
	r := mustAppend(t, s, "case-reopen", 30, events(1))
	if r.LastVersion != 31 {
		t.Fatalf("append after reopen got version %d, want 31", r.LastVersion)
	}
	checkpoint := before[19].Position
	sub, err := s.Subscribe(ctxT(t), checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	want := append(append([]domain.RecordedEvent{}, after[20:]...), ReadAllEvents(t, s)[30])
	live := events(1)
	catchUp := len(want)
	for i := 0; i <= catchUp; i++ {
		if i == catchUp {
			res := mustAppend(t, s, "case-live", domain.ExpectNoStream, live)
			want = append(want, domain.RecordedEvent{EventData: live[0], Position: res.LastPosition})
		}
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended: %v", sub.Err())
			}
			if e.ID != want[i].ID || e.Position != want[i].Position {
				t.Fatalf("resumed subscription event %d: %s@%d, want %s@%d", i, e.ID, e.Position, want[i].ID, want[i].Position)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("resumed subscription delivered %d of %d events", i, len(want))
		}
	}
	if h.HashChain {
		rep, err := domain.VerifyChain(ctxT(t), s)
		if err != nil || !rep.OK {
			t.Fatalf("verify after reopen: %v %v", rep, err)
		}
	}
}
