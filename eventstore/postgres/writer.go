package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
)

const (
	// writeTimeout bounds one group-commit transaction, so a server that stops answering
	// (rather than refusing) fails the appends as unavailable instead of hanging them.
	writeTimeout = 30 * time.Second
	// maxKnownStreams bounds the writer's memory of stream versions; past it, it forgets them
	// all (which costs only a slower transaction for the next append to each).
	maxKnownStreams = 100_000
	// slowAfterMoved is how many batches take the slow path after another writer was found to
	// have moved the head, so that two active processes do not keep failing fast attempts.
	slowAfterMoved = 100
	// idlePing is how long the writer's connection may sit idle before it is checked.
	idlePing = time.Second
)

// headState is the head row: last position and hash, and the number of streams.
type headState struct {
	position uint64
	hash     domain.Hash
	streams  uint64
}

// writer is the batcher: the one goroutine of a store that writes. It owns its connection and
// its memory of the log's head, which lets most batches commit in one round trip (see tip).
type writer struct {
	s    *Store
	conn *pgx.Conn // nil after a connection failure: the next batch dials

	// head is where this writer left the head at its last commit, or nil when it does not
	// know (at start, after a failure, after another writer moved it). versions are the
	// stream versions it knows; they are exact for as long as the head is where it left it.
	head     *headState
	versions map[string]uint64
	slowFor  int
	lastTx   time.Duration
	lastUse  time.Time
}

// run drains the queue, one transaction per batch, until the store is closed and the queue is
// empty. Before taking a batch it gives the callers it just answered a moment to queue their
// next append (see queue.await).
func (w *writer) run() {
	defer func() {
		if w.conn != nil {
			closeConn(w.conn)
		}
	}()
	want := 1
	for {
		w.s.q.await(want, min(max(w.lastTx/2, 100*time.Microsecond), 2*time.Millisecond))
		batch, closed := w.s.q.take()
		if len(batch) == 0 {
			if closed {
				return
			}
			continue
		}
		w.commit(batch)
		want = len(batch) + w.s.q.len()
	}
}

// commit writes one batch and answers its callers. Callers whose ctx has ended are answered
// with ctx.Err() and left out. A transaction that failed before it could have committed, on a
// connection error, is tried once more on a fresh connection (the usual case after a server
// restart: the old connection is dead). A batch the server refused is written again append by
// append, so that only the offending one fails. Otherwise every caller of a failed
// transaction gets its error, unavailable or internal, and nothing is acknowledged.
func (w *writer) commit(batch []*request) {
	live := make([]*request, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.answer(domain.AppendResult{}, err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	for attempt := 0; ; attempt++ {
		start := time.Now()
		d, maybeCommitted, err := w.transact(live)
		w.lastTx = time.Since(start)
		if err != nil {
			w.forget()
			w.drop(err)
			if attempt == 0 && !maybeCommitted && isConnError(err) {
				continue
			}
			if refused(err) && len(live) > 1 {
				// One append the server refuses (say, text its encoding cannot hold) must
				// not fail the others it shared a transaction with: write them one by one.
				for _, r := range live {
					w.commit([]*request{r})
				}
				return
			}
			err = classify(context.Background(), "append", err)
			for _, r := range live {
				r.answer(domain.AppendResult{}, err)
			}
			return
		}
		for i, r := range live {
			o := d.outcomes[i]
			r.answer(o.res, o.err)
		}
		if n := len(d.records); n > 0 {
			w.s.written.Store(d.records[n-1].Position)
			w.s.bc.Notify()
		}
		return
	}
}

// remember records where a committed (or lock-holding, write-free) transaction left the head
// and the stream versions it learnt.
func (w *writer) remember(t *tip) {
	w.head = &headState{position: t.position, hash: t.hash, streams: t.streams}
	if w.versions == nil || len(w.versions)+len(t.versions) > maxKnownStreams {
		w.versions = make(map[string]uint64, len(t.versions))
	}
	for s, v := range t.versions {
		w.versions[s] = v
	}
}

// forget drops the writer's memory of the head: the next batch reads it under the lock.
func (w *writer) forget() {
	w.head = nil
	clear(w.versions)
}

// drop forgets the connection after a failed transaction unless it is clean and idle again.
func (w *writer) drop(err error) {
	if w.conn == nil {
		return
	}
	if isConnError(err) || w.conn.IsClosed() || w.conn.PgConn().TxStatus() != 'I' {
		closeConn(w.conn)
		w.conn = nil
	}
}
