// Package sinktest is the one contract suite every read-model sink must pass (pebblesink on
// Pebble, pgsink on a real PostgreSQL). A sink's test calls Run with a Harness.
package sinktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/projections"
)

// Harness tells the suite how to get sinks of one kind.
type Harness struct {
	// Open returns a sink on fresh, empty storage and a function that opens the same storage
	// again after the suite closed the first sink. The harness cleans up after itself.
	Open func(t *testing.T) (sink projections.Sink, reopen func(t *testing.T) projections.Sink)
}

// Run runs the whole contract suite.
func Run(t *testing.T, h Harness) {
	t.Run("EmptyProjection", func(t *testing.T) { testEmpty(t, h) })
	t.Run("CommitMakesVisible", func(t *testing.T) { testCommit(t, h) })
	t.Run("LastWriteWins", func(t *testing.T) { testLastWriteWins(t, h) })
	t.Run("RollbackWritesNothing", func(t *testing.T) { testRollback(t, h) })
	t.Run("StaleCommitConflicts", func(t *testing.T) { testStale(t, h) })
	t.Run("ProjectionsAreApart", func(t *testing.T) { testApart(t, h) })
	t.Run("DropOneProjection", func(t *testing.T) { testDrop(t, h) })
	t.Run("ScanInKeyOrder", func(t *testing.T) { testOrder(t, h) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, h) })
	t.Run("ReopenKeepsRowsAndCheckpoint", func(t *testing.T) { testReopen(t, h) })
	t.Run("ConcurrentProjections", func(t *testing.T) { testConcurrent(t, h) })
	t.Run("LargeBatch", func(t *testing.T) { testLarge(t, h) })
}

func open(t *testing.T, h Harness) (projections.Sink, func(t *testing.T) projections.Sink) {
	t.Helper()
	s, reopen := h.Open(t)
	t.Cleanup(func() { _ = s.Close() })
	return s, reopen
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// rows reads every row of projection as decoded JSON values by key, in scan order.
func rows(t *testing.T, s projections.Sink, projection string) ([]string, map[string]any) {
	t.Helper()
	var keys []string
	vals := map[string]any{}
	err := s.Scan(ctxT(t), projection, func(k string, v []byte) error {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("row %s is not JSON: %v", k, err)
		}
		keys = append(keys, k)
		vals[k] = x
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", projection, err)
	}
	return keys, vals
}

func checkpoint(t *testing.T, s projections.Sink, projection string) uint64 {
	t.Helper()
	pos, err := s.Checkpoint(ctxT(t), projection)
	if err != nil {
		t.Fatalf("checkpoint %s: %v", projection, err)
	}
	return pos
}

// write commits puts (value "" deletes) at position.
func write(t *testing.T, s projections.Sink, projection string, position uint64, kv ...string) {
	t.Helper()
	tx, err := s.Begin(ctxT(t), projection)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			err = tx.Delete(kv[i])
		} else {
			err = tx.Put(kv[i], []byte(kv[i+1]))
		}
		if err != nil {
			t.Fatalf("write %s: %v", kv[i], err)
		}
	}
	if err := tx.Commit(ctxT(t), position); err != nil {
		t.Fatalf("commit at %d: %v", position, err)
	}
}

func jsonOf(s string) any {
	var x any
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		panic(err)
	}
	return x
}

func wantRows(t *testing.T, s projections.Sink, projection string, want map[string]string) {
	t.Helper()
	_, got := rows(t, s, projection)
	w := map[string]any{}
	for k, v := range want {
		w[k] = jsonOf(v)
	}
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("rows of %s: %v, want %v", projection, got, w)
	}
}

func testEmpty(t *testing.T, h Harness) {
	s, _ := open(t, h)
	if pos := checkpoint(t, s, "cases"); pos != 0 {
		t.Fatalf("checkpoint of a new projection: %d", pos)
	}
	wantRows(t, s, "cases", map[string]string{})
}

