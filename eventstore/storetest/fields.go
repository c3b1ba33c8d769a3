package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

func testRoundTrip(t *testing.T, h Harness) {
	s, _ := open(t, h)
	in := events(2)
	in[0].Data = []byte(`{"b": 1,  "a": "空格 kept"}`)
	in[1].OccurredAt = time.Time{}
	in[1].SchemaVersion = 0
	start := time.Now().Add(-time.Second)
	res := mustAppend(t, s, "case-fields", domain.ExpectNoStream, in)
	got := readStream(t, s, "case-fields")
	if len(got) != 2 {
		t.Fatalf("stream holds %d events", len(got))
	}
	e := got[0]
	if !bytes.Equal(e.Data, in[0].Data) {
		t.Fatalf("data changed: %s", e.Data)
	}
	if e.ID != in[0].ID || e.Type != in[0].Type || e.SchemaVersion != 1 || e.Metadata != in[0].Metadata {
		t.Fatalf("fields changed: %+v vs %+v", e.EventData, in[0])
	}
	if !e.OccurredAt.Equal(in[0].OccurredAt.Truncate(time.Microsecond)) {
		t.Fatalf("occurred-at %v, want %v", e.OccurredAt, in[0].OccurredAt)
	}
	if e.StreamID != "case-fields" || e.Version != 1 || e.Position != res.FirstPosition {
		t.Fatalf("place: %s v%d @%d, result %+v", e.StreamID, e.Version, e.Position, res)
	}
	if e.RecordedAt.Before(start) || e.RecordedAt.After(time.Now().Add(time.Second)) {
		t.Fatalf("recorded-at %v is not now", e.RecordedAt)
	}
	if got[1].SchemaVersion != 1 || !got[1].OccurredAt.Equal(got[1].RecordedAt) {
		t.Fatalf("defaults: schema %d, occurred %v recorded %v", got[1].SchemaVersion, got[1].OccurredAt, got[1].RecordedAt)
	}
	all := ReadAllEvents(t, s)
	if len(all) != 2 || all[1].ID != got[1].ID {
		t.Fatalf("ReadAll disagrees with ReadStream")
	}
	if st, err := s.Stats(ctxT(t)); err != nil || st.Kind == "" || st.Events != 2 || st.Streams != 1 {
		t.Fatalf("stats: %+v %v", st, err)
	}
}

func testReadStreamPaging(t *testing.T, h Harness) {
	s, _ := open(t, h)
	for i := range 5 {
		mustAppend(t, s, "case-page", domain.ExpectedVersion(i*10), events(10))
		mustAppend(t, s, "case-noise", domain.ExpectAny, events(3))
	}
	page, err := s.ReadStream(ctxT(t), "case-page", 11, 15)
	if err != nil || len(page) != 15 || page[0].Version != 11 || page[14].Version != 25 {
		t.Fatalf("page from 11 of 15: %d events, %v", len(page), err)
	}
	for i := 1; i < len(page); i++ {
		if page[i].Version != page[i-1].Version+1 || page[i].StreamID != "case-page" {
			t.Fatalf("stream page out of order at %d", i)
		}
	}
	if none, err := s.ReadStream(ctxT(t), "case-nothing", 1, 10); err != nil || len(none) != 0 {
		t.Fatalf("missing stream: %d events, %v", len(none), err)
	}
	all := ReadAllEvents(t, s)
	mid := all[20].Position
	rest, err := s.ReadAll(ctxT(t), mid, 7)
	if err != nil || len(rest) != 7 || rest[0].ID != all[21].ID {
		t.Fatalf("ReadAll after %d: %d events, %v", mid, len(rest), err)
	}
}

func testHashChain(t *testing.T, h Harness) {
	s, _ := open(t, h)
	for i := range 20 {
		mustAppend(t, s, "case-chain", domain.ExpectedVersion(i), events(1))
	}
	all := ReadAllEvents(t, s)
	if !all[0].PrevHash.IsZero() {
		t.Fatalf("first event's previous hash is %s, want zero", all[0].PrevHash)
	}
	for i := 1; i < len(all); i++ {
		if all[i].PrevHash != all[i-1].Hash {
			t.Fatalf("event %d does not link to the one before", i)
		}
	}
	rep, err := domain.VerifyChain(ctxT(t), s)
	if err != nil || !rep.OK || rep.Events != 20 {
		t.Fatalf("verify: %v %v", rep, err)
	}
}
