package postgres

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
)

// ReadAll returns up to limit events with position > after, in global order. Errors: invalid
// (limit < 1), unavailable (server unreachable: retry), internal.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.RecordedEvent, error) {
	if limit < 1 {
		return nil, domain.Invalid("limit", "%d: read at least one event", limit)
	}
	if after > math.MaxInt64 {
		return nil, nil
	}
	var out []domain.RecordedEvent
	err := s.withConn(ctx, "read all", func(c *pgx.Conn) error {
		var err error
		out, err = queryEvents(ctx, c, min(limit, 10000), s.sql.readAll, int64(after), limit)
		return err
	})
	return out, err
}

// ReadStream returns up to limit events of stream with version >= from, in version order; a
// stream that does not exist reads as empty. Errors: invalid (bad stream id, limit < 1),
// unavailable, internal.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64, limit int) ([]domain.RecordedEvent, error) {
	if err := domain.ValidateStreamID(stream); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, domain.Invalid("limit", "%d: read at least one event", limit)
	}
	if from > math.MaxInt64 {
		return nil, nil
	}
	var out []domain.RecordedEvent
	err := s.withConn(ctx, "read stream "+stream, func(c *pgx.Conn) error {
		var err error
		out, err = queryEvents(ctx, c, min(limit, 1000), s.sql.readStream, stream, int64(from), limit)
		return err
	})
	return out, err
}

// queryEvents runs a query selecting eventColumns and decodes its rows. Damaged rows (say a
// hash of the wrong length) still decode, so that a verify can point at them.
func queryEvents(ctx context.Context, c *pgx.Conn, sizeHint int, sql string, args ...any) ([]domain.RecordedEvent, error) {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]domain.RecordedEvent, 0, sizeHint)
	var r eventRow
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, r.event())
	}
	return out, rows.Err()
}

// eventRow is the scan target of one event row.
type eventRow struct {
	position, version int64
	stream, typ       string
	id                [16]byte
	idText            *string
	schemaVersion     int64
	occurredAt        time.Time
	recordedAt        time.Time
	data              []byte
	actor, channel    string
	correlation       string
	causation         string
	prevHash, hash    []byte
}

func (r *eventRow) dest() []any {
	return []any{&r.position, &r.stream, &r.version, &r.id, &r.idText, &r.typ, &r.schemaVersion,
		&r.occurredAt, &r.recordedAt, &r.data, &r.actor, &r.channel, &r.correlation, &r.causation,
		&r.prevHash, &r.hash}
}

func (r *eventRow) event() domain.RecordedEvent {
	e := domain.RecordedEvent{
		EventData: domain.EventData{
			Type:          r.typ,
			SchemaVersion: int(r.schemaVersion),
			OccurredAt:    r.occurredAt.UTC(),
			Data:          r.data,
			Metadata: domain.Metadata{
				Actor:         r.actor,
				Channel:       r.channel,
				CorrelationID: r.correlation,
				CausationID:   r.causation,
			},
		},
		StreamID:   r.stream,
		Version:    uint64(r.version),
		Position:   uint64(r.position),
		RecordedAt: r.recordedAt.UTC(),
	}
	if r.idText != nil {
		e.ID = *r.idText
	} else {
		e.ID = uuid.UUID(r.id).String()
	}
	copy(e.PrevHash[:], r.prevHash)
	copy(e.Hash[:], r.hash)
	r.data = nil // the next row must not decode into this event's bytes
	return e
}
