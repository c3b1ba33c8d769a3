// Package embedded is the default event store: one data directory on Pebble, no server.
//
// All appends go through one sequencer goroutine (sequencer.go). It drains every append that is
// waiting into a single synced Pebble batch, checking expected versions against an in-memory
// index and assigning positions and hashes in order, so many concurrent writers share each
// fsync instead of queueing on it.
package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/feed"
)

// Options tune the store. Zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// MaxBatchEvents caps how many events one synced commit may hold (default 4096).
	MaxBatchEvents int
	// MustExist refuses to create a new store: for tools such as verify, which must not
	// report an empty store where a path was mistyped.
	MustExist bool
	// CacheBytes is Pebble's block cache (default 256 MiB): catch-up reads of a recent log are
	// served from it instead of decompressing blocks again.
	CacheBytes int64
}

// Store is the embedded event store. It is safe for concurrent use.
type Store struct {
	db   *pebble.DB
	dir  string
	log  *slog.Logger
	opts Options

	reqs chan *appendReq
	// closeMu is held for reading by senders on reqs and by reads of Pebble; Close takes it to
	// close reqs, and again to close Pebble once no read is running.
	closeMu sync.RWMutex
	closed  bool
	done    chan struct{}
	// closing ends every subscription when the store closes.
	closing    context.Context
	endClosing context.CancelFunc

	// Written by the sequencer only, after each durable commit.
	head    atomic.Uint64 // last durable position; readers never look past it
	streams atomic.Uint64
	headMu  sync.Mutex
	headH   domain.Hash

	// Owned by the sequencer goroutine: its view of the log including batches in flight, the
	// current version of recently used streams, and the filter of stored ids.
	seq      seqState
	versions map[string]uint64
	idf      *idFilter
	sf       *idFilter // of stream ids that have events: a new stream needs no index lookup
	syncq    chan *pendingBatch
	failed   atomic.Bool
	// lastAnswered is how many appends the last durable batch answered (see linger).
	lastAnswered atomic.Int64

	wake *feed.Broadcaster
}

// Open opens (or creates) the store in dir. Errors: unavailable when the directory cannot be
// opened (locked by another process, no permission), internal when its head cannot be read.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBatchEvents <= 0 {
		opts.MaxBatchEvents = 4096
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 256 << 20
	}
	if opts.MustExist {
		// Checked here: Pebble makes the directory before it looks for a store in it.
		if m, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*")); len(m) == 0 {
			return nil, domain.NotFound("store", "no embedded store at %s", dir)
		}
	}
	cache := pebble.NewCache(opts.CacheBytes)
	defer cache.Unref()
	popts := &pebble.Options{
		Cache:                 cache,
		FormatMajorVersion:    pebble.FormatNewest,
		MemTableSize:          64 << 20,
		L0CompactionThreshold: 4,
		Logger:                quietLogger{opts.Logger},
		ErrorIfNotExists:      opts.MustExist,
		// Damaged files must surface as read errors that verify reports, not end the process.
		EventListener: &pebble.EventListener{DataCorruption: func(info pebble.DataCorruptionInfo) {
			opts.Logger.Error("embedded store: damaged file", "path", info.Path, "err", info.Details)
		}},
	}
	// Bloom filters make the idempotency check (a Get per event id, almost always a miss) cheap.
	for i := range popts.Levels {
		popts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, popts)
	if err != nil {
		return nil, domain.Unavailable("embedded store: cannot open "+dir, err)
	}
	s := &Store{
		db: db, dir: dir, log: opts.Logger, opts: opts,
		reqs: make(chan *appendReq, 1024), done: make(chan struct{}), syncq: make(chan *pendingBatch),
		wake: feed.NewBroadcaster(), versions: make(map[string]uint64),
	}
	if err := s.loadHead(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if s.idf, err = loadIDFilter(db); err != nil {
		_ = db.Close()
		return nil, domain.Internal("embedded store: read id index", err)
	}
	if s.sf, err = loadStreamFilter(db); err != nil {
		_ = db.Close()
		return nil, domain.Internal("embedded store: read stream index", err)
	}
	s.closing, s.endClosing = context.WithCancel(context.Background())
	s.seq = seqState{head: s.head.Load(), prev: s.headH, streams: s.streams.Load()}
	go s.sequence()
	go s.syncBatches()
	return s, nil
}

func (s *Store) loadHead() error {
	if v, err := s.get(keyHead); err != nil {
		return err
	} else if v != nil {
		if len(v) != 40 {
			return domain.Internal("embedded store: head record damaged", nil)
		}
		s.head.Store(binary.BigEndian.Uint64(v))
		copy(s.headH[:], v[8:])
	}
	if v, err := s.get(keyStreams); err != nil {
		return err
	} else if len(v) == 8 {
		s.streams.Store(binary.BigEndian.Uint64(v))
	}
	return nil
}

// get returns a copy of the value at key, or nil when there is none.
func (s *Store) get(key []byte) ([]byte, error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, domain.Internal("embedded store: read failed", err)
	}
	out := append([]byte(nil), v...)
	_ = closer.Close()
	return out, nil
}

// Stats reports the log's size.
func (s *Store) Stats(context.Context) (domain.StoreStats, error) {
	h := s.head.Load()
	return domain.StoreStats{Kind: "embedded", Events: h, Streams: s.streams.Load(), LastPosition: h}, nil
}

// Head returns the head record (last durable position and its hash) for domain.VerifyChain.
func (s *Store) Head(context.Context) (uint64, domain.Hash, error) {
	s.headMu.Lock()
	defer s.headMu.Unlock()
	return s.head.Load(), s.headH, nil
}

// Close stops taking appends, finishes the ones already queued (they are made durable and
// answered), ends subscriptions, and closes the files. Appends and reads after Close get an
// unavailable error.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.endClosing()
	s.closeMu.Unlock()
	<-s.done
	// Pebble panics on use after close: wait for reads still running, and keep new ones out.
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	// Flushing moves the log from the WAL into sorted tables, so the next open replays nothing.
	flushErr := s.db.Flush()
	if err := s.db.Close(); err != nil {
		return domain.Internal("embedded store: close", err)
	}
	if flushErr != nil {
		return domain.Internal("embedded store: flush on close", flushErr)
	}
	return nil
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
