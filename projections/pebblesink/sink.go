// Package pebblesink stores read models in a Pebble database of their own, beside the
// embedded event store (cmd/chengyun puts it in "<store dir>-projections"). Each batch of a
// projection is one Pebble batch holding its rows and its checkpoint, so a crash leaves either
// the whole batch or none of it.
package pebblesink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/valyala/fastjson"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/projections"
)

// Key layout: 'c' name → checkpoint (8 bytes, big-endian); 'r' name 0x00 key → row value.
// Names hold no 0x00 (projections.ValidName), so one projection's rows never run into another's.
const (
	tagCheckpoint = 'c'
	tagRow        = 'r'
)

// Sink is a Pebble database of read models. It is safe for concurrent use.
type Sink struct {
	db *pebble.DB
	// commitMu makes a commit's checkpoint check and its write one step, so two writers on
	// one projection cannot both pass the check.
	commitMu sync.Mutex
}

// Open opens (or creates) the sink in dir. Errors: unavailable when the directory cannot be
// opened (another process holds it: stop the server before a rebuild).
func Open(dir string, log *slog.Logger) (*Sink, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := pebble.Open(dir, &pebble.Options{FormatMajorVersion: pebble.FormatNewest, MemTableSize: 32 << 20, Logger: quietLogger{log}})
	if err != nil {
		return nil, domain.Unavailable("projection sink: cannot open "+dir, err)
	}
	return &Sink{db: db}, nil
}

// Close flushes the memtable and closes the database. Errors: internal.
func (s *Sink) Close() error {
	flushErr := s.db.Flush()
	if err := s.db.Close(); err != nil {
		return domain.Internal("projection sink: close", err)
	}
	if flushErr != nil {
		return domain.Internal("projection sink: flush on close", flushErr)
	}
	return nil
}

func checkName(name string) error {
	if !projections.ValidName(name) {
		return domain.Invalid("projection", "%q is not a projection name", name)
	}
	return nil
}

func checkpointKey(name string) []byte { return append([]byte{tagCheckpoint}, name...) }

func rowPrefix(name string) []byte {
	b := append([]byte{tagRow}, name...)
	return append(b, 0)
}

func rowKey(name, key string) []byte { return append(rowPrefix(name), key...) }

// prefixEnd is the first key after every key that starts with p (p ends in 0x00 or a name
// byte, never 0xff, so incrementing the last byte is enough).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	end[len(end)-1]++
	return end
}

// Checkpoint returns the last committed position of projection. Errors: invalid, internal.
func (s *Sink) Checkpoint(_ context.Context, projection string) (uint64, error) {
	if err := checkName(projection); err != nil {
		return 0, err
	}
	return s.checkpoint(projection)
}

func (s *Sink) checkpoint(projection string) (uint64, error) {
	v, closer, err := s.db.Get(checkpointKey(projection))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, domain.Internal("projection sink: read checkpoint of "+projection, err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, domain.Internal("projection sink: checkpoint of "+projection+" is damaged", nil)
	}
	return binary.BigEndian.Uint64(v), nil
}

// Scan calls fn for every row of projection in key order. Errors: invalid, internal, or
// what fn returns.
func (s *Sink) Scan(ctx context.Context, projection string, fn func(key string, value []byte) error) error {
	if err := checkName(projection); err != nil {
		return err
	}
	p := rowPrefix(projection)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: p, UpperBound: prefixEnd(p)})
	if err != nil {
		return domain.Internal("projection sink: scan "+projection, err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(string(it.Key()[len(p):]), it.Value()); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return domain.Internal("projection sink: scan "+projection, err)
	}
	return nil
}

// Drop deletes projection's rows and checkpoint in one synced batch. Errors: invalid, internal.
func (s *Sink) Drop(_ context.Context, projection string) error {
	if err := checkName(projection); err != nil {
		return err
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	p := rowPrefix(projection)
	_ = b.DeleteRange(p, prefixEnd(p), nil)
	_ = b.Delete(checkpointKey(projection), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return domain.Internal("projection sink: drop "+projection, err)
	}
	return nil
}

// Begin starts a batch of projection's writes. Errors: invalid.
func (s *Sink) Begin(_ context.Context, projection string) (projections.Tx, error) {
	if err := checkName(projection); err != nil {
		return nil, err
	}
	return &tx{s: s, name: projection, b: s.db.NewBatch()}, nil
}

type tx struct {
	s    *Sink
	name string
	b    *pebble.Batch
	done bool
}

func (t *tx) Put(key string, value []byte) error {
	if key == "" {
		return domain.Invalid("key", "is empty")
	}
	if err := fastjson.ValidateBytes(value); err != nil {
		return domain.Invalid("value", "of %s is not JSON: %v", key, err)
	}
	return t.b.Set(rowKey(t.name, key), value, nil)
}

func (t *tx) Delete(key string) error {
	if key == "" {
		return domain.Invalid("key", "is empty")
	}
	return t.b.Delete(rowKey(t.name, key), nil)
}

// Commit writes the batch with the checkpoint, synced. A Pebble batch is atomic in the
// write-ahead log with or without a sync, but an unsynced one may still sit in the process's
// buffers when it is killed; syncing once per batch (up to a thousand events in a catch-up)
// costs little and makes every checkpoint the runner reports one that survives a crash.
func (t *tx) Commit(_ context.Context, position uint64) error {
	if t.done {
		return domain.Internal("projection sink: commit after commit or rollback", nil)
	}
	t.done = true
	defer t.b.Close()
	t.s.commitMu.Lock()
	defer t.s.commitMu.Unlock()
	stored, err := t.s.checkpoint(t.name)
	if err != nil {
		return err
	}
	if position <= stored {
		return domain.Conflict("checkpoint", "%s is at %d already; a batch up to %d is stale (another writer?)", t.name, stored, position)
	}
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], position)
	if err := t.b.Set(checkpointKey(t.name), v[:], nil); err != nil {
		return domain.Internal("projection sink: write checkpoint", err)
	}
	if err := t.b.Commit(pebble.Sync); err != nil {
		return domain.Internal("projection sink: commit "+t.name, err)
	}
	return nil
}

func (t *tx) Rollback() {
	if !t.done {
		t.done = true
		_ = t.b.Close()
	}
}

// quietLogger sends Pebble's informational chatter to debug level.
type quietLogger struct{ l *slog.Logger }

func (q quietLogger) Infof(format string, args ...any) {
	q.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}
func (q quietLogger) Errorf(format string, args ...any) {
	q.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}
func (q quietLogger) Fatalf(format string, args ...any) {
	q.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
	panic(fmt.Sprintf(format, args...))
}
