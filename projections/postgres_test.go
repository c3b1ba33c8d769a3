package projections_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/eventstore/postgres"
	"github.com/chengyun/chengyun/eventstore/storetest"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pgsink"
)

// pgURL returns the test server, or skips (fails under CI=true) when nothing answers there.
func pgURL(t *testing.T) string { return storetest.PostgresURL(t) }

func tempSchema(t *testing.T, url, prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
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

// TestCaseListOnPostgres runs the case list durable in pgsink over the PostgreSQL store: live,
// resumed after a restart, and rebuilt from zero, all equal.
func TestCaseListOnPostgres(t *testing.T) {
	url := pgURL(t)
	ctx := context.Background()
	store, err := postgres.Open(ctx, url, postgres.Options{Schema: tempSchema(t, url, "cy_proj_es_"), Logger: slog.New(slog.DiscardHandler), PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rmSchema := tempSchema(t, url, "cy_proj_rm_")
	sink, err := pgsink.Open(ctx, url, rmSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	w := worldOn(t, store)
	newHistory(t, w)
	first, st := runOnce(t, store, sink, w.head())
	if st.Position != w.head() || !st.Durable {
		t.Fatalf("first run: %+v", st)
	}
	was := w.head()
	busyCity(t, w, 30)
	second, st := runOnce(t, store, sink, w.head())
	if st.Applied != w.head()-was || second.Len() != first.Len()+30 {
		t.Fatalf("second run applied %d of %d new events; %d cases", st.Applied, w.head()-was, second.Len())
	}
	stored := sinkRows(t, sink, projections.CaseListName)
	if err := sink.Drop(ctx, projections.CaseListName); err != nil {
		t.Fatal(err)
	}
	third, st := runOnce(t, store, sink, w.head())
	if st.Applied != w.head() {
		t.Fatalf("rebuild applied %d events of %d", st.Applied, w.head())
	}
	if !reflect.DeepEqual(sinkRows(t, sink, projections.CaseListName), stored) || !reflect.DeepEqual(third.All(), second.All()) {
		t.Fatal("rebuilt rows differ from the resumed ones")
	}
	checkCounters(t, store, third.All())
}