func testCommit(t *testing.T, h Harness) {
	s, _ := open(t, h)
	tx, err := s.Begin(ctxT(t), "cases")
	if err != nil {
		t.Fatal(err)
	}
	_ = tx.Put("a", []byte(`{"status":"reported","n":1}`))
	_ = tx.Put("b", []byte(`{"title":"井盖缺失"}`))
	wantRows(t, s, "cases", map[string]string{}) // nothing before the commit
	if pos := checkpoint(t, s, "cases"); pos != 0 {
		t.Fatalf("checkpoint before commit: %d", pos)
	}
	if err := tx.Commit(ctxT(t), 7); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s, "cases", map[string]string{"a": `{"status":"reported","n":1}`, "b": `{"title":"井盖缺失"}`})
	if pos := checkpoint(t, s, "cases"); pos != 7 {
		t.Fatalf("checkpoint %d, want 7", pos)
	}
	write(t, s, "cases", 9, "a", `{"status":"closed"}`, "b", "")
	wantRows(t, s, "cases", map[string]string{"a": `{"status":"closed"}`})
	if err := tx.Commit(ctxT(t), 10); err == nil {
		t.Fatal("a second commit of one transaction succeeded")
	}
	// A batch with no writes still moves the checkpoint (events that changed nothing).
	write(t, s, "cases", 12)
	if pos := checkpoint(t, s, "cases"); pos != 12 {
		t.Fatalf("checkpoint %d after an empty batch, want 12", pos)
	}
}

func testLastWriteWins(t *testing.T, h Harness) {
	s, _ := open(t, h)
	write(t, s, "p", 1, "gone", `{"v":0}`, "kept", `{"v":0}`)
	write(t, s, "p", 2, "x", `{"v":1}`, "x", `{"v":2}`, "y", `{"v":1}`, "y", "", "gone", "", "z", "", "z", `{"v":3}`, "kept", "", "kept", `{"v":4}`)
	wantRows(t, s, "p", map[string]string{"x": `{"v":2}`, "z": `{"v":3}`, "kept": `{"v":4}`})
}

func testRollback(t *testing.T, h Harness) {
	s, _ := open(t, h)
	write(t, s, "p", 3, "a", `{"v":1}`)
	tx, err := s.Begin(ctxT(t), "p")
	if err != nil {
		t.Fatal(err)
	}
	_ = tx.Put("a", []byte(`{"v":2}`))
	_ = tx.Put("b", []byte(`{"v":2}`))
	tx.Rollback()
	tx.Rollback() // twice is harmless
	wantRows(t, s, "p", map[string]string{"a": `{"v":1}`})
	if pos := checkpoint(t, s, "p"); pos != 3 {
		t.Fatalf("checkpoint %d after rollback, want 3", pos)
	}
	if err := tx.Commit(ctxT(t), 4); err == nil {
		t.Fatal("commit after rollback succeeded")
	}
}

func testStale(t *testing.T, h Harness) {
	s, _ := open(t, h)
	write(t, s, "p", 100, "a", `{"v":1}`)
	for _, pos := range []uint64{100, 99, 1} {
		tx, _ := s.Begin(ctxT(t), "p")
		_ = tx.Put("a", []byte(`{"v":2}`))
		err := tx.Commit(ctxT(t), pos)
		if !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("commit at %d behind checkpoint 100: %v, want conflict", pos, err)
		}
	}
	wantRows(t, s, "p", map[string]string{"a": `{"v":1}`})
	if pos := checkpoint(t, s, "p"); pos != 100 {
		t.Fatalf("checkpoint %d, want 100", pos)
	}
}

func testApart(t *testing.T, h Harness) {
	s, _ := open(t, h)
	write(t, s, "cases", 5, "k", `{"of":"cases"}`)
	write(t, s, "cases2", 8, "k", `{"of":"cases2"}`)
	write(t, s, "case", 9, "sk", `{"of":"case"}`)
	wantRows(t, s, "cases", map[string]string{"k": `{"of":"cases"}`})
	wantRows(t, s, "cases2", map[string]string{"k": `{"of":"cases2"}`})
	wantRows(t, s, "case", map[string]string{"sk": `{"of":"case"}`})
	if a, b, c := checkpoint(t, s, "cases"), checkpoint(t, s, "cases2"), checkpoint(t, s, "case"); a != 5 || b != 8 || c != 9 {
		t.Fatalf("checkpoints %d %d %d", a, b, c)
	}
}

func testDrop(t *testing.T, h Harness) {
	s, _ := open(t, h)
	write(t, s, "cases", 5, "a", `{}`, "b", `{}`)
	write(t, s, "cases2", 6, "a", `{}`)
	if err := s.Drop(ctxT(t), "cases"); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s, "cases", map[string]string{})
	wantRows(t, s, "cases2", map[string]string{"a": `{}`})
	if a, b := checkpoint(t, s, "cases"), checkpoint(t, s, "cases2"); a != 0 || b != 6 {
		t.Fatalf("checkpoints after drop: %d %d", a, b)
	}
	write(t, s, "cases", 1, "c", `{}`) // a dropped projection starts again from the beginning
	wantRows(t, s, "cases", map[string]string{"c": `{}`})
	if err := s.Drop(ctxT(t), "never-written"); err != nil {
		t.Fatalf("drop of a projection with no rows: %v", err)
	}
}

