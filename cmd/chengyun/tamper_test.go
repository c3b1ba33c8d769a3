package main

import (
	"log/slog"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// deleteEmbeddedEvent removes the event at pos straight from the store's files.
func deleteEmbeddedEvent(t *testing.T, dir string, pos uint64) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: discardLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte{'e', 0, 0, 0, 0, 0, 0, 0, byte(pos)}
	if err := db.Delete(key, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

type discardLogger struct{}

func (discardLogger) Infof(string, ...any)  {}
func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Fatalf(f string, a ...any) {
	slog.Error("pebble fatal", "msg", f)
	panic(f)
}
