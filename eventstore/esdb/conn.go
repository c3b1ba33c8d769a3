package esdb

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// conn owns the KurrentDB client and replaces it when it dies.
//
// Why this exists (read in EventStore-Client-Go v4.2.0, esdb/impl.go): every call first asks the
// client's connection goroutine for a connection over an unbuffered channel. When that goroutine
// has to (re)discover the node and discovery fails (the server is down for more than about a
// second: 10 attempts 100 ms apart), it marks the client closed and exits for good. From then on
// every call fails with ErrorCodeConnectionClosed, and calls that were already waiting to send on
// the channel block forever, ignoring their context; closing that client would make those
// blocked sends panic. So conn:
//   - runs each call in its own goroutine and stops waiting when the caller's context ends or the
//     client is found dead (the goroutine may stay blocked inside the dead client: a small leak
//     in exchange for never hanging a caller);
//   - on the first sign of death retires the client (never closing it) and lets the next call
//     start a fresh one from the same configuration;
//   - on close waits for the calls running on the current client before closing it, and leaves
//     it open rather than risk the panic if they do not finish.
type conn struct {
	cfg *esdb.Configuration
	log *slog.Logger

	mu     sync.Mutex
	closed bool
	gen    *generation // nil: start a client at the next call
}

// generation is one client and the calls running on it.
type generation struct {
	client *esdb.Client
	users  sync.WaitGroup // Add only under conn.mu while this is conn.gen
	dead   chan struct{}  // closed when the client is retired
	once   sync.Once
}

// closeWait bounds how long close waits for in-flight calls.
const closeWait = 30 * time.Second

var errClosed = domain.Unavailable("the KurrentDB store is closed", nil)

func newConn(cfg *esdb.Configuration, log *slog.Logger) *conn {
	return &conn{cfg: cfg, log: log}
}

// acquire returns the current generation with one more user. Errors: unavailable after close,
// internal when the client cannot be created (a configuration the client rejects).
func (c *conn) acquire() (*generation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errClosed
	}
	if c.gen == nil {
		cl, err := esdb.NewClient(c.cfg)
		if err != nil {
			return nil, domain.Internal("cannot create the KurrentDB client", err)
		}
		c.gen = &generation{client: cl, dead: make(chan struct{})}
	}
	c.gen.users.Add(1)
	return c.gen, nil
}

// retire drops g if it is still current, so the next call starts a new client. The caller
// then closes g.dead, which releases the calls still waiting on g.
func (c *conn) retire(g *generation, cause error) {
	c.mu.Lock()
	current := c.gen == g
	if current {
		c.gen = nil
	}
	c.mu.Unlock()
	if current {
		c.log.Warn("the KurrentDB client gave up connecting; the next call starts a new one", "err", cause)
	}
}

// call runs fn with the current client. fn must not touch state the caller reads unless call
// returned fn's own result: when ctx ends or the client dies first, call returns unavailable
// at once and fn may still be running. The client's errors come back unmapped.
func (c *conn) call(ctx context.Context, fn func(ctx context.Context, cl *esdb.Client) error) error {
	g, err := c.acquire()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer g.users.Done()
		err := fn(ctx, g.client)
		dead := err != nil && clientDead(err)
		if dead {
			c.retire(g, err)
		}
		done <- err // before g.dead closes, so this call reports its own error
		if dead {
			g.once.Do(func() { close(g.dead) })
		}
	}()
	select {
	case err := <-done:
		return err
	case <-g.dead:
		select {
		case err := <-done:
			return err
		default:
			return domain.Unavailable("the KurrentDB client lost its connection: retry", nil)
		}
	case <-ctx.Done():
		return domain.Unavailable("KurrentDB did not answer before the context ended", ctx.Err())
	}
}

// close refuses new calls, waits up to closeWait for the running ones and closes the client
// (unless it dies meanwhile).
func (c *conn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	g := c.gen
	c.gen = nil
	c.mu.Unlock()
	if g == nil {
		return
	}
	idle := make(chan struct{})
	go func() {
		g.users.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		_ = g.client.Close() // always nil
	case <-g.dead:
		// Died while we waited: its stuck calls never finish, and closing it would panic them.
	case <-time.After(closeWait):
		c.log.Warn("KurrentDB calls still running at close; leaving the client open", "waited", closeWait)
	}
}
