package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chengyun/chengyun/domain"
)

// sqlStateHeadMoved is raised by require_head (see migrate.go).
const sqlStateHeadMoved = "CY001"

// transact runs the group-commit transaction for reqs: on the fast path when the writer knows
// the head, else (or when the fast path cannot settle the batch) on the slow path.
// maybeCommitted is true when the connection was lost after the commit may have reached the
// server, so that the outcome is unknown. Errors come back unclassified.
func (w *writer) transact(reqs []*request) (d decision, maybeCommitted bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	defer func() { w.lastUse = time.Now() }()
	if err := w.connect(ctx); err != nil {
		return d, false, err
	}
	if w.slowFor > 0 {
		w.slowFor--
	} else if w.head != nil {
		d, done, maybeCommitted, err := w.fast(ctx, reqs)
		if done || err != nil {
			return d, maybeCommitted, err
		}
		if err := w.connect(ctx); err != nil {
			return d, false, err
		}
	}
	return w.slow(ctx, reqs)
}

// connect makes sure the writer has a connection. One that sat idle for a while is pinged
// first: if the server restarted meanwhile it is dead, and finding out now, before a
// transaction is sent, spares the callers an append of unknown outcome.
func (w *writer) connect(ctx context.Context) error {
	if w.conn != nil && time.Since(w.lastUse) > idlePing {
		if err := w.conn.Ping(ctx); err != nil {
			closeConn(w.conn)
			w.conn = nil
		}
	}
	if w.conn != nil {
		return nil
	}
	c, err := dial(ctx, w.s.cfg)
	if err != nil {
		return err
	}
	w.conn = c
	return nil
}

// fast tries the batch in one round trip, deciding it against the writer's memory of the head
// (see tip for why a wrong guess cannot be written). done is false when the batch must go the
// slow path instead: the decision rests on a guess the database cannot confirm, or the
// database refused it (a stored event id, a stream that exists after all, another writer).
func (w *writer) fast(ctx context.Context, reqs []*request) (d decision, done, maybeCommitted bool, err error) {
	from := *w.head
	t := &tip{
		position: from.position, hash: from.hash, streams: from.streams,
		ids:        make(map[[16]byte]domain.StoredID),
		versions:   make(map[string]uint64, len(reqs)),
		assumed:    make(map[string]bool),
		guessedIDs: true,
	}
	for _, r := range reqs {
		if v, ok := w.versions[r.stream]; ok {
			t.versions[r.stream] = v
		} else {
			t.assumed[r.stream] = true
		}
	}
	d = decide(t, reqs, time.Now())
	if d.unsure || len(d.records) == 0 {
		return d, false, false, nil
	}
	err = w.write(ctx, false, from, t, d)
	switch {
	case err == nil:
		w.remember(t)
		return d, true, true, nil
	case refused(err):
		// The implicit transaction was rolled back: nothing was written.
		w.rollback(ctx)
		w.forget()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == sqlStateHeadMoved {
			w.slowFor = slowAfterMoved
		}
		return d, false, false, nil
	}
	return d, false, true, err
}

// refused reports whether err is the server turning a statement down (so that its
// transaction did not commit), as opposed to a lost connection, after which the outcome of a
// COMMIT already sent is unknown.
func refused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && !connSQLState(pgErr.Code)
}

// slow runs the batch in two round trips: lock the head and read what decide needs, then
// write and commit.
func (w *writer) slow(ctx context.Context, reqs []*request) (d decision, maybeCommitted bool, err error) {
	t, err := w.lockAndLoad(ctx, reqs)
	if err != nil {
		w.rollback(ctx)
		return d, false, err
	}
	from := headState{position: t.position, hash: t.hash, streams: t.streams}
	if w.head == nil || *w.head != from {
		w.forget() // someone else wrote: what this writer knew of the streams may be stale
	}
	d = decide(t, reqs, time.Now())
	if len(d.records) == 0 {
		// Only replays and conflicts, decided under the lock: they stand.
		w.rollback(ctx)
		w.remember(t)
		return d, false, nil
	}
	if err := w.write(ctx, true, from, t, d); err != nil {
		if refused(err) {
			w.rollback(ctx)
			return d, false, err
		}
		return d, true, err
	}
	w.remember(t)
	return d, true, nil
}

