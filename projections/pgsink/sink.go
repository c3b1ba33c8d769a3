// Package pgsink stores read models in PostgreSQL tables of one schema, in the same database as
// the event store (cmd/chengyun uses "<pg-schema>_rm"):
//
//	rows(projection text, key text, value jsonb, primary key (projection, key))
//	checkpoints(projection text primary key, position bigint)
//
// A batch's rows and its checkpoint are written in one transaction, so a crash leaves either
// the whole batch or none of it.
package pgsink

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/valyala/fastjson"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/projections"
)

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// Sink is a schema of read models. It is safe for concurrent use.
type Sink struct {
	pool   *pgxpool.Pool
	schema string
	q      statements
}

type statements struct {
	lockCheckpoint, readCheckpoint, setCheckpoint, deleteRows, upsertRows, scan, dropRows, dropCheckpoint string
}

func newStatements(schema string) statements {
	s := pgx.Identifier{schema}.Sanitize()
	return statements{
		// The insert makes sure there is a row to lock, so two writers of one projection
		// serialise on it even before its first commit.
		lockCheckpoint: `INSERT INTO ` + s + `.checkpoints (projection, position) VALUES ($1, 0)
			ON CONFLICT (projection) DO UPDATE SET position = ` + s + `.checkpoints.position RETURNING position`,
		readCheckpoint: `SELECT position FROM ` + s + `.checkpoints WHERE projection = $1`,
		setCheckpoint:  `UPDATE ` + s + `.checkpoints SET position = $2 WHERE projection = $1`,
		deleteRows:     `DELETE FROM ` + s + `.rows WHERE projection = $1 AND key = ANY($2::text[])`,
		upsertRows: `INSERT INTO ` + s + `.rows (projection, key, value)
			SELECT $1, k, v::jsonb FROM unnest($2::text[], $3::text[]) AS t(k, v)
			ON CONFLICT (projection, key) DO UPDATE SET value = EXCLUDED.value`,
		scan:           `SELECT key, value::text FROM ` + s + `.rows WHERE projection = $1 ORDER BY key COLLATE "C"`,
		dropRows:       `DELETE FROM ` + s + `.rows WHERE projection = $1`,
		dropCheckpoint: `DELETE FROM ` + s + `.checkpoints WHERE projection = $1`,
	}
}

// Open connects to url and creates the schema and its tables when missing. Errors: invalid
// for a bad URL or schema name, unavailable when the server cannot be reached, internal when
// the tables cannot be made.
func Open(ctx context.Context, url, schema string) (*Sink, error) {
	if !schemaName.MatchString(schema) {
		return nil, domain.Invalid("schema", "%q: use lower-case letters, digits and _, at most 48 bytes, not starting with a digit", schema)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, domain.Invalid("url", "%v", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConns = 4
	cfg.ConnConfig.RuntimeParams["application_name"] = "chengyun-projections"
	// A read model need not wait for its commit to reach the disk: the transaction is atomic
	// either way, and a batch lost to a server crash is replayed from the older checkpoint.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, classify(nil, "connect", err)
	}
	s := &Sink{pool: pool, schema: schema, q: newStatements(schema)}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sink) migrate(ctx context.Context) error {
	id := pgx.Identifier{s.schema}.Sanitize()
	// Serialised with an advisory lock: two processes starting at once would otherwise race
	// on CREATE ... IF NOT EXISTS and one would fail on the catalog's unique index.
	stmts := []string{
		`SELECT pg_advisory_xact_lock(hashtext('chengyun-projections-migrate'))`,
		`CREATE SCHEMA IF NOT EXISTS ` + id,
		`CREATE TABLE IF NOT EXISTS ` + id + `.rows (projection text NOT NULL, key text NOT NULL, value jsonb NOT NULL, PRIMARY KEY (projection, key))`,
		`CREATE TABLE IF NOT EXISTS ` + id + `.checkpoints (projection text PRIMARY KEY, position bigint NOT NULL)`,
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	return classify(nil, "create schema "+s.schema, err)
}

// Close closes the connections; it always returns nil.
func (s *Sink) Close() error {
	s.pool.Close()
	return nil
}

func checkName(name string) error {
	if !projections.ValidName(name) {
		return domain.Invalid("projection", "%q is not a projection name", name)
	}
	return nil
}

// Checkpoint returns the last committed position of projection. Errors: invalid,
// unavailable, internal.
func (s *Sink) Checkpoint(ctx context.Context, projection string) (uint64, error) {
	if err := checkName(projection); err != nil {
		return 0, err
	}
	var pos int64
	err := s.pool.QueryRow(ctx, s.q.readCheckpoint, projection).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, classify(ctx, "read checkpoint of "+projection, err)
	}
	return uint64(pos), nil
}

// Scan calls fn for every row of projection in key order (byte order, as the Pebble sink).
// Errors: invalid, unavailable, internal, or what fn returns.
func (s *Sink) Scan(ctx context.Context, projection string, fn func(key string, value []byte) error) error {
	if err := checkName(projection); err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, s.q.scan, projection)
	if err != nil {
		return classify(ctx, "scan "+projection, err)
	}
	defer rows.Close()
	var key string
	var value []byte
	for rows.Next() {
		if err := rows.Scan(&key, &value); err != nil {
			return classify(ctx, "scan "+projection, err)
		}
		if err := fn(key, value); err != nil {
			return err
		}
	}
	return classify(ctx, "scan "+projection, rows.Err())
}

