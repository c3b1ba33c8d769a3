package embedded

import (
	"context"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Settle flushes the memtable and waits until Pebble has no flush or compaction running: after
// a bulk load (a backfill, a benchmark's fill) the LSM reorganises itself for a while, and
// what runs next would otherwise share the disk and the cores with it. Errors: unavailable
// when ctx ends first.
func (s *Store) Settle(ctx context.Context) error {
	if err := s.db.Flush(); err != nil {
		return domain.Unavailable("flush", err)
	}
	for {
		m := s.db.Metrics()
		if m.Compact.NumInProgress == 0 && m.Flush.NumInProgress == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return domain.Unavailable("settling the store", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
