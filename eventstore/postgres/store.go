// Package postgres is the PostgreSQL adapter of the event store port (DESIGN.md §5), on pgx/v5.
//
// # Global order without sequence gaps
//
// A position taken from a PostgreSQL sequence is handed out before its transaction commits, so
// transactions commit out of position order and a reader can see position N+1 while N is still
// in flight: a subscriber that moved past N+1 would skip N forever. The usual cures read only
// below a horizon of transaction ids still running (xmin / pg_snapshot_xmin) or tolerate holes.
//
// This adapter serialises position assignment instead. Every append transaction first locks the
// single row of the head table (SELECT … FOR UPDATE), reads the last position and hash, gives
// its events the next positions, seals them into the hash chain, writes them, moves the head and
// commits. The lock is held until commit, and PostgreSQL makes a commit visible before it
// releases the transaction's locks, so the next appender can only start once the previous
// commit is visible: a reader never sees N+1 without N, and positions are gap-free. The hash
// chain needs the previous event's hash to seal the next event anyway, which already forces
// appends into one line; given that, serialising costs nothing more, and it makes positions
// gap-free for free, where a read horizon would add bookkeeping and still leave holes.
//
// To keep one line fast, the appends of a process are grouped: one batcher goroutine drains
// every pending append into a single transaction (group commit), so one lock, one round of
// writes and one WAL flush serve many callers. The batcher also remembers where its last
// commit left the head and the versions of the streams it has seen; while no other process
// has written since, a batch is decided in memory and sent in one round trip whose first
// statement fails unless the head is still where the batcher left it, and whose unique keys
// (event id; stream and version) refuse any guess that was wrong. Otherwise, or when that
// round trip is refused, the batch takes the slow path: lock the head, read, decide, write.
//
// Connections: a pgxpool for reads, one connection for the batcher and one
// for LISTEN. A lost connection is replaced on next use, so the store rides out a database
// restart: calls fail as unavailable meanwhile and work again once the server is back.
package postgres

import (
	"context"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/feed"
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	// Schema is the PostgreSQL schema that holds the store's tables; default "chengyun". It
	// is created and migrated at Open. Lower-case letters, digits and _, at most 48 bytes.
	Schema string
	// Logger receives reconnects and other operational events; default slog.Default().
	Logger *slog.Logger
	// PollInterval is how often a caught-up subscription reads even without a notification;
	// default 1 s.
	PollInterval time.Duration
	// ReadConns bounds the connections used by reads; default 4. Appends use one more, and
	// LISTEN one more.
	ReadConns int
}

// Store is an event store in a PostgreSQL schema. It is safe for concurrent use.
type Store struct {
	opts Options
	cfg  *pgx.ConnConfig
	sql  statements
	log  *slog.Logger
	pool *pgxpool.Pool // reader connections
	bc   *feed.Broadcaster
	q    *queue

	ctx    context.Context // ends at Close: stops the listener and subscriptions
	cancel context.CancelFunc
	done   sync.WaitGroup // batcher and listener goroutines

	closeOnce sync.Once
	// written is the last position this process committed: notifications up to it are its own.
	written atomic.Uint64
	// listens counts LISTEN sessions started (for tests of reconnection).
	listens atomic.Int64
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// Open connects to the database at url (a postgres:// URL or key=value DSN), creates and
// migrates opts.Schema, and starts the store. Errors: invalid (bad options or URL),
// unavailable (the server cannot be reached), internal (the migration failed).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Schema == "" {
		opts.Schema = "chengyun"
	}
	if !schemaName.MatchString(opts.Schema) {
		return nil, domain.Invalid("schema", "%q: use lower-case letters, digits and _, at most 48 bytes, not starting with a digit", opts.Schema)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, domain.Invalid("url", "%v", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "chengyun"
	}
	// Appends rely on READ COMMITTED: one that waited for the head lock must then see the
	// commit it waited for (see the package comment).
	cfg.RuntimeParams["default_transaction_isolation"] = "read committed"
	// An acknowledged append must survive a crash, whatever the server, role or database
	// default for synchronous_commit is.
	cfg.RuntimeParams["synchronous_commit"] = "on"
	// Failures here are classified without ctx: a server that did not answer before ctx's
	// deadline is unavailable, which says more than the bare deadline would.
	conn, err := dial(ctx, cfg)
	if err != nil {
		return nil, classify(context.Background(), "connect", err)
	}
	if err := migrate(ctx, conn, opts.Schema); err != nil {
		closeConn(conn)
		return nil, classify(context.Background(), "migrate schema "+opts.Schema, err)
	}
	poolCfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		closeConn(conn)
		return nil, domain.Invalid("url", "%v", err)
	}
	poolCfg.ConnConfig = cfg.Copy()
	poolCfg.MaxConns = int32(opts.ReadConns)
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		closeConn(conn)
		return nil, classify(context.Background(), "reader pool", err)
	}
	s := &Store{
		opts: opts,
		cfg:  cfg,
		sql:  newStatements(opts.Schema),
		log:  opts.Logger.With("component", "eventstore/postgres", "schema", opts.Schema),
		pool: pool,
		bc:   feed.NewBroadcaster(),
		q:    newQueue(),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	w := &writer{s: s, conn: conn}
	s.done.Add(2)
	go func() { defer s.done.Done(); w.run() }()
	go func() { defer s.done.Done(); s.listen() }()
	return s, nil
}