// lockAndLoad begins the transaction, takes the head lock and reads the head, the stored
// places of the batch's event ids and the versions of its streams.
func (w *writer) lockAndLoad(ctx context.Context, reqs []*request) (*tip, error) {
	total := 0
	for _, r := range reqs {
		total += len(r.ids)
	}
	ids := make([][16]byte, 0, total)
	streams := make([]string, 0, len(reqs))
	t := &tip{ids: make(map[[16]byte]domain.StoredID), versions: make(map[string]uint64, len(reqs))}
	for _, r := range reqs {
		ids = append(ids, r.ids...)
		if _, seen := t.versions[r.stream]; !seen {
			t.versions[r.stream] = 0
			streams = append(streams, r.stream)
		}
	}
	sql := &w.s.sql
	b := &pgx.Batch{}
	b.Queue(sql.begin)
	b.Queue(sql.lockHead)
	b.Queue(sql.findIDs, ids)
	b.Queue(sql.findStreams, streams)
	br := w.conn.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	var pos, nStreams int64
	var hash []byte
	if err := br.QueryRow().Scan(&pos, &hash, &nStreams); err != nil {
		return nil, err
	}
	if len(hash) != len(t.hash) {
		return nil, fmt.Errorf("the head record holds a hash of %d bytes, want %d: it is damaged", len(hash), len(t.hash))
	}
	t.position, t.streams = uint64(pos), uint64(nStreams)
	copy(t.hash[:], hash)

	var id [16]byte
	var stream string
	var version, position int64
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	_, err = pgx.ForEachRow(rows, []any{&id, &stream, &version, &position}, func() error {
		t.ids[id] = domain.StoredID{Found: true, Stream: stream, Version: uint64(version), Position: uint64(position)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = br.Query()
	if err != nil {
		return nil, err
	}
	_, err = pgx.ForEachRow(rows, []any{&stream, &version}, func() error {
		t.versions[stream] = uint64(version)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, br.Close()
}

// write sends, pipelined in one round trip, the writes of the batch: move the head from `from`
// to t (which fails if the head is no longer at `from`), insert the events, upsert the
// streams. In a transaction opened by lockAndLoad (the slow path) it ends with COMMIT. Without
// one (the fast path) the statements run as one implicit transaction, which PostgreSQL commits
// at the batch's Sync, or rolls back whole when any of them fails.
func (w *writer) write(ctx context.Context, inTx bool, from headState, t *tip, d decision) error {
	sql := &w.s.sql
	streams := make([]string, 0, len(d.streams))
	versions := make([]int64, 0, len(d.streams))
	for s, v := range d.streams {
		streams = append(streams, s)
		versions = append(versions, int64(v))
	}
	b := &pgx.Batch{}
	b.Queue(sql.moveHead, int64(t.position), t.hash[:], int64(t.streams),
		int64(from.position), from.hash[:], sql.channel, strconv.FormatUint(t.position, 10))
	b.Queue(sql.insertEvents, insertArgs(d)...)
	b.Queue(sql.upsertStream, streams, versions)
	if inTx {
		b.Queue("COMMIT")
	}
	br := w.conn.SendBatch(ctx, b)
	defer br.Close()
	var tag pgconn.CommandTag
	for range b.Len() {
		var err error
		if tag, err = br.Exec(); err != nil {
			return err
		}
	}
	if inTx && tag.String() != "COMMIT" {
		return fmt.Errorf("commit answered %q: the transaction was rolled back", tag.String())
	}
	return br.Close()
}

// rollback ends a transaction that will not commit; if that fails the connection is closed,
// which ends the transaction on the server as well.
func (w *writer) rollback(ctx context.Context) {
	if w.conn == nil || w.conn.IsClosed() || w.conn.PgConn().TxStatus() == 'I' {
		return
	}
	if _, err := w.conn.Exec(ctx, "ROLLBACK"); err != nil {
		closeConn(w.conn)
		w.conn = nil
	}
}
