package esdb

import (
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// toExpectedRevision maps our expected version onto the client's. Our versions start at 1 and
// KurrentDB's revisions at 0, so version n is revision n-1; "no stream" (0), "any" and "stream
// exists" have their own markers.
func toExpectedRevision(e domain.ExpectedVersion) esdb.ExpectedRevision {
	switch e {
	case domain.ExpectAny:
		return esdb.Any{}
	case domain.ExpectNoStream:
		return esdb.NoStream{}
	case domain.ExpectStreamExists:
		return esdb.StreamExists{}
	}
	return esdb.Revision(uint64(e) - 1)
}

// schemes the client does not know, mapped onto the ones it does (it accepts only esdb:// and
// esdb+discover://; KurrentDB's own documentation writes kurrentdb://).
var schemes = []struct{ from, to string }{
	{"kurrentdb+discover://", "esdb+discover://"},
	{"kurrentdb://", "esdb://"},
	{"kurrent+discover://", "esdb+discover://"},
	{"kurrent://", "esdb://"},
}

// normalizeURL rewrites a kurrentdb:// (or kurrent://) connection string to esdb://.
func normalizeURL(raw string) string {
	for _, s := range schemes {
		if len(raw) >= len(s.from) && strings.EqualFold(raw[:len(s.from)], s.from) {
			return s.to + raw[len(s.from):]
		}
	}
	return raw
}

// parseURL parses a connection string. Errors: invalid, naming "url"; a password in the string
// is never echoed.
func parseURL(raw string) (*esdb.Configuration, error) {
	cfg, err := esdb.ParseConnectionString(normalizeURL(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, domain.Invalid("url", "is not a KurrentDB connection string (esdb://, kurrentdb://): %v", err)
	}
	return cfg, nil
}

// eventMeta is what we keep in the user metadata of a KurrentDB event: the fields of our
// envelope that KurrentDB has no place for. The correlation and causation ids use KurrentDB's
// own $correlationId/$causationId keys, so its $by_correlation_id projection understands them.
type eventMeta struct {
	OccurredAt    string `json:"occurredAt,omitempty"` // RFC 3339, UTC, microseconds
	SchemaVersion int    `json:"schemaVersion"`
	Actor         string `json:"actor,omitempty"`
	Channel       string `json:"channel,omitempty"`
	CorrelationID string `json:"$correlationId,omitempty"`
	CausationID   string `json:"$causationId,omitempty"`
}

// encodeEvent turns a validated proposal into the client's event: our UUID as the event id, the
// type, the data as JSON, and eventMeta as the user metadata.
func encodeEvent(e domain.EventData) (esdb.EventData, error) {
	id, err := uuid.Parse(e.ID)
	if err != nil {
		return esdb.EventData{}, domain.Invalid("id", "%q is not a UUID", e.ID)
	}
	m := eventMeta{
		SchemaVersion: max(e.SchemaVersion, 1),
		Actor:         e.Metadata.Actor,
		Channel:       e.Metadata.Channel,
		CorrelationID: e.Metadata.CorrelationID,
		CausationID:   e.Metadata.CausationID,
	}
	if !e.OccurredAt.IsZero() {
		m.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return esdb.EventData{}, domain.Internal("cannot encode event metadata", err)
	}
	return esdb.EventData{EventID: id, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta}, nil
}

// ours reports whether r is one of our events under prefix and returns its un-prefixed stream
// id. System streams, system event types ($…) and other prefixes are not ours.
func ours(prefix string, r *esdb.RecordedEvent) (string, bool) {
	if r == nil || !strings.HasPrefix(r.StreamID, prefix) || strings.HasPrefix(r.EventType, "$") {
		return "", false
	}
	stream := r.StreamID[len(prefix):]
	if stream == "" || stream[0] == '$' {
		return "", false
	}
	return stream, true
}

// unknownPosition is what the server sends for an event whose $all position it does not know
// (stream reads before EventStoreDB 22.10 leave it out; the client reads the -1 as MaxUint64).
const unknownPosition = math.MaxUint64

// positionOf returns the event's commit position, our global position.
func positionOf(r *esdb.RecordedEvent) (uint64, error) {
	if r.Position.Commit == unknownPosition {
		return 0, domain.Internal("KurrentDB did not report the $all position of event "+r.EventID.String()+
			" in "+r.StreamID+": stream reads need EventStoreDB 22.10 or later", nil)
	}
	return r.Position.Commit, nil
}

// decodeEvent turns one of our events back into a RecordedEvent: version = revision + 1,
// position = commit position, recorded-at = the server's created date. Errors: internal when the
// data is not JSON or the metadata is not ours (something else wrote under our prefix).
func decodeEvent(stream string, r *esdb.RecordedEvent) (domain.RecordedEvent, error) {
	pos, err := positionOf(r)
	if err != nil {
		return domain.RecordedEvent{}, err
	}
	var m eventMeta
	if len(r.UserMetadata) > 0 {
		if err := json.Unmarshal(r.UserMetadata, &m); err != nil {
			return domain.RecordedEvent{}, domain.Internal("event "+r.EventID.String()+" in "+r.StreamID+" has metadata Chengyun did not write", err)
		}
	}
	if !json.Valid(r.Data) {
		return domain.RecordedEvent{}, domain.Internal("event "+r.EventID.String()+" in "+r.StreamID+" holds data that is not JSON", nil)
	}
	e := domain.EventData{
		ID:            r.EventID.String(),
		Type:          r.EventType,
		SchemaVersion: m.SchemaVersion,
		Data:          json.RawMessage(r.Data),
		Metadata: domain.Metadata{
			Actor:         m.Actor,
			Channel:       m.Channel,
			CorrelationID: m.CorrelationID,
			CausationID:   m.CausationID,
		},
	}
	if m.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, m.OccurredAt)
		if err != nil {
			return domain.RecordedEvent{}, domain.Internal("event "+r.EventID.String()+" in "+r.StreamID+" has a bad occurredAt", err)
		}
		e.OccurredAt = t
	}
	return domain.Record(e, stream, r.EventNumber+1, pos, r.CreatedDate), nil
}

// storedIDs says, for each proposed event, where its id is among the stored events (ids are
// compared as UUIDs, so letter case does not matter). Events with an unknown position count as
// an error: the answer would be wrong.
func storedIDs(stream string, events []domain.EventData, stored []*esdb.RecordedEvent) ([]domain.StoredID, error) {
	at := make(map[uuid.UUID]domain.StoredID, len(stored))
	for _, r := range stored {
		pos, err := positionOf(r)
		if err != nil {
			return nil, err
		}
		at[r.EventID] = domain.StoredID{Found: true, Stream: stream, Version: r.EventNumber + 1, Position: pos}
	}
	found := make([]domain.StoredID, len(events))
	for i := range events {
		if id, err := uuid.Parse(events[i].ID); err == nil {
			found[i] = at[id]
		}
	}
	return found, nil
}

// later reports whether a comes after b in $all.
func later(a, b esdb.Position) bool {
	return a.Commit > b.Commit || (a.Commit == b.Commit && a.Prepare > b.Prepare)
}
