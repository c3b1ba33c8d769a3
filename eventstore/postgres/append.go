package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// Append writes events to stream, all or nothing, if the stream is at expected. It waits for the
// group commit that carries it: the append is acknowledged only once that transaction has
// committed. Errors: invalid or too_large (nothing written); conflict (wrong expected version,
// or some event ids stored as part of another append); unavailable (server unreachable, or the
// store closed: retry with the same event ids, which is safe even when the outcome was unknown);
// internal; ctx.Err() when ctx ends first (if its transaction had already started, the append
// may or may not be written: retry with the same ids). Re-appending events whose ids are all
// stored returns the original result and writes nothing.
func (s *Store) Append(ctx context.Context, stream string, expected domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	if err := domain.ValidateAppend(stream, expected, events); err != nil {
		return domain.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return domain.AppendResult{}, err
	}
	r := &request{
		ctx:      ctx,
		stream:   stream,
		expected: expected,
		events:   append([]domain.EventData(nil), events...),
		ids:      make([][16]byte, len(events)),
		done:     make(chan answer, 1),
	}
	for i := range events {
		r.ids[i] = uuid.MustParse(events[i].ID) // ValidateAppend checked the form
		r.size += domain.EventSize(&events[i])
	}
	if err := s.q.push(r); err != nil {
		return domain.AppendResult{}, err
	}
	select {
	case a := <-r.done:
		return a.res, a.err
	case <-ctx.Done():
		return domain.AppendResult{}, ctx.Err()
	}
}

// request is one Append waiting for the batcher.
type request struct {
	ctx      context.Context
	stream   string
	expected domain.ExpectedVersion
	events   []domain.EventData
	ids      [][16]byte
	size     int
	done     chan answer // buffered: the batcher never blocks on a caller that left
}

type answer struct {
	res domain.AppendResult
	err error
}

func (r *request) answer(res domain.AppendResult, err error) { r.done <- answer{res, err} }
