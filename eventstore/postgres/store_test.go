package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// PostgreSQL text cannot hold NUL: such metadata is refused up front, naming the field, and
// does not fail the other appends of its batch.
func TestNULInMetadataRefused(t *testing.T) {
	s, _, _ := openStore(t)
	e := storetest.NewEvent("CaseReported", 100)
	e.Metadata.Actor = "a\x00b"
	_, err := s.Append(ctxFor(t), "case-nul", domain.ExpectAny, []domain.EventData{e})
	if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "events[0].metadata.actor") {
		t.Fatalf("want invalid naming events[0].metadata.actor, got %v", err)
	}
}

// Close answers every queued append (written) and refuses later ones as unavailable.
func TestCloseFinishesQueuedAppends(t *testing.T) {
	url := needServer(t)
	schema := freshSchema(t, url)
	s := mustOpen(t, url, schema)
	ctx := ctxFor(t)
	sub, err := s.Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acked []string
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := storetest.NewEvent("CaseReported", 100)
			_, err := s.Append(ctx, fmt.Sprintf("case-close-%d", i%8), domain.ExpectAny, []domain.EventData{e})
			switch {
			case err == nil:
				mu.Lock()
				acked = append(acked, e.ID)
				mu.Unlock()
			case errors.Is(err, domain.ErrUnavailable) && strings.Contains(err.Error(), "store closed"):
			default:
				t.Errorf("append during close: %v", err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := s.Append(ctx, "case-late", domain.ExpectAny, []domain.EventData{storetest.NewEvent("CaseReported", 10)}); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("append after close: want unavailable, got %v", err)
	}
	if _, err := s.Subscribe(ctx, 0); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("subscribe after close: want unavailable, got %v", err)
	}
	select {
	case <-drain(sub):
	case <-time.After(5 * time.Second):
		t.Fatal("subscription did not end at Close")
	}
	s = mustOpen(t, url, schema)
	defer s.Close()
	inLog := map[string]bool{}
	for _, e := range storetest.ReadAllEvents(t, s) {
		inLog[e.ID] = true
	}
	for _, id := range acked {
		if !inLog[id] {
			t.Fatalf("acknowledged %s is not in the log", id)
		}
	}
	t.Logf("%d of 64 appends acknowledged before close", len(acked))
}

func drain(sub domain.Subscription) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for range sub.Events() {
		}
		close(done)
	}()
	return done
}

// Two stores (two processes) on one schema: both migrate at once, both write, positions stay
// gap-free, the chain verifies, and each one's subscription sees the other's events.
func TestTwoStoresShareOneSchema(t *testing.T) {
	url := needServer(t)
	schema := freshSchema(t, url)
	stores := make([]*Store, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); stores[i] = mustOpen(t, url, schema) }()
	}
	wg.Wait()
	for _, s := range stores {
		t.Cleanup(func() { _ = s.Close() })
	}
	ctx := ctxFor(t)
	sub, err := stores[0].Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	col := collect(sub)
	const each = 300
	for i, s := range stores {
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stream := fmt.Sprintf("case-two-%d-%d", i, w)
				for v := range each {
					if _, err := s.Append(ctx, stream, domain.ExpectedVersion(v), []domain.EventData{storetest.NewEvent("CaseReported", 100)}); err != nil {
						t.Errorf("store %d writer %d: %v", i, w, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	all := storetest.ReadAllEvents(t, stores[1])
	if len(all) != 2*4*each {
		t.Fatalf("log holds %d events, want %d", len(all), 2*4*each)
	}
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("position %d at index %d", e.Position, i)
		}
	}
	if rep, err := domain.VerifyChain(ctx, stores[1]); err != nil || !rep.OK {
		t.Fatalf("verify: %v %v", rep, err)
	}
	col.wait(t, len(all), 20*time.Second)
}

func TestOpenErrors(t *testing.T) {
	ctx := ctxFor(t)
	if _, err := Open(ctx, defaultURL, Options{Schema: "Bad-Name"}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad schema name: want invalid, got %v", err)
	}
	if _, err := Open(ctx, "postgres://nobody@[::1", Options{}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad url: want invalid, got %v", err)
	}
	closed := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable&connect_timeout=2", freePort(t))
	_, err := Open(ctx, closed, Options{})
	if !errors.Is(err, domain.ErrUnavailable) || !strings.Contains(err.Error(), "postgres unavailable") {
		t.Fatalf("no server: want unavailable, got %v", err)
	}
}

func TestReadArguments(t *testing.T) {
	s, _, _ := openStore(t)
	ctx := ctxFor(t)
	if _, err := s.ReadAll(ctx, 0, 0); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("ReadAll limit 0: %v", err)
	}
	if _, err := s.ReadStream(ctx, "case-x", 1, -1); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("ReadStream limit -1: %v", err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Kind != "postgres" || st.Events != 0 {
		t.Fatalf("stats of an empty store: %+v, %v", st, err)
	}
}

// An append the server refuses fails alone: the appends that shared its transaction are
// written one by one. The refusal here comes from a CHECK constraint added for the test.
func TestRefusedAppendFailsAlone(t *testing.T) {
	s, url, schema := openStore(t)
	ctx := ctxFor(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ALTER TABLE "+schema+".events ADD CONSTRAINT no_poison CHECK (type <> 'Poison')"); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := storetest.NewEvent("CaseReported", 100)
				if i == 7 {
					e.Type = "Poison"
				}
				_, errs[i] = s.Append(ctx, fmt.Sprintf("case-poison-%d", i), domain.ExpectAny, []domain.EventData{e})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if i == 7 {
				if !errors.Is(err, domain.ErrInternal) {
					t.Fatalf("round %d: the refused append: want internal, got %v", round, err)
				}
			} else if err != nil {
				t.Fatalf("round %d: append %d shared a transaction with a refused one: %v", round, i, err)
			}
		}
	}
	if rep, err := domain.VerifyChain(ctx, s); err != nil || !rep.OK || rep.Events != 5*15 {
		t.Fatalf("verify: %v %v", rep, err)
	}
}

// Schema versions beyond 32 bits are kept (the domain sets no upper bound).
func TestLargeSchemaVersionKept(t *testing.T) {
	s, _, _ := openStore(t)
	ctx := ctxFor(t)
	e := storetest.NewEvent("CaseReported", 100)
	e.SchemaVersion = 1 << 40
	if _, err := s.Append(ctx, "case-schema", domain.ExpectAny, []domain.EventData{e}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadStream(ctx, "case-schema", 1, 1)
	if err != nil || len(got) != 1 || got[0].SchemaVersion != e.SchemaVersion {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if rep, err := domain.VerifyChain(ctx, s); err != nil || !rep.OK {
		t.Fatalf("verify: %v %v", rep, err)
	}
}
