package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresURL is the test PostgreSQL server (CHENGYUN_PG_URL, or the local one with trust
// auth). When nothing answers there the test fails under CI=true and is skipped elsewhere, as
// NeedService says.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("CHENGYUN_PG_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		NeedService(t, "PostgreSQL at "+url, err)
	}
	_ = conn.Close(ctx)
	return url
}
