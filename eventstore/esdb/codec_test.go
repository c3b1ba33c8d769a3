package esdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/chengyun/chengyun/domain"
)

func TestExpectedVersionMapping(t *testing.T) {
	cases := []struct {
		in   domain.ExpectedVersion
		want esdb.ExpectedRevision
	}{
		{domain.ExpectAny, esdb.Any{}},
		{domain.ExpectNoStream, esdb.NoStream{}},
		{domain.ExpectStreamExists, esdb.StreamExists{}},
		{1, esdb.Revision(0)}, // our versions start at 1, revisions at 0
		{2, esdb.Revision(1)},
		{5000, esdb.Revision(4999)},
	}
	for _, c := range cases {
		if got := toExpectedRevision(c.in); got != c.want {
			t.Errorf("expected version %v maps to %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestConnectionStrings(t *testing.T) {
	for in, want := range map[string]string{
		"kurrentdb://127.0.0.1:2113?tls=false":     "esdb://127.0.0.1:2113?tls=false",
		"KurrentDB+Discover://a:2113,b:2113":       "esdb+discover://a:2113,b:2113",
		"kurrent://admin:changeit@127.0.0.1:2113":  "esdb://admin:changeit@127.0.0.1:2113",
		"esdb://127.0.0.1:2113?tls=false":          "esdb://127.0.0.1:2113?tls=false",
		"esdb+discover://cluster.example.com:2113": "esdb+discover://cluster.example.com:2113",
	} {
		if got := normalizeURL(in); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
	cfg, err := parseURL("kurrentdb://admin:changeit@127.0.0.1:2113?tls=false")
	if err != nil || cfg.Address != "127.0.0.1:2113" || !cfg.DisableTLS || cfg.Username != "admin" {
		t.Fatalf("parse kurrentdb:// url: %+v, %v", cfg, err)
	}
	for _, bad := range []string{"http://127.0.0.1:2113", "esdb://admin:s3cret@[::1", ""} {
		_, err := parseURL(bad)
		if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "url") {
			t.Errorf("parseURL(%q): want invalid naming url, got %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseURL(%q) echoes the password: %v", bad, err)
		}
	}
}

// stored turns what encodeEvent sends into what the server would hand back.
func stored(t *testing.T, fullStream string, revision, position uint64, d esdb.EventData) *esdb.RecordedEvent {
	t.Helper()
	return &esdb.RecordedEvent{
		EventID:      d.EventID,
		EventType:    d.EventType,
		ContentType:  "application/json",
		StreamID:     fullStream,
		EventNumber:  revision,
		Position:     esdb.Position{Commit: position, Prepare: position},
		CreatedDate:  time.Date(2026, 12, 1, 9, 30, 0, 123456700, time.UTC),
		Data:         d.Data,
		UserMetadata: d.Metadata,
	}
}

func TestEventRoundTrip(t *testing.T) {
	in := domain.EventData{
		ID:            uuid.NewString(),
		Type:          "CaseReported",
		SchemaVersion: 3,
		OccurredAt:    time.Date(2026, 11, 30, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600)),
		Data:          []byte(`{"b": 1,  "a": "空格 kept"}`),
		Metadata:      domain.Metadata{Actor: "operator-7", Channel: "hotline", CorrelationID: uuid.NewString(), CausationID: uuid.NewString()},
	}
	d, err := encodeEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	if d.ContentType != esdb.ContentTypeJson || d.EventID.String() != in.ID || d.EventType != in.Type {
		t.Fatalf("encoded: %+v", d)
	}
	if !strings.Contains(string(d.Metadata), `"$correlationId"`) {
		t.Fatalf("metadata does not use KurrentDB's correlation key: %s", d.Metadata)
	}
	r := stored(t, "p-case-1", 4, 7777, d)
	stream, ok := ours("p-", r)
	if !ok || stream != "case-1" {
		t.Fatalf("ours: %q %v", stream, ok)
	}
	e, err := decodeEvent(stream, r)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != in.ID || e.Type != in.Type || e.SchemaVersion != 3 || e.Metadata != in.Metadata || string(e.Data) != string(in.Data) {
		t.Fatalf("fields changed: %+v", e.EventData)
	}
	if !e.OccurredAt.Equal(in.OccurredAt.Truncate(time.Microsecond)) {
		t.Fatalf("occurred-at %v, want %v", e.OccurredAt, in.OccurredAt)
	}
	if e.StreamID != "case-1" || e.Version != 5 || e.Position != 7777 || !e.RecordedAt.Equal(r.CreatedDate.Truncate(time.Microsecond)) {
		t.Fatalf("place: %s v%d @%d recorded %v", e.StreamID, e.Version, e.Position, e.RecordedAt)
	}
	if !e.PrevHash.IsZero() || !e.Hash.IsZero() {
		t.Fatal("hash fields must stay zero")
	}

	// Defaults: no occurred-at means "when recorded", schema 0 means 1.
	in.OccurredAt, in.SchemaVersion = time.Time{}, 0
	d, _ = encodeEvent(in)
	e, err = decodeEvent("case-1", stored(t, "p-case-1", 0, 1, d))
	if err != nil || e.SchemaVersion != 1 || !e.OccurredAt.Equal(e.RecordedAt) || e.Version != 1 {
		t.Fatalf("defaults: %+v, %v", e, err)
	}
}

func TestOursSkipsSystemAndForeignEvents(t *testing.T) {
	ev := func(stream, typ string) *esdb.RecordedEvent {
		return &esdb.RecordedEvent{StreamID: stream, EventType: typ}
	}
	for _, c := range []struct {
		prefix string
		r      *esdb.RecordedEvent
		want   bool
	}{
		{"p-", ev("p-case-1", "CaseReported"), true},
		{"p-", ev("q-case-1", "CaseReported"), false},
		{"p-", ev("p-", "CaseReported"), false},
		{"p-", ev("p-case-1", "$>"), false},
		{"", ev("case-1", "CaseReported"), true},
		{"", ev("$stats-127.0.0.1:2113", "$statsCollected"), false},
		{"", ev("$$case-1", "$metadata"), false},
		{"", ev("$ce-case", "$>"), false},
		{"", nil, false},
	} {
		if _, got := ours(c.prefix, c.r); got != c.want {
			t.Errorf("ours(%q, %+v) = %v, want %v", c.prefix, c.r, got, c.want)
		}
	}
}

func TestDecodeRefusesWhatChengyunDidNotWrite(t *testing.T) {
	d, _ := encodeEvent(domain.EventData{ID: uuid.NewString(), Type: "T", Data: []byte(`{}`)})
	old := stored(t, "case-1", 0, unknownPosition, d)
	if _, err := decodeEvent("case-1", old); !errors.Is(err, domain.ErrInternal) || !strings.Contains(err.Error(), "22.10") {
		t.Fatalf("unknown position: want internal naming the server version, got %v", err)
	}
	bin := stored(t, "case-1", 0, 5, d)
	bin.Data = []byte{0xff, 0x00}
	if _, err := decodeEvent("case-1", bin); !errors.Is(err, domain.ErrInternal) {
		t.Fatalf("binary data: want internal, got %v", err)
	}
	meta := stored(t, "case-1", 0, 5, d)
	meta.UserMetadata = []byte("not json")
	if _, err := decodeEvent("case-1", meta); !errors.Is(err, domain.ErrInternal) {
		t.Fatalf("foreign metadata: want internal, got %v", err)
	}
	meta.UserMetadata = nil // no metadata at all is fine
	if _, err := decodeEvent("case-1", meta); err != nil {
		t.Fatalf("no metadata: %v", err)
	}
}

func TestStoredIDsFeedReplayedAppend(t *testing.T) {
	batch := make([]domain.EventData, 3)
	var recs []*esdb.RecordedEvent
	for i := range batch {
		batch[i] = domain.EventData{ID: uuid.NewString(), Type: "T", Data: []byte(`{}`)}
		d, _ := encodeEvent(batch[i])
		recs = append(recs, stored(t, "case-1", uint64(i), uint64(100+10*i), d))
	}
	// A backwards read returns the newest first; order must not matter.
	rev := []*esdb.RecordedEvent{recs[2], recs[1], recs[0]}
	res, done, err := replay("case-1", batch, rev)
	if err != nil || !done || res.FirstVersion != 1 || res.LastVersion != 3 || res.FirstPosition != 100 || res.LastPosition != 120 {
		t.Fatalf("replay: %+v %v %v", res, done, err)
	}
	upper := append([]domain.EventData(nil), batch...)
	upper[0].ID = strings.ToUpper(upper[0].ID)
	if _, done, err := replay("case-1", upper, rev); err != nil || !done {
		t.Fatalf("ids are UUIDs, not strings: %v %v", done, err)
	}
	mixed := []domain.EventData{batch[0], {ID: uuid.NewString(), Type: "T", Data: []byte(`{}`)}}
	if _, _, err := replay("case-1", mixed, rev); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("one stored, one new: want conflict, got %v", err)
	}
	if _, done, err := replay("case-1", batch, nil); err != nil || done {
		t.Fatalf("nothing stored: %v %v", done, err)
	}
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		err  error
		want error
	}{
		{context.Canceled, domain.ErrUnavailable},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), domain.ErrUnavailable},
		{status.Error(codes.Unavailable, "connection refused"), domain.ErrUnavailable},
		{fmt.Errorf("could not send append request. Reason: %w", status.Error(codes.Unavailable, "x")), domain.ErrUnavailable},
		{status.Error(codes.PermissionDenied, "access denied"), domain.ErrInternal},
		{status.Error(codes.InvalidArgument, "Maximum Append Size of 1048576 Exceeded."), domain.ErrTooLarge},
		{errors.New("something odd"), domain.ErrInternal},
		{domain.Conflict("x", "y"), domain.ErrConflict},
	}
	for _, c := range cases {
		if got := mapErr("op", c.err); !errors.Is(got, c.want) {
			t.Errorf("mapErr(%v) = %v, want code %v", c.err, got, c.want)
		}
	}
	if !permanent(status.Error(codes.PermissionDenied, "no")) || permanent(status.Error(codes.Unavailable, "down")) {
		t.Error("permanent misclassifies")
	}
	if got := subErr(errors.New("rst stream")); !errors.Is(got, domain.ErrUnavailable) {
		t.Errorf("a dropped subscription must be retried, got %v", got)
	}
	if !clientDead(errors.New("maximum discovery attempt count reached: 10. Last Error: x")) || clientDead(errors.New("x")) {
		t.Error("clientDead misclassifies")
	}
}

func TestLater(t *testing.T) {
	a := esdb.Position{Commit: 10, Prepare: 10}
	if !later(esdb.Position{Commit: 11, Prepare: 0}, a) || !later(esdb.Position{Commit: 10, Prepare: 11}, a) || later(a, a) || later(esdb.Position{Commit: 9, Prepare: 99}, a) {
		t.Fatal("later does not order (commit, prepare)")
	}
}
