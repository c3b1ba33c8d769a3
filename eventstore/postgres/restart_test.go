package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// TestSurvivesServerCrash crashes a private server under 16 busy writers and a subscriber, and
// starts it again: appends fail as unavailable while it is down and succeed once it is back,
// no acknowledged event is lost or doubled, the chain verifies, and the subscription (opened
// before the crash) delivers every event exactly once.
func TestSurvivesServerCrash(t *testing.T) {
	pg := startPrivatePG(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Open(ctx, pg.URL, Options{PollInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub, err := s.Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	col := collect(sub)

	const writers = 16
	var (
		mu          sync.Mutex
		acked       = make(map[string]int)
		unavailable atomic.Int64
		stop        = make(chan struct{})
		failed      = make(chan error, writers)
		wg          sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("case-crash-%d", w)
			for {
				// A failed append is retried with the same event id, as a real caller would.
				ev := []domain.EventData{storetest.NewEvent("CaseReported", 300)}
				for {
					select {
					case <-stop:
						return
					default:
					}
					_, err := s.Append(ctx, stream, domain.ExpectAny, ev)
					if err == nil {
						mu.Lock()
						acked[ev[0].ID]++
						mu.Unlock()
						break
					}
					if !errors.Is(err, domain.ErrUnavailable) {
						failed <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
					unavailable.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	ackCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}

	time.Sleep(1500 * time.Millisecond)
	before := ackCount()
	if before == 0 {
		t.Fatal("no append acknowledged before the crash")
	}
	pg.Crash()
	crashed := time.Now()
	probe := func() error {
		pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
		defer pcancel()
		_, err := s.Append(pctx, "case-probe", domain.ExpectAny, []domain.EventData{storetest.NewEvent("CaseReported", 100)})
		return err
	}
	err = probe()
	if !errors.Is(err, domain.ErrUnavailable) || !strings.Contains(err.Error(), "postgres unavailable") {
		t.Fatalf("append while the server is down: want unavailable naming postgres, got %v", err)
	}
	t.Logf("while down: %v", err)
	time.Sleep(time.Second)

	pg.Start()
	t.Logf("server back %v after the crash", time.Since(crashed).Round(time.Millisecond))
	back := time.Now()
	for err := probe(); err != nil; err = probe() {
		if time.Since(back) > 10*time.Second {
			t.Fatalf("appends still fail 10 s after the server came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("appends succeed %v after the server came back", time.Since(back).Round(time.Millisecond))
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	select {
	case err := <-failed:
		t.Fatal(err)
	default:
	}
	after := ackCount()
	if after <= before {
		t.Fatalf("no append acknowledged after the restart (%d before, %d after)", before, after)
	}
	t.Logf("%d appends acknowledged (%d before the crash), %d unavailable answers", after, before, unavailable.Load())

	all := storetest.ReadAllEvents(t, s)
	inLog := make(map[string]int, len(all))
	for _, e := range all {
		inLog[e.ID]++
	}
	for id := range acked {
		if inLog[id] != 1 {
			t.Fatalf("acknowledged event %s is in the log %d times", id, inLog[id])
		}
	}
	rep, err := domain.VerifyChain(ctx, s)
	if err != nil || !rep.OK || rep.Events != uint64(len(all)) {
		t.Fatalf("verify after the crash: %v, %v", rep, err)
	}
	got := col.wait(t, len(all), 20*time.Second)
	for i := range all {
		if got[i].ID != all[i].ID || got[i].Position != all[i].Position {
			t.Fatalf("subscription event %d is %s@%d, the log has %s@%d", i, got[i].ID, got[i].Position, all[i].ID, all[i].Position)
		}
	}
	if n := s.listens.Load(); n < 2 {
		t.Fatalf("the notification listener started %d sessions, want a reconnect after the crash", n)
	}
}

// collector gathers a subscription's events in the background.
type collector struct {
	mu     sync.Mutex
	events []domain.RecordedEvent
	ended  chan struct{}
}

func collect(sub domain.Subscription) *collector {
	c := &collector{ended: make(chan struct{})}
	go func() {
		defer close(c.ended)
		for e := range sub.Events() {
			c.mu.Lock()
			c.events = append(c.events, e)
			c.mu.Unlock()
		}
	}()
	return c
}

// wait returns the first n events once they have come, checking that none came twice.
func (c *collector) wait(t *testing.T, n int, timeout time.Duration) []domain.RecordedEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		have := append([]domain.RecordedEvent(nil), c.events...)
		c.mu.Unlock()
		seen := make(map[string]bool, len(have))
		for _, e := range have {
			if seen[e.ID] {
				t.Fatalf("subscription delivered %s twice", e.ID)
			}
			seen[e.ID] = true
		}
		if len(have) >= n {
			if len(have) > n {
				t.Fatalf("subscription delivered %d events, the log holds %d", len(have), n)
			}
			return have
		}
		select {
		case <-c.ended:
			t.Fatalf("subscription ended after %d of %d events", len(have), n)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription delivered %d of %d events", len(have), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
