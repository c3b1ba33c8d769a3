package domain

import (
	"encoding/json"
	"time"
)

// Metadata travels with every event: who did it, through which channel, and which command or
// event caused it.
type Metadata struct {
	Actor         string `json:"actor,omitempty"`
	Channel       string `json:"channel,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
	CausationID   string `json:"causationId,omitempty"`
}

// EventData is an event as a caller proposes it. ID is chosen by the caller (a UUID) so that a
// retried append is recognised and not written twice.
type EventData struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schemaVersion"`
	OccurredAt    time.Time       `json:"occurredAt"`
	Data          json.RawMessage `json:"data"`
	Metadata      Metadata        `json:"metadata"`
}

// RecordedEvent is an event as the store holds it: the proposal plus the place the store gave
// it (stream version, global position, recorded-at) and its link in the hash chain.
type RecordedEvent struct {
	EventData
	StreamID   string    `json:"streamId"`
	Version    uint64    `json:"version"`  // 1 for the first event of a stream
	Position   uint64    `json:"position"` // 1 for the first event of the log; gap-free
	RecordedAt time.Time `json:"recordedAt"`
	PrevHash   Hash      `json:"prevHash"`
	Hash       Hash      `json:"hash"`
}

// ExpectedVersion is the optimistic-concurrency guard of an append: the version the caller
// believes the stream has now.
type ExpectedVersion int64

const (
	// ExpectAny appends whatever the stream holds.
	ExpectAny ExpectedVersion = -1
	// ExpectNoStream appends only to a stream that has no events yet.
	ExpectNoStream ExpectedVersion = 0
	// ExpectStreamExists appends only to a stream that has at least one event.
	ExpectStreamExists ExpectedVersion = -2
)

// Matches reports whether a stream now at version current satisfies the expectation.
func (e ExpectedVersion) Matches(current uint64) bool {
	switch {
	case e == ExpectAny:
		return true
	case e == ExpectStreamExists:
		return current > 0
	default:
		return uint64(e) == current
	}
}

func (e ExpectedVersion) String() string {
	switch e {
	case ExpectAny:
		return "any"
	case ExpectNoStream:
		return "no stream"
	case ExpectStreamExists:
		return "stream exists"
	}
	return "version " + itoa(int64(e))
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// AppendResult says where an append landed. A re-append of stored event ids returns the result
// of the original append.
type AppendResult struct {
	StreamID      string `json:"streamId"`
	FirstVersion  uint64 `json:"firstVersion"`
	LastVersion   uint64 `json:"lastVersion"`
	FirstPosition uint64 `json:"firstPosition"`
	LastPosition  uint64 `json:"lastPosition"`
}
