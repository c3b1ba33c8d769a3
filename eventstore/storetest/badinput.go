package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

// e. Bad input is refused with an error naming the problem, and nothing is written.
func testBadInput(t *testing.T, h Harness) {
	s, _ := open(t, h)
	mustAppend(t, s, "case-bad", domain.ExpectNoStream, events(1))
	good := func() []domain.EventData { return events(2) }
	with := func(f func(e *domain.EventData)) []domain.EventData {
		es := good()
		f(&es[1])
		return es
	}
	dupID := good()
	dupID[1].ID = dupID[0].ID
	cases := []struct {
		name     string
		stream   string
		expected domain.ExpectedVersion
		events   []domain.EventData
		want     error
		mention  string
	}{
		{"empty stream id", "", domain.ExpectAny, good(), domain.ErrInvalid, "streamId"},
		{"stream id with a space", "case 1", domain.ExpectAny, good(), domain.ErrInvalid, "streamId"},
		{"empty event type", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.Type = "" }), domain.ErrInvalid, "events[1].type"},
		{"data not JSON", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.Data = []byte(`{"a":`) }), domain.ErrInvalid, "events[1].data"},
		{"empty data", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.Data = nil }), domain.ErrInvalid, "events[1].data"},
		{"event over 1 MiB", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) {
			e.Data = []byte(`"` + strings.Repeat("x", domain.MaxEventBytes) + `"`)
		}), domain.ErrTooLarge, "events[1]"},
		{"invalid expected version", "case-bad", -7, good(), domain.ErrInvalid, "expectedVersion"},
		{"empty event id", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.ID = "" }), domain.ErrInvalid, "events[1].id"},
		{"upper-case event id", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.ID = strings.ToUpper(e.ID) }), domain.ErrInvalid, "events[1].id"},
		{"event id not a UUID", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.ID = "42" }), domain.ErrInvalid, "events[1].id"},
		{"repeated event id", "case-bad", domain.ExpectAny, dupID, domain.ErrInvalid, "events[1].id"},
		{"no events", "case-bad", domain.ExpectAny, nil, domain.ErrInvalid, "events"},
		{"NUL in metadata", "case-bad", domain.ExpectAny, with(func(e *domain.EventData) { e.Metadata.Actor = "a\x00b" }), domain.ErrInvalid, "events[1].metadata.actor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Append(ctxT(t), c.stream, c.expected, c.events)
			if !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Fatalf("error %q does not name %q", err, c.mention)
			}
		})
	}
	if n := countAll(t, s); n != 1 {
		t.Fatalf("bad appends wrote: the log holds %d events, want 1", n)
	}
	if n := len(readStream(t, s, "case-bad")); n != 1 {
		t.Fatalf("bad appends wrote: the stream holds %d events, want 1", n)
	}
	if _, err := s.ReadStream(ctxT(t), "", 1, 10); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("read of an empty stream id: want invalid, got %v", err)
	}
}
