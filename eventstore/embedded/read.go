package embedded

import (
	"context"
	"math"

	"github.com/cockroachdb/pebble/v2"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/feed"
)

// ReadAll returns up to limit durable events with position > after. Errors: internal when an
// event cannot be decoded (the error names its position).
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.RecordedEvent, error) {
	if !s.beginRead() {
		return nil, errClosed
	}
	defer s.closeMu.RUnlock()
	return s.readAll(ctx, after, limit)
}

// beginRead takes the read side of closeMu unless the store is closed; the caller releases it.
func (s *Store) beginRead() bool {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return false
	}
	return true
}

var errClosed = domain.Unavailable("embedded store is closed", nil)

func (s *Store) readAll(ctx context.Context, after uint64, limit int) ([]domain.RecordedEvent, error) {
	head := s.head.Load()
	if after >= head || limit <= 0 {
		return nil, nil
	}
	upper := head
	if uint64(limit) < head-after {
		upper = after + uint64(limit)
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: eventKey(after + 1), UpperBound: eventKey(upper + 1)})
	if err != nil {
		return nil, domain.Internal("embedded store: read", err)
	}
	defer it.Close()
	out := make([]domain.RecordedEvent, 0, upper-after)
	for ok := it.First(); ok; ok = it.Next() {
		pos := be64(it.Key()[1:])
		e, err := decodeEvent(pos, it.Value())
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	if err := it.Error(); err != nil {
		return out, domain.Internal("embedded store: read after position "+itoa(after), err)
	}
	return out, nil
}

// ReadStream returns up to limit events of stream with version >= from. Errors: invalid for a
// bad stream id, internal for damaged data.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64, limit int) ([]domain.RecordedEvent, error) {
	if err := domain.ValidateStreamID(stream); err != nil {
		return nil, err
	}
	from = max(from, 1)
	if !s.beginRead() {
		return nil, errClosed
	}
	defer s.closeMu.RUnlock()
	idx, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{
		LowerBound: streamKey(stream, 0), UpperBound: streamKey(stream, math.MaxUint64)})
	if err != nil {
		return nil, domain.Internal("embedded store: read stream", err)
	}
	defer idx.Close()
	head := s.head.Load()
	var out []domain.RecordedEvent
	// The entry holding version from is the last one that starts at or before it.
	ok := idx.SeekLT(streamKey(stream, from+1))
	if !ok {
		ok = idx.First()
	}
	for ; ok && len(out) < limit; ok = idx.Next() {
		first, count, err := streamEntry(idx.Key(), idx.Value())
		if err != nil {
			return out, err
		}
		firstPos := be64(idx.Value())
		skip := uint64(0)
		if from > first {
			skip = min(from-first, count)
		}
		n := min(count-skip, uint64(limit-len(out)))
		if n == 0 {
			continue
		}
		lo := firstPos + skip
		if lo+n-1 > head {
			break // written by a commit that is not yet durable
		}
		page, err := s.readAll(ctx, lo-1, int(n))
		if err != nil {
			return out, err
		}
		for i := range page {
			if page[i].StreamID != stream || page[i].Version != first+skip+uint64(i) {
				return out, domain.Internal("embedded store: stream "+stream+" index names position "+itoa(page[i].Position)+" which holds another event", nil)
			}
		}
		if uint64(len(page)) != n {
			return out, domain.Internal("embedded store: stream "+stream+" index names events that are missing", nil)
		}
		out = append(out, page...)
	}
	if err := idx.Error(); err != nil {
		return out, domain.Internal("embedded store: read stream", err)
	}
	return out, nil
}

// Subscribe delivers every event after position after, catch-up then live, until ctx ends or
// the store closes.
func (s *Store) Subscribe(ctx context.Context, after uint64) (domain.Subscription, error) {
	if s.closing.Err() != nil {
		return nil, errClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.closing, cancel)
	sub := feed.Subscribe(ctx, after, s.ReadAll, feed.Options{Wake: s.wake.Wait})
	return &storeSub{Subscription: sub, release: func() { stop(); cancel() }}, nil
}

// storeSub ties a subscription to the store's lifetime and lets go of that tie on Close.
type storeSub struct {
	domain.Subscription
	release func()
}

func (s *storeSub) Close() {
	s.Subscription.Close()
	s.release()
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
