package esdb

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// Append writes events to stream, all or nothing, if the stream is at expected.
//
// Errors: invalid or too_large from domain.ValidateAppend (nothing is sent), or too_large when
// the server's MaxAppendSize (1 MiB by default) refuses the append (nothing written); conflict
// for a wrong expected version (naming the stream, the expected and the current version) or
// when some of the event ids are stored already as part of another append; unavailable when
// KurrentDB cannot be reached or the call was cut short (the append may or may not have landed:
// retry with the same event ids, which is safe); internal for refused credentials, or a server
// whose answer contradicts itself.
//
// Re-appending events whose ids are stored returns the original result and writes nothing.
// KurrentDB itself only promises that for a retry with the same specific expected version, and
// does its best (a cache) for "any", so the store checks before it writes:
//   - expected version n (or no stream, n = 0): the events right after version n are read and
//     compared with the proposed ids. That is exactly where a retry of the same append landed,
//     however long the stream has grown since: no bound.
//   - any or stream exists, and after any wrong-expected-version refusal: the last
//     Options.IdempotencyWindow events of the stream (default 1000) are searched. A retry whose
//     original has more than that many events after it in its stream is not recognised; with
//     expected "any" it is then written again, with a version it is refused as a conflict.
//
// What cannot be detected: an id stored in another stream (KurrentDB has no index by event id,
// and scanning $all per append is out of the question), and an id stored earlier in this stream
// when the append's expected version equals the current one (it was not a retry of that
// earlier append). Both are written as new events.
//
// The result's positions are the events' commit positions in $all: LastPosition is the write
// result's position, FirstPosition the first event's own position (for a batch, read back from
// the stream, since the write result only carries the last one). FirstPosition equals
// LastPosition only for a single event.
func (s *Store) Append(ctx context.Context, stream string, expected domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	if err := domain.ValidateAppend(stream, expected, events); err != nil {
		return domain.AppendResult{}, err
	}
	full := s.prefix + stream
	data := make([]esdb.EventData, len(events))
	for i := range events {
		d, err := encodeEvent(events[i])
		if err != nil {
			return domain.AppendResult{}, err
		}
		data[i] = d
	}

	// A retry? Look where its original would be.
	var stored []*esdb.RecordedEvent
	var err error
	if expected >= 0 {
		stored, err = s.readStreamRaw(ctx, full, esdb.Forwards, esdb.Revision(uint64(expected)), uint64(len(events)))
	} else {
		stored, err = s.readStreamRaw(ctx, full, esdb.Backwards, esdb.End{}, uint64(s.window))
	}
	if err != nil {
		return domain.AppendResult{}, err
	}
	if res, done, err := replay(stream, events, stored); done || err != nil {
		return res, err
	}

	var wr *esdb.WriteResult
	err = s.conn.call(ctx, func(ctx context.Context, cl *esdb.Client) error {
		var err error
		wr, err = cl.AppendToStream(ctx, full, esdb.AppendToStreamOptions{ExpectedRevision: toExpectedRevision(expected)}, data...)
		return err
	})
	if err != nil {
		if isWrongExpectedVersion(err) {
			return s.refused(ctx, stream, expected, events)
		}
		return domain.AppendResult{}, mapErr("append to "+stream, err)
	}
	return s.landed(ctx, stream, events, wr)
}

// replay applies domain.ReplayedAppend to the stored events found: done is true when the ids
// are all stored as one earlier append (res is its result); err is a conflict when only some
// are, or not together.
func replay(stream string, events []domain.EventData, stored []*esdb.RecordedEvent) (res domain.AppendResult, done bool, err error) {
	if len(stored) == 0 {
		return domain.AppendResult{}, false, nil
	}
	found, err := storedIDs(stream, events, stored)
	if err != nil {
		return domain.AppendResult{}, false, err
	}
	return domain.ReplayedAppend(stream, found)
}

// refused explains a wrong-expected-version refusal: a retry whose original is in the recent
// window returns the original result; otherwise a conflict naming the current version (read
// right after the refusal).
func (s *Store) refused(ctx context.Context, stream string, expected domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	tail, err := s.readStreamRaw(ctx, s.prefix+stream, esdb.Backwards, esdb.End{}, uint64(s.window))
	if err != nil {
		return domain.AppendResult{}, err
	}
	if res, done, err := replay(stream, events, tail); done || err != nil {
		return res, err
	}
	current := uint64(0)
	if len(tail) > 0 {
		current = tail[0].EventNumber + 1
	}
	return domain.AppendResult{}, domain.Conflict("expectedVersion", "stream %q is at version %d, but the append expected %s", stream, current, expected)
}

// landed builds the result of a successful write. KurrentDB reports the last revision written
// and the last event's position; a batch's first position is read back (which also confirms the
// ids, as KurrentDB may have answered a retry it recognised with the original's place).
func (s *Store) landed(ctx context.Context, stream string, events []domain.EventData, wr *esdb.WriteResult) (domain.AppendResult, error) {
	n := uint64(len(events))
	last := wr.NextExpectedVersion + 1
	if last < n {
		return domain.AppendResult{}, domain.Internal(fmt.Sprintf("KurrentDB acknowledged %d events in %s ending at revision %d", n, stream, wr.NextExpectedVersion), nil)
	}
	first := last - n + 1
	if n == 1 && wr.CommitPosition != 0 && wr.CommitPosition != unknownPosition {
		return domain.AppendResult{StreamID: stream, FirstVersion: first, LastVersion: last, FirstPosition: wr.CommitPosition, LastPosition: wr.CommitPosition}, nil
	}
	back, err := s.readStreamRaw(ctx, s.prefix+stream, esdb.Forwards, esdb.Revision(first-1), n)
	if err != nil {
		return domain.AppendResult{}, err
	}
	res, done, err := replay(stream, events, back)
	if err != nil && domain.CodeOf(err) != domain.CodeConflict {
		return domain.AppendResult{}, err
	}
	if err != nil || !done || res.FirstVersion != first || res.LastVersion != last {
		return domain.AppendResult{}, domain.Internal(fmt.Sprintf("KurrentDB acknowledged the append to %s at versions %d..%d but other events are there", stream, first, last), nil)
	}
	return res, nil
}
