package esdb

import (
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

// FuzzDecodeEvent feeds arbitrary data and user metadata, as a server (or another writer under
// our prefix) could hold them, to the decoder: it must never panic, and it must accept only
// JSON data.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"a":1}`), []byte(`{"occurredAt":"2026-12-01T08:00:00Z","schemaVersion":1,"actor":"op"}`), uint64(3))
	f.Add([]byte(`not json`), []byte(`{`), uint64(0))
	f.Add([]byte(`{}`), []byte(`{"occurredAt":"yesterday"}`), uint64(1<<63))
	f.Fuzz(func(t *testing.T, data, meta []byte, revision uint64) {
		r := &esdb.RecordedEvent{
			EventID: uuid.New(), EventType: "CaseReported", ContentType: "application/json",
			StreamID: "p-case-1", EventNumber: revision, Position: esdb.Position{Commit: 100, Prepare: 100},
			CreatedDate: time.Now(), Data: data, UserMetadata: meta,
		}
		e, err := decodeEvent("case-1", r)
		if err == nil && e.Data == nil && len(data) > 0 {
			t.Fatal("accepted data lost")
		}
	})
}
