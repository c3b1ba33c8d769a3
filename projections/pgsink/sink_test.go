package pgsink_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pgsink"
	"github.com/chengyun/chengyun/projections/sinktest"
)

// needServer returns the test server's URL, or skips (fails under CI=true) when nothing
// answers there.
func needServer(t *testing.T) string { return storetest.PostgresURL(t) }

// freshSchema returns a new schema name, dropped when t ends.
func freshSchema(t *testing.T, url string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cy_rm_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			_ = conn.Close(ctx)
		}
	})
	return schema
}

func TestContract(t *testing.T) {
	url := needServer(t)
	sinktest.Run(t, sinktest.Harness{Open: func(t *testing.T) (projections.Sink, func(t *testing.T) projections.Sink) {
		schema := freshSchema(t, url)
		open := func(t *testing.T) projections.Sink {
			s, err := pgsink.Open(context.Background(), url, schema)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		return open(t), open
	}})
}

func TestOpenRefusesBadInput(t *testing.T) {
	if _, err := pgsink.Open(context.Background(), "postgres://127.0.0.1:5432/test", "Bad Schema"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad schema: %v", err)
	}
	if _, err := pgsink.Open(context.Background(), "postgres://%zz", "ok"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad url: %v", err)
	}
}

// A server that does not answer is unavailable, so the runner waits and retries.
func TestUnreachableIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := pgsink.Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "cy_rm_x")
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("unreachable server: %v, want unavailable", err)
	}
}
