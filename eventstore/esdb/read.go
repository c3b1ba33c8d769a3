package esdb

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// Reading $all. The client's ReadAll has no server-side filter (only SubscribeToAll has one), so
// ReadAll and Stats read raw $all pages and keep our events in this process. On a server of our
// own that costs only KurrentDB's system events. On a shared server it means reading past
// everyone else's events; to keep that to once per Store, each Store remembers a floor: a place
// in $all before which, as its own scans have seen, no event of ours lies. A scan from the floor
// (or from the very beginning) raises it to just before the first event of ours it meets, or to
// the end of $all when it meets none. Old events never move in $all, so the floor stays true.
const (
	pageSize    = 1024    // raw events per read of $all
	statsBudget = 100_000 // raw events one Stats call reads at most
)

// cursor is a place in $all: just after the raw event at pos, or the beginning when not set.
type cursor struct {
	pos esdb.Position
	set bool
}

// statsState is the running count behind Stats, carried from call to call.
type statsState struct {
	started                bool
	cur                    cursor
	events, streams, lastP uint64
}

// ReadStream returns up to limit events of stream from version from on, in version order. A
// stream that does not exist (or was deleted in KurrentDB) reads as empty. Errors: invalid for a
// bad stream id; unavailable when KurrentDB cannot be reached (retry); internal when an event
// under the prefix was not written by Chengyun, or the server is older than 22.10.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64, limit int) ([]domain.RecordedEvent, error) {
	if err := domain.ValidateStreamID(stream); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	from = max(from, 1)
	raw, err := s.readStreamRaw(ctx, s.prefix+stream, esdb.Forwards, esdb.Revision(from-1), uint64(limit))
	if err != nil {
		return nil, err
	}
	out := make([]domain.RecordedEvent, 0, len(raw))
	for _, r := range raw {
		if _, ok := ours(s.prefix, r); !ok {
			continue
		}
		e, err := decodeEvent(stream, r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ReadAll returns up to limit of our events with position > after, in $all order. after must be
// 0 or a position this store returned. Errors: invalid when after is not a position of the log;
// unavailable when KurrentDB cannot be reached (retry); internal as for ReadStream.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.RecordedEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	s.floorMu.Lock()
	floor := s.floor
	s.floorMu.Unlock()
	start := cursor{}
	if after > 0 {
		start = cursor{pos: esdb.Position{Commit: after, Prepare: after}, set: true}
	}
	fromFloor := !start.set || (floor.set && !later(start.pos, floor.pos))
	if fromFloor && floor.set {
		start = floor
	}
	var (
		out       []domain.RecordedEvent
		decodeErr error
		prev      = start
		beforeOne cursor // the raw place just before our first event in this scan
		found     bool
	)
	end, c, err := s.scanFrom(ctx, start, min(limit+64, pageSize), 0, func(r *esdb.RecordedEvent) bool {
		stream, ok := ours(s.prefix, r)
		if ok && !found {
			found, beforeOne = true, prev
		}
		prev = cursor{pos: r.Position, set: true}
		if !ok || r.Position.Commit <= after {
			return true
		}
		e, err := decodeEvent(stream, r)
		if err != nil {
			decodeErr = err
			return false
		}
		out = append(out, e)
		return len(out) < limit
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, err
	}
	if fromFloor {
		switch {
		case found:
			s.raiseFloor(beforeOne)
		case end:
			s.raiseFloor(c)
		}
	}
	return out, nil
}

func (s *Store) raiseFloor(c cursor) {
	s.floorMu.Lock()
	defer s.floorMu.Unlock()
	if c.set && (!s.floor.set || later(c.pos, s.floor.pos)) {
		s.floor = c
	}
}

// Stats counts our events and streams (a stream is counted at its first event) and reports the
// last position, kind "esdb". It continues from where the previous call stopped and reads at
// most 100,000 raw $all events per call, so on a large or shared log the first calls return
// partial counts (lower bounds) that grow to exact ones. Errors: unavailable when KurrentDB
// cannot be reached.
func (s *Store) Stats(ctx context.Context) (domain.StoreStats, error) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := &s.stats
	if !st.started {
		s.floorMu.Lock()
		st.cur = s.floor
		s.floorMu.Unlock()
		st.started = true
	}
	end, c, err := s.scanFrom(ctx, st.cur, pageSize, statsBudget, func(r *esdb.RecordedEvent) bool {
		if _, ok := ours(s.prefix, r); ok {
			st.events++
			if r.EventNumber == 0 {
				st.streams++
			}
			st.lastP = r.Position.Commit
		}
		return true
	})
	st.cur = c
	if err != nil {
		return domain.StoreStats{}, err
	}
	if !end {
		s.log.Debug("stats are partial: the scan of $all continues at the next call", "events", st.events)
	}
	return domain.StoreStats{Kind: "esdb", Events: st.events, Streams: st.streams, LastPosition: st.lastP}, nil
}

// scanFrom reads $all forwards from just after c, page by page (the first page holds first raw
// events), handing each raw event to visit until visit returns false, maxRaw events were read
// (0: no bound) or the end of $all. It returns whether it reached the end and the place of the
// last event it handed over, also when it fails part way.
func (s *Store) scanFrom(ctx context.Context, c cursor, first, maxRaw int, visit func(*esdb.RecordedEvent) bool) (bool, cursor, error) {
	count, seen := max(first, 2), 0
	for {
		var from *esdb.Position
		if c.set {
			p := c.pos
			from = &p
		}
		page, err := s.readAllPage(ctx, esdb.Forwards, from, uint64(count))
		if err != nil {
			return false, c, err
		}
		for _, r := range page {
			if c.set && !later(r.Position, c.pos) {
				continue // a read from a position includes the event at it
			}
			c = cursor{pos: r.Position, set: true}
			seen++
			if !visit(r) {
				return false, c, nil
			}
		}
		if len(page) < count {
			return true, c, nil
		}
		if maxRaw > 0 && seen >= maxRaw {
			return false, c, nil
		}
		count = pageSize
	}
}

// readAllPage reads up to count raw events of $all from position from (inclusive; nil: the start
// going forwards, the end going backwards).
func (s *Store) readAllPage(ctx context.Context, dir esdb.Direction, from *esdb.Position, count uint64) ([]*esdb.RecordedEvent, error) {
	var at esdb.AllPosition = esdb.Start{}
	if dir == esdb.Backwards {
		at = esdb.End{}
	}
	if from != nil {
		at = *from
	}
	var out []*esdb.RecordedEvent
	err := s.conn.call(ctx, func(ctx context.Context, cl *esdb.Client) error {
		rs, err := cl.ReadAll(ctx, esdb.ReadAllOptions{Direction: dir, From: at}, count)
		if err != nil {
			return err
		}
		defer rs.Close()
		return drain(rs, &out)
	})
	if err != nil {
		if from != nil && isInvalidPosition(err) {
			return nil, domain.Invalid("after", "%d is not a position of this KurrentDB log", from.Commit)
		}
		return nil, mapErr("read $all", err)
	}
	return out, nil
}

// readStreamRaw reads up to count raw events of the KurrentDB stream full. A missing or deleted
// stream reads as empty.
func (s *Store) readStreamRaw(ctx context.Context, full string, dir esdb.Direction, from esdb.StreamPosition, count uint64) ([]*esdb.RecordedEvent, error) {
	var out []*esdb.RecordedEvent
	err := s.conn.call(ctx, func(ctx context.Context, cl *esdb.Client) error {
		rs, err := cl.ReadStream(ctx, full, esdb.ReadStreamOptions{Direction: dir, From: from}, count)
		if err != nil {
			return err
		}
		defer rs.Close()
		return drain(rs, &out)
	})
	if isStreamGone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr("read stream", err)
	}
	return out, nil
}

// drain receives every event of a read into *out.
func drain(rs *esdb.ReadStream, out *[]*esdb.RecordedEvent) (err error) {
	defer recvPanic(&err)
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if r := ev.OriginalEvent(); r != nil {
			*out = append(*out, r)
		}
	}
}
