package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/eventstore/storetest"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testURL is the shared test server: CHENGYUN_PG_URL, or the local default.
func testURL() string {
	if u := os.Getenv("CHENGYUN_PG_URL"); u != "" {
		return u
	}
	return defaultURL
}

// needServer returns the test URL, or skips (fails under CI=true) when nothing answers there.
func needServer(t testing.TB) string {
	t.Helper()
	url := testURL()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		storetest.NeedService(t, "PostgreSQL at "+url, err)
	}
	_ = conn.Close(ctx)
	return url
}

// freshSchema returns a new random schema name and drops that schema when t ends.
func freshSchema(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cy_test_" + hex.EncodeToString(b)
	t.Cleanup(func() { dropSchema(t, url, schema) })
	return schema
}

func dropSchema(t testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Logf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Logf("drop schema %s: %v", schema, err)
	}
}

// openStore opens a store on a fresh schema of the shared server, closed and dropped when t ends.
func openStore(t testing.TB) (*Store, string, string) {
	t.Helper()
	url := needServer(t)
	schema := freshSchema(t, url)
	s := mustOpen(t, url, schema)
	t.Cleanup(func() { _ = s.Close() })
	return s, url, schema
}

func mustOpen(t testing.TB, url, schema string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, url, Options{Schema: schema, PollInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open schema %s: %v", schema, err)
	}
	return s
}
