package postgres

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// eventColumns are the columns of an event row in the order every statement uses.
const eventColumns = `position, stream_id, version, event_id, id_text, type, schema_version, occurred_at, recorded_at,
	data, actor, channel, correlation_id, causation_id, prev_hash, hash`

// statements holds the SQL of one store, with its schema's name spelled into every table name
// (so each store's statements are distinct in pgx's prepared-statement cache).
type statements struct {
	channel string // NOTIFY channel, "chengyun_<schema>"
	listen  string

	// The append transaction. Slow path, two round trips: begin, lock the head, look up the
	// batch's ids and streams; then move the head, insert, upsert the streams and commit. Fast
	// path, one round trip: begin, move the head, insert, upsert and commit.
	begin        string
	lockHead     string
	findIDs      string
	findStreams  string
	insertEvents string
	upsertStream string
	moveHead     string

	readAll    string
	readStream string
	head       string
	stats      string
}

func newStatements(schema string) statements {
	s := pgx.Identifier{schema}.Sanitize()
	r := strings.NewReplacer("{s}", s, "{cols}", eventColumns)
	channel := "chengyun_" + schema
	return statements{
		channel: channel,
		listen:  "LISTEN " + pgx.Identifier{channel}.Sanitize(),

		begin:    "BEGIN ISOLATION LEVEL READ COMMITTED",
		lockHead: r.Replace(`SELECT position, hash, streams FROM {s}.head FOR UPDATE`),
		// The lookups join against unnest rather than use "= ANY($1)": after a few runs of a
		// prepared statement PostgreSQL may switch to a generic plan, and for "= ANY" of an
		// unknown array that plan can be a sequential scan of the whole log.
		findIDs: r.Replace(`SELECT e.event_id, e.stream_id, e.version, e.position
FROM unnest($1::uuid[]) AS k(id) JOIN {s}.events e ON e.event_id = k.id`),
		findStreams: r.Replace(`SELECT s.stream_id, s.version
FROM unnest($1::text[]) AS k(id) JOIN {s}.streams s ON s.stream_id = k.id`),
		insertEvents: r.Replace(`INSERT INTO {s}.events ({cols})
SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::bigint[],
	$8::timestamptz[], $9::timestamptz[], $10::bytea[], $11::text[], $12::text[], $13::text[], $14::text[],
	$15::bytea[], $16::bytea[])`),
		upsertStream: r.Replace(`INSERT INTO {s}.streams (stream_id, version)
SELECT * FROM unnest($1::text[], $2::bigint[])
ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version`),
		// moveHead moves the head from where the batch found it ($4, $5) to its new place
		// and queues the notification; it fails with SQLSTATE CY001 when the head is no
		// longer where the batch found it.
		moveHead: r.Replace(`WITH moved AS (
	UPDATE {s}.head SET position = $1, hash = $2, streams = $3 WHERE position = $4 AND hash = $5 RETURNING 1
)
SELECT {s}.require_head(EXISTS (SELECT FROM moved)), pg_notify($6, $7)`),

		readAll:    r.Replace(`SELECT {cols} FROM {s}.events WHERE position > $1 ORDER BY position LIMIT $2`),
		readStream: r.Replace(`SELECT {cols} FROM {s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`),
		head:       r.Replace(`SELECT position, hash FROM {s}.head`),
		stats:      r.Replace(`SELECT position, streams FROM {s}.head`),
	}
}

// insertArgs spreads the batch's records into the column arrays of insertEvents.
func insertArgs(d decision) []any {
	n := len(d.records)
	var (
		positions, versions      = make([]int64, n), make([]int64, n)
		streams, types           = make([]string, n), make([]string, n)
		idTexts                  = make([]*string, n)
		schemaVersions           = make([]int64, n)
		occurred, recorded       = make([]time.Time, n), make([]time.Time, n)
		data, prevHashes, hashes = make([][]byte, n), make([][]byte, n), make([][]byte, n)
		actors, channels         = make([]string, n), make([]string, n)
		correlations, causes     = make([]string, n), make([]string, n)
	)
	for i := range d.records {
		e := &d.records[i]
		positions[i], versions[i] = int64(e.Position), int64(e.Version)
		streams[i], types[i] = e.StreamID, e.Type
		if e.ID != uuid.UUID(d.ids[i]).String() {
			idTexts[i] = &e.ID
		}
		schemaVersions[i] = int64(e.SchemaVersion)
		occurred[i], recorded[i] = e.OccurredAt, e.RecordedAt
		data[i], prevHashes[i], hashes[i] = e.Data, e.PrevHash[:], e.Hash[:]
		actors[i], channels[i] = e.Metadata.Actor, e.Metadata.Channel
		correlations[i], causes[i] = e.Metadata.CorrelationID, e.Metadata.CausationID
	}
	return []any{positions, streams, versions, d.ids, idTexts, types, schemaVersions, occurred, recorded,
		data, actors, channels, correlations, causes, prevHashes, hashes}
}
