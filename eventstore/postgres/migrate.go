package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrations are applied in order, each once, in one transaction per start. Never edit a
// migration that has shipped: add a new one. "{s}" stands for the quoted schema name.
//
// data is bytea, not jsonb: jsonb reorders keys and drops whitespace, and the hash chain
// covers the exact bytes the caller gave. event_id is a uuid for a compact unique index;
// id_text keeps the id as given when it is not in canonical lower case, so the id (which the
// hash covers) reads back unchanged.
var migrations = []string{
	1: `
CREATE TABLE {s}.events (
	position       bigint      PRIMARY KEY,
	stream_id      text        NOT NULL,
	version        bigint      NOT NULL,
	event_id       uuid        NOT NULL UNIQUE,
	id_text        text,
	type           text        NOT NULL,
	schema_version bigint      NOT NULL,
	occurred_at    timestamptz NOT NULL,
	recorded_at    timestamptz NOT NULL,
	data           bytea       NOT NULL,
	actor          text        NOT NULL,
	channel        text        NOT NULL,
	correlation_id text        NOT NULL,
	causation_id   text        NOT NULL,
	prev_hash      bytea       NOT NULL,
	hash           bytea       NOT NULL,
	UNIQUE (stream_id, version)
);
CREATE TABLE {s}.streams (
	stream_id text   PRIMARY KEY,
	version   bigint NOT NULL
);
CREATE TABLE {s}.head (
	one      boolean PRIMARY KEY DEFAULT true CHECK (one),
	position bigint  NOT NULL,
	hash     bytea   NOT NULL,
	streams  bigint  NOT NULL
);
INSERT INTO {s}.head (position, hash, streams) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000', 0);
-- require_head fails the statement (and so the transaction) that moves the head from a
-- place it no longer is: an append must never build on a head another writer has moved.
CREATE FUNCTION {s}.require_head(moved boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF NOT moved THEN
		RAISE EXCEPTION 'the head has moved: another writer appended' USING ERRCODE = 'CY001';
	END IF;
	RETURN true;
END
$$;
`,
}

// migrate creates the schema and brings it to the newest version. It holds a transaction-level
// advisory lock keyed on the schema name, so two processes starting at once take turns and the
// second finds the work done. Errors come back unclassified.
func migrate(ctx context.Context, conn *pgx.Conn, schema string) error {
	s := pgx.Identifier{schema}.Sanitize()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("migrate", schema)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+s); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s+`.migrations (
	version    integer     PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+s+`.migrations`).Scan(&current); err != nil {
		return err
	}
	if current >= len(migrations) {
		return fmt.Errorf("schema %s is at migration %d, newer than this program knows (%d)", schema, current, len(migrations)-1)
	}
	for v := current + 1; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, strings.ReplaceAll(migrations[v], "{s}", s)); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s+`.migrations (version) VALUES ($1)`, v); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// lockKey derives an advisory lock key for purpose within schema.
func lockKey(purpose, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("chengyun:" + purpose + ":" + schema))
	return int64(h.Sum64())
}
