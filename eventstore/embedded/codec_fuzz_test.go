package embedded

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// FuzzDecodeEvent feeds arbitrary bytes (as damaged files would) to the decoder: it must never
// panic, and whatever it decodes must survive another encode and decode unchanged.
func FuzzDecodeEvent(f *testing.F) {
	e := domain.Record(storetest.NewEvent("CaseReported", 100), "case-1", 3, 9, time.Now())
	domain.Seal(domain.Hash{}, &e)
	var id [16]byte
	copy(id[:], "0123456789abcdef")
	f.Add(encodeEvent(nil, &e, encodeBody(nil, e.StreamID, &e.EventData, id)))
	f.Add([]byte{codecVersion})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeEvent(9, b)
		if err != nil {
			return
		}
		var raw [16]byte
		copy(raw[:], mustUUID(t, got.ID))
		again, err := decodeEvent(9, encodeEvent(nil, &got, encodeBody(nil, got.StreamID, &got.EventData, raw)))
		if err != nil || again.ID != got.ID || again.StreamID != got.StreamID || string(again.Data) != string(got.Data) ||
			again.Hash != got.Hash || !again.RecordedAt.Equal(got.RecordedAt) || again.Metadata != got.Metadata {
			t.Fatalf("decode/encode not stable: %v", err)
		}
	})
}

func mustUUID(t *testing.T, s string) []byte {
	t.Helper()
	u, err := parseUUID(s)
	if err != nil {
		t.Fatalf("decoded id %q: %v", s, err)
	}
	return u[:]
}
