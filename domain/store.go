package domain

import "context"

// EventStore is the port every store adapter implements (DESIGN.md §5). Positions are global,
// gap-free and start at 1; "after" arguments are exclusive, so a checkpoint is the position of
// the last event handled.
type EventStore interface {
	// Append writes events to stream all or nothing if the stream is at expected. Errors:
	// invalid or too_large (nothing written), conflict (wrong expected version, or some event id
	// stored elsewhere), unavailable (backing service down: retry with the same ids).
	// Re-appending events whose ids are all stored returns the original result and writes nothing.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events []EventData) (AppendResult, error)
	// ReadStream returns up to limit events of stream with version >= from, in version order.
	// A stream that does not exist reads as empty.
	ReadStream(ctx context.Context, stream string, from uint64, limit int) ([]RecordedEvent, error)
	// ReadAll returns up to limit events with position > after, in global order.
	ReadAll(ctx context.Context, after uint64, limit int) ([]RecordedEvent, error)
	// Subscribe delivers every event with position > after, catch-up then live, in global
	// order, each exactly once, until ctx ends or Close is called.
	Subscribe(ctx context.Context, after uint64) (Subscription, error)
	// Stats describes the store for status pages.
	Stats(ctx context.Context) (StoreStats, error)
	// Close finishes in-flight appends and releases the store.
	Close() error
}

// Subscription is a live feed of the log. Events is closed when the subscription ends; Err
// then says why (nil after Close or a cancelled context).
type Subscription interface {
	Events() <-chan RecordedEvent
	Err() error
	Close()
}

// StoreStats is what a status page shows about a store.
type StoreStats struct {
	Kind         string `json:"kind"`
	Events       uint64 `json:"events"`
	Streams      uint64 `json:"streams"`
	LastPosition uint64 `json:"lastPosition"`
}
