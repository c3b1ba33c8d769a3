package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/valyala/fastjson"
)

// Limits of an append. An event's size is its data plus its metadata and type.
const (
	MaxEventBytes     = 1 << 20
	MaxAppendBytes    = 16 << 20
	MaxAppendEvents   = 10000
	MaxStreamIDBytes  = 256
	MaxEventTypeBytes = 128
	MaxMetadataBytes  = 4096
)

// ValidateAppend checks an append before any store sees it. It returns an invalid or too_large
// error naming the first bad field (e.g. "events[3].data"); nothing may be written when it fails.
func ValidateAppend(stream string, expected ExpectedVersion, events []EventData) error {
	if err := ValidateStreamID(stream); err != nil {
		return err
	}
	if expected < ExpectStreamExists {
		return Invalid("expectedVersion", "%d is not a version: use a version >= 0, -1 (any) or -2 (stream exists)", int64(expected))
	}
	if len(events) == 0 {
		return Invalid("events", "an append needs at least one event")
	}
	if len(events) > MaxAppendEvents {
		return TooLarge("events", "%d events in one append, at most %d", len(events), MaxAppendEvents)
	}
	total := 0
	var seen map[string]int
	if len(events) > 1 {
		seen = make(map[string]int, len(events))
	}
	for i := range events {
		if err := validateEvent(i, &events[i]); err != nil {
			return err
		}
		if j, dup := seen[events[i].ID]; dup {
			return Invalid(fmt.Sprintf("events[%d].id", i), "%s repeats the id of events[%d]", events[i].ID, j)
		}
		if seen != nil {
			seen[events[i].ID] = i
		}
		total += EventSize(&events[i])
	}
	if total > MaxAppendBytes {
		return TooLarge("events", "%d bytes in one append, at most %d", total, MaxAppendBytes)
	}
	return nil
}

// ValidateStreamID checks a stream id: non-empty, at most 256 bytes of printable UTF-8.
func ValidateStreamID(stream string) error {
	if stream == "" {
		return Invalid("streamId", "is empty")
	}
	if len(stream) > MaxStreamIDBytes {
		return TooLarge("streamId", "%d bytes, at most %d", len(stream), MaxStreamIDBytes)
	}
	if err := printable(stream); err != nil {
		return Invalid("streamId", "%v", err)
	}
	if stream[0] == '$' {
		return Invalid("streamId", "%q: names starting with $ are reserved", stream)
	}
	return nil
}

func validateEvent(i int, e *EventData) error {
	if err := checkEvent(e); err != nil {
		// The field name is built only on failure: this runs for every event appended.
		err.Field = fmt.Sprintf("events[%d]%s", i, err.Field)
		return err
	}
	return nil
}

// checkEvent returns an error whose Field is relative to the event (".data", or "" for the
// event as a whole).
func checkEvent(e *EventData) *Error {
	const field = ""
	if e.ID == "" {
		return Invalid(field+".id", "is empty: the caller chooses a UUID so a retry is idempotent")
	}
	if u, err := uuid.Parse(e.ID); err != nil || u.String() != e.ID {
		// One spelling per id: stores keep ids as 16 bytes, and the hash covers the text.
		return Invalid(field+".id", "%q is not a UUID in its lower-case 36-character form", e.ID)
	}
	if e.Type == "" {
		return Invalid(field+".type", "is empty")
	}
	if len(e.Type) > MaxEventTypeBytes {
		return TooLarge(field+".type", "%d bytes, at most %d", len(e.Type), MaxEventTypeBytes)
	}
	if err := printable(e.Type); err != nil {
		return Invalid(field+".type", "%v", err)
	}
	if e.SchemaVersion < 0 {
		return Invalid(field+".schemaVersion", "%d is negative", e.SchemaVersion)
	}
	if size := EventSize(e); size > MaxEventBytes {
		return TooLarge(field, "%d bytes, at most %d (1 MiB)", size, MaxEventBytes)
	}
	if len(e.Data) == 0 {
		return Invalid(field+".data", "is empty: use {} for an event without data")
	}
	if !validJSON(e.Data) {
		return Invalid(field+".data", "is not valid JSON")
	}
	m := e.Metadata
	if n := len(m.Actor) + len(m.Channel) + len(m.CorrelationID) + len(m.CausationID); n > MaxMetadataBytes {
		return TooLarge(field+".metadata", "%d bytes, at most %d", n, MaxMetadataBytes)
	}
	for _, f := range [...]struct{ name, value string }{
		{"actor", m.Actor}, {"channel", m.Channel}, {"correlationId", m.CorrelationID}, {"causationId", m.CausationID},
	} {
		if !utf8.ValidString(f.value) {
			return Invalid(field+".metadata."+f.name, "is not valid UTF-8")
		}
		// Every adapter must be able to store what validation lets through, and PostgreSQL
		// text cannot hold NUL.
		if strings.IndexByte(f.value, 0) >= 0 {
			return Invalid(field+".metadata."+f.name, "holds a NUL character")
		}
	}
	if !e.OccurredAt.IsZero() && (e.OccurredAt.Year() < 1970 || e.OccurredAt.Year() > 9999) {
		return Invalid(field+".occurredAt", "%s is outside 1970..9999", e.OccurredAt.Format(time.RFC3339))
	}
	return nil
}

// EventSize is the number of bytes an event counts against the size limits.
func EventSize(e *EventData) int {
	m := e.Metadata
	return len(e.Data) + len(e.Type) + len(m.Actor) + len(m.Channel) + len(m.CorrelationID) + len(m.CausationID)
}

func printable(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("is not valid UTF-8")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%q holds a space or control character", s)
		}
	}
	return nil
}

// Record turns a validated proposal into the event a store will keep, at microsecond precision
// (the finest every adapter keeps, so hashes agree across adapters). An event without
// occurred-at is taken to have happened when it was recorded.
func Record(e EventData, stream string, version, position uint64, recordedAt time.Time) RecordedEvent {
	recordedAt = recordedAt.UTC().Truncate(time.Microsecond)
	if e.OccurredAt.IsZero() {
		e.OccurredAt = recordedAt
	} else {
		e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	}
	if e.SchemaVersion == 0 {
		e.SchemaVersion = 1
	}
	return RecordedEvent{EventData: e, StreamID: stream, Version: version, Position: position, RecordedAt: recordedAt}
}

// validJSON reports whether b is one well-formed JSON value. fastjson's validator is about four
// times faster than encoding/json's on event-sized documents and this runs for every event
// appended; FuzzJSONValidity holds the two to the same answer.
// fastjson lets raw control characters through inside strings, which JSON forbids, so those
// are checked here.
func validJSON(b []byte) bool {
	return fastjson.ValidateBytes(b) == nil && !rawControlInString(b)
}

// rawControlInString reports a byte below 0x20 inside a string of an otherwise well-formed
// document.
func rawControlInString(b []byte) bool {
	in, escaped := false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case in && c == '\\':
			escaped = true
		case c == '"':
			in = !in
		case in && c < 0x20:
			return true
		}
	}
	return false
}
