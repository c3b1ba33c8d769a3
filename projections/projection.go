// Package projections is the read side of DESIGN.md §2: a runner that catches up from the
// log and then follows it live, feeding every registered projection, and the rebuildable read
// models built on it (the case list, task queues and live map layers).
//
// A projection is durable when it is registered with a Sink: each batch of its writes is
// stored together with its checkpoint (the last applied global position) in one atomic write,
// so a crash never applies an event twice or skips one, and a restart resumes from the
// checkpoint. A projection without a sink is in memory: it starts from position 0 on every
// start (the indicator engine runs so).
package projections

import (
	"context"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// Event is one log event as projections see it. Case events are decoded once, by the runner,
// and the same decoded event is handed to every projection: decoding is the costly part of a
// replay, so no projection decodes on its own. Being shared, an Event and what it points to
// are read-only.
type Event struct {
	domain.RecordedEvent
	// CaseID is the case of a case stream's event ("" for other streams).
	CaseID string
	// Case is the decoded case event, nil for events that are no case events.
	Case *cases.Event
	// DecodeErr is set when a case event does not decode (domain.Internal): a projection that
	// needs the event returns it and stops; others may ignore it.
	DecodeErr error
}

// Projection turns events into a read model. Apply is called once per event, in global
// order, from one goroutine; tx is the batch's write transaction for a durable projection and
// nil for an in-memory one. An Apply that fails stops the projection at that event (the
// runner records it); Apply should leave the read model as it was when it fails, so that
// what was applied before is exactly what the checkpoint says.
type Projection interface {
	Name() string
	Apply(tx Tx, e *Event) error
}

// Flusher is implemented by projections that gather their writes during a batch and write
// each changed row once at its end (the case list does: a case changed by ten events of a
// batch is written once). Flush is called before the batch commits; tx is nil in memory.
type Flusher interface {
	Flush(tx Tx) error
}

// Loader is implemented by durable projections that serve from an in-memory mirror of their
// rows: Load empties the mirror and fills it from the sink before the runner resumes from the
// checkpoint, and again after a failed commit (the mirror may then be ahead of the sink).
type Loader interface {
	Load(ctx context.Context, rows Scanner) error
}

// Resetter is implemented by in-memory projections: Reset empties their state before the
// runner feeds them from position 0.
type Resetter interface {
	Reset()
}

// Scanner reads a projection's stored rows.
type Scanner interface {
	// Scan calls fn for every row of projection in key order; fn's value is valid only during
	// the call. Errors: whatever fn returns, unavailable or internal from the sink.
	Scan(ctx context.Context, projection string, fn func(key string, value []byte) error) error
}

// Sink stores read models: rows of JSON values by key, per projection, and each projection's
// checkpoint. pebblesink and pgsink implement it; sinktest is their one contract suite.
type Sink interface {
	Scanner
	// Begin starts a write transaction for projection. Errors: invalid for a bad name,
	// unavailable when the sink cannot be reached.
	Begin(ctx context.Context, projection string) (Tx, error)
	// Checkpoint returns the last position committed for projection (0 for none). Errors:
	// invalid, unavailable, internal.
	Checkpoint(ctx context.Context, projection string) (uint64, error)
	// Drop deletes a projection's rows and checkpoint, for a rebuild. Errors: invalid,
	// unavailable, internal.
	Drop(ctx context.Context, projection string) error
	// Close releases the sink.
	Close() error
}

// Tx is one batch of writes of one projection. Nothing is visible until Commit, which stores
// the writes and the checkpoint atomically; a later write of a key wins over an earlier one.
type Tx interface {
	// Put stores value (a JSON document) at key. Errors: invalid for an empty key or a value
	// that is not JSON (the PostgreSQL sink keeps values as jsonb).
	Put(key string, value []byte) error
	// Delete removes key. Errors: invalid for an empty key.
	Delete(key string) error
	// Commit stores the writes and sets the checkpoint to position, all or nothing. Errors:
	// conflict when position is below the stored checkpoint (two writers on one projection),
	// unavailable (retry the batch), internal.
	Commit(ctx context.Context, position uint64) error
	// Rollback drops the writes; it is a no-op after Commit.
	Rollback()
}
