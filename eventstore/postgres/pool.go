package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// connPool is the small pool of reader connections.
//
// It stands in for pgxpool, which this module cannot build yet: pgxpool needs
// github.com/jackc/puddle/v2 and golang.org/x/sync, which go.mod does not require. The store
// needs little from a pool: a bounded number of connections, reuse of idle ones (so each keeps
// its prepared-statement cache), and dropping connections that broke. When one connection
// fails with a connection error all idle ones are dropped too, since after a server restart
// they are all dead; the next acquire dials afresh.
type connPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per connection that may exist

	mu     sync.Mutex
	idle   []*pgx.Conn
	closed bool
}

func newConnPool(cfg *pgx.ConnConfig, size int) *connPool {
	p := &connPool{cfg: cfg, slots: make(chan struct{}, size)}
	for range size {
		p.slots <- struct{}{}
	}
	return p
}

// acquire returns an idle connection or dials a new one. Errors: ctx.Err(), errClosed, or the
// dial error (the caller classifies it).
func (p *connPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case <-p.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.slots <- struct{}{}
		return nil, errClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := dial(ctx, p.cfg)
	if err != nil {
		p.slots <- struct{}{}
		return nil, err
	}
	return c, nil
}

// release gives c back. err is the outcome of the work done on it: a connection error, a
// closed connection or one left inside a transaction is closed instead of kept.
func (p *connPool) release(c *pgx.Conn, err error) {
	defer func() { p.slots <- struct{}{} }()
	broken := c.IsClosed() || c.PgConn().IsBusy() || c.PgConn().TxStatus() != 'I'
	p.mu.Lock()
	if p.closed || broken || isConnError(err) {
		var stale []*pgx.Conn
		if isConnError(err) {
			stale, p.idle = p.idle, nil
		}
		p.mu.Unlock()
		closeConn(c)
		for _, s := range stale {
			closeConn(s)
		}
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// close closes the idle connections; busy ones are closed when they are released.
func (p *connPool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		closeConn(c)
	}
}

// dial opens one connection with the store's connect timeout.
func dial(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, cfg.Copy())
}

// closeConn closes c without waiting long for a server that may be gone.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