func testOrder(t *testing.T, h Harness) {
	s, _ := open(t, h)
	keys := []string{"b", "a", "A", "a b", "ab", "0190a", "武汉", "江岸", "z\u00e9", "a-1", "a_1"}
	var kv []string
	for _, k := range keys {
		kv = append(kv, k, fmt.Sprintf(`{"key":%q}`, k))
	}
	write(t, s, "p", 1, kv...)
	got, vals := rows(t, s, "p")
	want := []string{"0190a", "A", "a", "a b", "a-1", "a_1", "ab", "b", "z\u00e9", "武汉", "江岸"}
	// Byte order of UTF-8: 武 (e6 ad a6) sorts before 江 (e6 b1 9f).
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scan order %q, want %q", got, want)
	}
	for _, k := range keys {
		if vals[k].(map[string]any)["key"] != k {
			t.Fatalf("row %q holds %v", k, vals[k])
		}
	}
	boom := errors.New("stop here")
	n := 0
	err := s.Scan(ctxT(t), "p", func(string, []byte) error { n++; return boom })
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("scan with a failing fn: %v after %d rows", err, n)
	}
}

func testBadInput(t *testing.T, h Harness) {
	s, _ := open(t, h)
	for _, name := range []string{"", "Cases", "a b", "a\x00b", "-x", string(make([]byte, 80))} {
		if _, err := s.Begin(ctxT(t), name); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("begin %q: %v, want invalid", name, err)
		}
		if _, err := s.Checkpoint(ctxT(t), name); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("checkpoint %q: %v, want invalid", name, err)
		}
		if err := s.Drop(ctxT(t), name); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("drop %q: %v, want invalid", name, err)
		}
	}
	tx, err := s.Begin(ctxT(t), "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Put("", []byte(`{}`)); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("empty key: %v", err)
	}
	if err := tx.Delete(""); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("delete empty key: %v", err)
	}
	for _, v := range []string{"", "{", "not json", `{"a":}`} {
		if err := tx.Put("k", []byte(v)); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("value %q: %v, want invalid", v, err)
		}
	}
	if err := tx.Commit(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s, "p", map[string]string{})
}

func testReopen(t *testing.T, h Harness) {
	s, reopen := h.Open(t)
	write(t, s, "cases", 41, "a", `{"v":"持久"}`, "b", `{"v":2}`)
	write(t, s, "cases", 42, "b", "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t)
	defer s.Close()
	wantRows(t, s, "cases", map[string]string{"a": `{"v":"持久"}`})
	if pos := checkpoint(t, s, "cases"); pos != 42 {
		t.Fatalf("checkpoint after reopen: %d", pos)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	s, _ := open(t, h)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("p%d", p)
			for pos := uint64(1); pos <= 50; pos++ {
				tx, err := s.Begin(context.Background(), name)
				if err == nil {
					_ = tx.Put(fmt.Sprintf("k%d", pos%5), []byte(fmt.Sprintf(`{"pos":%d}`, pos)))
					err = tx.Commit(context.Background(), pos)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for p := range 4 {
		name := fmt.Sprintf("p%d", p)
		want := map[string]string{}
		for pos := 46; pos <= 50; pos++ {
			want[fmt.Sprintf("k%d", pos%5)] = fmt.Sprintf(`{"pos":%d}`, pos)
		}
		wantRows(t, s, name, want)
		if pos := checkpoint(t, s, name); pos != 50 {
			t.Fatalf("%s at %d", name, pos)
		}
	}
}

func testLarge(t *testing.T, h Harness) {
	s, _ := open(t, h)
	tx, err := s.Begin(ctxT(t), "big")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		if err := tx.Put(fmt.Sprintf("case-%05d", i), []byte(fmt.Sprintf(`{"i":%d,"title":"第%d号案件"}`, i, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctxT(t), 5000); err != nil {
		t.Fatal(err)
	}
	keys, vals := rows(t, s, "big")
	if len(keys) != 5000 || keys[0] != "case-00000" || keys[4999] != "case-04999" || vals["case-01234"].(map[string]any)["i"] != float64(1234) {
		t.Fatalf("%d rows, first %q", len(keys), keys[0])
	}
}
