// Package esdb is the event store on a KurrentDB (formerly EventStoreDB) server, through
// EventStore-Client-Go v4. It needs EventStoreDB 22.10 or later (stream reads must report $all
// positions).
//
// How our model maps onto KurrentDB:
//   - Streams are KurrentDB streams named Options.StreamPrefix + our stream id; ids come back
//     without the prefix. Versions start at 1, KurrentDB revisions at 0: version = revision + 1.
//   - Positions are commit positions in $all. They increase with the log but are byte offsets,
//     so they have gaps (the contract suite runs with GapFree false). KurrentDB writes every
//     event of a gRPC append as its own self-committed record, so each event has its own
//     position and commit = prepare.
//   - Events are JSON with our UUID as the KurrentDB event id; occurred-at, schema version and
//     the metadata (actor, channel, correlation and causation ids) travel in the user metadata
//     (see eventMeta). Recorded-at is the server's created date. Ids come back in lower case.
//   - There is no hash chain (the suite runs with HashChain false): PrevHash and Hash stay zero.
//     A chain over the global order needs one sequencer that assigns positions and hashes in
//     order; here the server assigns positions and we do not control its writer, so a chain
//     would cost a read-before-write on every append across all writers. KurrentDB guards its
//     own files with chunk checksums instead.
//   - Reads and subscriptions see only streams under the prefix and skip system events
//     ($-prefixed streams and event types). Subscriptions filter on the server; ReadAll and
//     Stats filter in this process because the client's ReadAll has no filter option (see
//     read.go for what that costs on a shared server).
package esdb

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// Options tune the store. Zero values take the defaults.
type Options struct {
	// Logger receives reconnects and dropped subscriptions; default slog.Default().
	Logger *slog.Logger
	// StreamPrefix is put in front of every stream id in KurrentDB, so that several stores (or
	// test runs) can share one server; default empty. It must be a valid stream id itself.
	StreamPrefix string
	// IdempotencyWindow is how many of a stream's latest events an append looks through for
	// event ids that are already stored, when it cannot look at the exact place (see Append);
	// default 1000.
	IdempotencyWindow int
}

const defaultIdempotencyWindow = 1000

// Store is an event store on a KurrentDB server. It is safe for concurrent use.
type Store struct {
	conn   *conn
	log    *slog.Logger
	prefix string
	window int

	mu     sync.Mutex
	closed bool
	subs   sync.WaitGroup // running subscriptions; Add under mu while open
	stop   context.Context
	cancel context.CancelFunc

	floorMu sync.Mutex
	floor   cursor // no event of ours lies at or before it in $all (see read.go)

	statsMu sync.Mutex
	stats   statsState
}

var _ domain.EventStore = (*Store)(nil)

// Open connects to the KurrentDB server at url, an esdb://, esdb+discover://, kurrentdb:// or
// kurrentdb+discover:// connection string (for example esdb://127.0.0.1:2113?tls=false), and
// checks that it answers a read of $all. Errors: invalid for a bad url or option; unavailable
// when the server cannot be reached before ctx ends; internal when it refuses the credentials.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.StreamPrefix != "" {
		if err := domain.ValidateStreamID(opts.StreamPrefix); err != nil {
			return nil, domain.Invalid("streamPrefix", "%q must be a valid stream id: %v", opts.StreamPrefix, err)
		}
	}
	if opts.IdempotencyWindow < 0 {
		return nil, domain.Invalid("idempotencyWindow", "%d is negative", opts.IdempotencyWindow)
	}
	if opts.IdempotencyWindow == 0 {
		opts.IdempotencyWindow = defaultIdempotencyWindow
	}
	cfg, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With("store", "kurrentdb")
	cfg.Logger = func(level, format string, args ...any) {
		log.Debug("client: "+fmt.Sprintf(format, args...), "clientLevel", level)
	}
	s := &Store{
		conn:   newConn(cfg, log),
		log:    log,
		prefix: opts.StreamPrefix,
		window: opts.IdempotencyWindow,
	}
	s.stop, s.cancel = context.WithCancel(context.Background())
	if _, err := s.readAllPage(ctx, esdb.Backwards, nil, 1); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close ends the subscriptions, waits for in-flight appends and reads (up to 30 s), and closes
// the client. It always returns nil; later calls fail as unavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.subs.Wait()
	s.conn.close()
	return nil
}
