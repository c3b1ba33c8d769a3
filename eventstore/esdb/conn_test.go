package esdb

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// These tests check conn's bookkeeping with calls that never touch the network: a client is
// created (it connects lazily) but fn stands in for what it would do.

func testConn(t *testing.T) *conn {
	t.Helper()
	cfg, err := parseURL("esdb://127.0.0.1:1?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(cfg, quiet)
	t.Cleanup(c.close)
	return c
}

var errDiscovery = errors.New("maximum discovery attempt count reached: 10. Last Error: connection refused")

func clientOf(t *testing.T, c *conn) *esdb.Client {
	t.Helper()
	var cl *esdb.Client
	if err := c.call(context.Background(), func(_ context.Context, x *esdb.Client) error { cl = x; return nil }); err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestConnReplacesDeadClient(t *testing.T) {
	c := testConn(t)
	first := clientOf(t, c)
	if clientOf(t, c) != first {
		t.Fatal("a healthy client was replaced")
	}
	err := c.call(context.Background(), func(context.Context, *esdb.Client) error { return errDiscovery })
	if err != errDiscovery {
		t.Fatalf("call returned %v, want the client's own error", err)
	}
	if clientOf(t, c) == first {
		t.Fatal("the dead client is still used")
	}
}

func TestConnReleasesCallsStuckInDeadClient(t *testing.T) {
	c := testConn(t)
	stuck := make(chan struct{})
	defer close(stuck)
	res := make(chan error, 1)
	go func() {
		// Stands in for a call blocked forever on the dead client's channel.
		res <- c.call(context.Background(), func(context.Context, *esdb.Client) error { <-stuck; return nil })
	}()
	time.Sleep(10 * time.Millisecond)
	_ = c.call(context.Background(), func(context.Context, *esdb.Client) error { return errDiscovery })
	select {
	case err := <-res:
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("stuck call returned %v, want unavailable", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a call stuck in a dead client was not released")
	}
}

func TestConnCallHonoursContext(t *testing.T) {
	c := testConn(t)
	stuck := make(chan struct{})
	defer close(stuck)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.call(ctx, func(context.Context, *esdb.Client) error { <-stuck; return nil })
	if !errors.Is(err, domain.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want unavailable wrapping the deadline, got %v", err)
	}
}

func TestConnCloseWaitsForCallsThenRefuses(t *testing.T) {
	c := testConn(t)
	var finished atomic.Bool
	started := make(chan struct{})
	go func() {
		_ = c.call(context.Background(), func(context.Context, *esdb.Client) error {
			close(started)
			time.Sleep(50 * time.Millisecond)
			finished.Store(true)
			return nil
		})
	}()
	<-started
	c.close()
	if !finished.Load() {
		t.Fatal("close returned while a call was still running")
	}
	err := c.call(context.Background(), func(context.Context, *esdb.Client) error { return nil })
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("call after close: want unavailable, got %v", err)
	}
	c.close() // twice is fine
}
