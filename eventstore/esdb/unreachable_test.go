package esdb

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// These tests run the real client against a port where nothing listens. They need no server:
// they check that an unreachable KurrentDB gives unavailable errors promptly instead of hanging
// (the client blocks concurrent calls forever once its discovery fails; see conn).

func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "esdb://" + addr + "?tls=false"
}

func TestOpenUnreachableServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Open(ctx, closedPortURL(t), Options{Logger: quiet})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("want unavailable, got %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("open took %v to give up", d)
	}
}

func TestConcurrentCallsToUnreachableServerReturn(t *testing.T) {
	cfg, err := parseURL(closedPortURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = func(string, string, ...any) {}
	s := &Store{conn: newConn(cfg, quiet), log: quiet, window: defaultIdempotencyWindow}
	s.stop, s.cancel = context.WithCancel(context.Background())
	sub, err := s.Subscribe(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := []domain.EventData{{ID: uuid.NewString(), Type: "CaseReported", Data: []byte(`{}`)}}
			_, errs[i] = s.Append(context.Background(), "case-1", domain.ExpectAny, ev)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("appends to an unreachable server hang")
	}
	for i, err := range errs {
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("append %d: want unavailable, got %v", i, err)
		}
	}
	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close hangs")
	}
	if _, ok := <-sub.Events(); ok || sub.Err() != nil {
		t.Fatalf("subscription after close: open %v, err %v", ok, sub.Err())
	}
	if _, err := s.ReadAll(context.Background(), 0, 10); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("read after close: want unavailable, got %v", err)
	}
}
