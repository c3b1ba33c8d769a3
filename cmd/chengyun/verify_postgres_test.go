package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/postgres"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func pgURL() string {
	if u := os.Getenv("CHENGYUN_PG_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// chengyun verify on PostgreSQL: OK on an intact log, the broken position after a row is
// deleted straight from the table.
func TestVerifyPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgURL())
	if err != nil {
		storetest.NeedService(t, "PostgreSQL at "+pgURL(), err)
	}
	schema := fmt.Sprintf("cli_verify_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		// A cleanup, not a defer: it must run after the test, while conn is still open.
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		_ = conn.Close(context.Background())
	})
	s, err := postgres.Open(ctx, pgURL(), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := s.Append(ctx, "case-cli", domain.ExpectedVersion(i), []domain.EventData{storetest.NewEvent("CaseReported", 200)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	code, out := runVerify(t, "--store", pgURL(), "--pg-schema", schema)
	if code != 0 || !strings.Contains(out, "OK: 30 events") {
		t.Fatalf("intact log: exit %d, %q", code, out)
	}
	if _, err := conn.Exec(ctx, "DELETE FROM "+schema+".events WHERE position = 12"); err != nil {
		t.Fatal(err)
	}
	code, out = runVerify(t, "--store", pgURL(), "--pg-schema", schema)
	if code != 1 || !strings.Contains(out, "BROKEN at position 12") {
		t.Fatalf("tampered log: exit %d, %q", code, out)
	}
}
