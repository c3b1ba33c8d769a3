package embedded

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// fillStore writes n single-event appends and closes the store.
func fillStore(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s := openAt(t, dir)
	for i := range n {
		if _, err := s.Append(context.Background(), "case-tamper", domain.ExpectedVersion(i), []domain.EventData{storetest.NewEvent("CaseReported", 300)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawEdit changes the store's files behind its back, through Pebble alone.
func rawEdit(t *testing.T, dir string, edit func(db *pebble.DB)) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	edit(db)
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func rawGet(t *testing.T, db *pebble.DB, key []byte) []byte {
	t.Helper()
	v, c, err := db.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return append([]byte(nil), v...)
}

func verifyDir(t *testing.T, dir string) domain.VerifyReport {
	t.Helper()
	s := openAt(t, dir)
	defer s.Close()
	rep, err := domain.VerifyChain(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestVerifyCatchesTampering(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(t *testing.T, db *pebble.DB)
		brokenAt uint64
		problem  string
	}{
		{"changed byte", func(t *testing.T, db *pebble.DB) {
			v := rawGet(t, db, eventKey(17))
			v[len(v)-3] ^= 0x01 // inside the JSON data
			_ = db.Set(eventKey(17), v, pebble.Sync)
		}, 17, "content does not match"},
		{"deleted event", func(t *testing.T, db *pebble.DB) {
			_ = db.Delete(eventKey(17), pebble.Sync)
		}, 17, "missing"},
		{"swapped events", func(t *testing.T, db *pebble.DB) {
			a, b := rawGet(t, db, eventKey(17)), rawGet(t, db, eventKey(18))
			_ = db.Set(eventKey(17), b, pebble.Sync)
			_ = db.Set(eventKey(18), a, pebble.Sync)
		}, 17, "previous-hash"},
		{"cut-off tail", func(t *testing.T, db *pebble.DB) {
			_ = db.Delete(eventKey(50), pebble.Sync)
		}, 50, "removed from the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := fillStore(t, 50)
			if rep := verifyDir(t, dir); !rep.OK || rep.Events != 50 {
				t.Fatalf("untouched store: %v", rep)
			}
			rawEdit(t, dir, func(db *pebble.DB) { c.edit(t, db) })
			rep := verifyDir(t, dir)
			if rep.OK || rep.BrokenAt != c.brokenAt || !strings.Contains(rep.Problem, c.problem) {
				t.Fatalf("verify said %v, want broken at %d with %q", rep, c.brokenAt, c.problem)
			}
		})
	}
}

// A flipped byte in a table file on disk is caught by Pebble's block checksums, and verify
// reports it instead of OK.
func TestVerifyCatchesDamagedFile(t *testing.T) {
	dir := fillStore(t, 2000)
	tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(tables) == 0 {
		t.Fatal("no table files after close")
	}
	var biggest string
	var size int64
	for _, f := range tables {
		if fi, err := os.Stat(f); err == nil && fi.Size() > size {
			biggest, size = f, fi.Size()
		}
	}
	b, err := os.ReadFile(biggest)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0xff
	if err := os.WriteFile(biggest, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Logf("open refused the damaged store: %v", err)
		return
	}
	defer s.Close()
	rep, err := domain.VerifyChain(context.Background(), s)
	if err == nil && rep.OK {
		t.Fatalf("verify said OK on a damaged table file")
	}
	t.Logf("verify: %v %v", rep, err)
}