// Close stops taking appends (later ones get unavailable "store closed"), finishes the
// appends already queued, ends subscriptions and closes the connections. It always returns nil
// and may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.q.close()
		s.cancel()
		s.done.Wait()
		s.pool.Close()
	})
	return nil
}

// Subscribe delivers every event after position after, catch-up then live, in global order,
// each exactly once, until ctx ends, the subscription is closed or the store is closed. It
// wakes on the store's own commits and on NOTIFY from other processes, and polls every
// PollInterval besides; reads that fail as unavailable are retried, so a database restart
// pauses the feed without ending it. Errors: unavailable after Close.
func (s *Store) Subscribe(ctx context.Context, after uint64) (domain.Subscription, error) {
	if s.ctx.Err() != nil {
		return nil, errClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	context.AfterFunc(ctx, func() { stop() })
	sub := feed.Subscribe(ctx, after, s.ReadAll, feed.Options{Wake: s.bc.Wait, Poll: s.opts.PollInterval})
	return &subscription{Subscription: sub, cancel: cancel}, nil
}

type subscription struct {
	domain.Subscription
	cancel context.CancelFunc
}

func (s *subscription) Close() {
	s.cancel()
	s.Subscription.Close()
}

// Stats reports kind "postgres", the number of events and streams and the last position, from
// the head record (positions are gap-free, so the last position is the number of events).
// Errors: unavailable, internal.
func (s *Store) Stats(ctx context.Context) (domain.StoreStats, error) {
	var pos, streams int64
	err := s.withConn(ctx, "read stats", func(c *pgx.Conn) error {
		return c.QueryRow(ctx, s.sql.stats).Scan(&pos, &streams)
	})
	if err != nil {
		return domain.StoreStats{}, err
	}
	return domain.StoreStats{Kind: "postgres", Events: uint64(pos), Streams: uint64(streams), LastPosition: uint64(pos)}, nil
}

// Head returns the position and hash of the last event as the head record keeps them, for
// domain.VerifyChain to catch a log whose tail was cut off. Errors: unavailable, internal.
func (s *Store) Head(ctx context.Context) (uint64, domain.Hash, error) {
	var pos int64
	var raw []byte
	err := s.withConn(ctx, "read head", func(c *pgx.Conn) error {
		return c.QueryRow(ctx, s.sql.head).Scan(&pos, &raw)
	})
	if err != nil {
		return 0, domain.Hash{}, err
	}
	var h domain.Hash
	copy(h[:], raw)
	return uint64(pos), h, nil
}

// withConn runs f on a reader connection from the pool. When f fails with a connection error it runs once
// more on a fresh connection: reads are idempotent, and an idle connection may have died in a
// server restart that nobody noticed yet. Errors: classified (ctx.Err(), unavailable, internal).
func (s *Store) withConn(ctx context.Context, op string, f func(*pgx.Conn) error) error {
	for attempt := 0; ; attempt++ {
		if s.ctx.Err() != nil {
			return errClosed
		}
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			if s.ctx.Err() != nil {
				return errClosed
			}
			return classify(ctx, op, err)
		}
		err = f(c.Conn())
		if isConnError(err) && ctx.Err() == nil {
			// After a server restart every idle connection is dead: drop them all, not one
			// per failed read.
			_ = c.Conn().Close(context.Background())
			c.Release()
			s.pool.Reset()
		} else {
			c.Release()
		}
		if err == nil {
			return nil
		}
		if attempt == 0 && isConnError(err) && ctx.Err() == nil {
			continue
		}
		return classify(ctx, op, err)
	}
}

var (
	_ domain.EventStore   = (*Store)(nil)
	_ domain.HeadReporter = (*Store)(nil)
)