// Drop deletes projection's rows and checkpoint in one transaction. Errors: invalid,
// unavailable, internal.
func (s *Sink) Drop(ctx context.Context, projection string) error {
	if err := checkName(projection); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.q.dropCheckpoint, projection); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, s.q.dropRows, projection)
		return err
	})
	return classify(ctx, "drop "+projection, err)
}

// Begin starts a batch of projection's writes; they are kept in memory until Commit, which
// sends them in one transaction of four statements whatever the batch's size. Errors: invalid.
func (s *Sink) Begin(_ context.Context, projection string) (projections.Tx, error) {
	if err := checkName(projection); err != nil {
		return nil, err
	}
	return &tx{s: s, name: projection, writes: map[string]*string{}}, nil
}

type tx struct {
	s      *Sink
	name   string
	writes map[string]*string // key → value; nil deletes
	done   bool
}

func (t *tx) Put(key string, value []byte) error {
	if key == "" {
		return domain.Invalid("key", "is empty")
	}
	if err := fastjson.ValidateBytes(value); err != nil {
		return domain.Invalid("value", "of %s is not JSON: %v", key, err)
	}
	v := string(value)
	t.writes[key] = &v
	return nil
}

func (t *tx) Delete(key string) error {
	if key == "" {
		return domain.Invalid("key", "is empty")
	}
	t.writes[key] = nil
	return nil
}

func (t *tx) Rollback() { t.done = true }

// Commit locks the projection's checkpoint row, refuses a stale batch, writes the rows and
// moves the checkpoint, in one transaction.
func (t *tx) Commit(ctx context.Context, position uint64) error {
	if t.done {
		return domain.Internal("projection sink: commit after commit or rollback", nil)
	}
	t.done = true
	var dels, keys, vals []string
	for k, v := range t.writes {
		if v == nil {
			dels = append(dels, k)
		} else {
			keys, vals = append(keys, k), append(vals, *v)
		}
	}
	q := t.s.q
	err := pgx.BeginFunc(ctx, t.s.pool, func(tx pgx.Tx) error {
		var stored int64
		if err := tx.QueryRow(ctx, q.lockCheckpoint, t.name).Scan(&stored); err != nil {
			return err
		}
		if position <= uint64(stored) {
			return domain.Conflict("checkpoint", "%s is at %d already; a batch up to %d is stale (another writer?)", t.name, stored, position)
		}
		if len(dels) > 0 {
			if _, err := tx.Exec(ctx, q.deleteRows, t.name, dels); err != nil {
				return err
			}
		}
		if len(keys) > 0 {
			if _, err := tx.Exec(ctx, q.upsertRows, t.name, keys, vals); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, q.setCheckpoint, t.name, int64(position))
		return err
	})
	return classify(ctx, "commit "+t.name, err)
}
