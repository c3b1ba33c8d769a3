package esdb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// These tests drive the resubscribe loop with scripted streams that fail part way; no server is
// involved. They check the loop's bookkeeping: where it reopens, and that what it hands on is
// the log exactly once, in order.

// testLog is a log of n events at positions 10, 20, 30, … (positions have gaps, as in $all).
func testLog(n int) []domain.RecordedEvent {
	out := make([]domain.RecordedEvent, n)
	for i := range out {
		out[i] = domain.RecordedEvent{EventData: domain.EventData{ID: string(rune('a' + i))}, Position: uint64(10 * (i + 1))}
	}
	return out
}

// scriptStream yields events, then fails with err after them, or blocks until its context ends
// when err is nil.
type scriptStream struct {
	ctx    context.Context
	events []domain.RecordedEvent
	err    error
	closed bool
}

func (s *scriptStream) Next() (domain.RecordedEvent, error) {
	if len(s.events) > 0 {
		e := s.events[0]
		s.events = s.events[1:]
		return e, nil
	}
	if s.err != nil {
		return domain.RecordedEvent{}, s.err
	}
	<-s.ctx.Done()
	return domain.RecordedEvent{}, domain.Unavailable("stream cancelled", s.ctx.Err())
}

func (s *scriptStream) Close() { s.closed = true }

// step is what one open does: fail to open, or serve log events from index from (which may
// overlap what was delivered already) up to index to, then end with err.
type step struct {
	openErr  error
	from, to int
	err      error
}

type opener struct {
	log    []domain.RecordedEvent
	steps  []step
	mu     sync.Mutex
	afters []uint64
	opened []*scriptStream
}

func (o *opener) open(ctx context.Context, after uint64) (eventStream, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.afters = append(o.afters, after)
	i := len(o.afters) - 1
	if i >= len(o.steps) {
		st := &scriptStream{ctx: ctx} // nothing more to say: live and idle
		o.opened = append(o.opened, st)
		return st, nil
	}
	s := o.steps[i]
	if s.openErr != nil {
		return nil, s.openErr
	}
	st := &scriptStream{ctx: ctx, events: append([]domain.RecordedEvent(nil), o.log[s.from:s.to]...), err: s.err}
	o.opened = append(o.opened, st)
	return st, nil
}

var (
	drop  = domain.Unavailable("connection reset", io.ErrUnexpectedEOF)
	ended = domain.Unavailable("server closed the stream", io.EOF)
	quiet = slog.New(slog.DiscardHandler)
	fast  = backoff{min: time.Millisecond, max: 4 * time.Millisecond}
)

// collect runs follow until want events arrived, then stops it and returns what it got and
// follow's result.
func collect(t *testing.T, o *opener, after uint64, want int) ([]domain.RecordedEvent, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan domain.RecordedEvent, 4)
	res := make(chan error, 1)
	go func() { res <- follow(ctx, o.open, after, out, fast, quiet) }()
	var got []domain.RecordedEvent
	deadline := time.After(5 * time.Second)
	for len(got) < want {
		select {
		case e := <-out:
			got = append(got, e)
		case err := <-res:
			for { // follow handed these over before it returned
				select {
				case e := <-out:
					got = append(got, e)
				default:
					return got, err
				}
			}
		case <-deadline:
			t.Fatalf("got %d of %d events", len(got), want)
		}
	}
	select {
	case e := <-out:
		t.Fatalf("extra event delivered: %+v", e)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-res:
		return got, err
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not return after its context ended")
	}
	return nil, nil
}

func sameEvents(t *testing.T, got, want []domain.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("delivered %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Position != want[i].Position {
			t.Fatalf("event %d: got %s@%d, want %s@%d", i, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
		}
	}
}

func TestFollowResubscribesWithoutDuplicatesOrGaps(t *testing.T) {
	log := testLog(10)
	o := &opener{log: log, steps: []step{
		{openErr: drop},              // server down at first
		{from: 0, to: 3, err: drop},  // a, b, c then the connection drops
		{from: 2, to: 5, err: drop},  // a server that starts at the position itself: c again, d, e
		{from: 5, to: 5, err: ended}, // closed by the server before anything
		{from: 0, to: 8, err: drop},  // overlaps everything already delivered, then f, g, h
		{from: 8, to: 10, err: nil},  // i, j, then live
	}}
	got, err := collect(t, o, 0, len(log))
	if err != nil {
		t.Fatalf("follow ended with %v, want nil after its context ended", err)
	}
	sameEvents(t, got, log)
	wantAfters := []uint64{0, 0, 30, 50, 50, 80}
	if len(o.afters) != len(wantAfters) {
		t.Fatalf("opened %d times from %v, want %v", len(o.afters), o.afters, wantAfters)
	}
	for i := range wantAfters {
		if o.afters[i] != wantAfters[i] {
			t.Fatalf("open %d started after %d, want %d (all: %v)", i, o.afters[i], wantAfters[i], o.afters)
		}
	}
	for i, st := range o.opened {
		if !st.closed {
			t.Fatalf("stream %d was not closed", i)
		}
	}
}

func TestFollowStartsAfterCheckpoint(t *testing.T) {
	log := testLog(6)
	// The first stream repeats the event at the checkpoint (position 30) and everything before.
	o := &opener{log: log, steps: []step{{from: 0, to: 4, err: drop}, {from: 4, to: 6}}}
	got, err := collect(t, o, 30, 3)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, got, log[3:])
	if o.afters[0] != 30 || o.afters[1] != 40 {
		t.Fatalf("opened after %v, want [30 40 …]", o.afters)
	}
}

func TestFollowEndsOnPermanentError(t *testing.T) {
	log := testLog(4)
	bad := domain.Internal("KurrentDB refused this client's credentials or ACL", errors.New("permission denied"))
	o := &opener{log: log, steps: []step{{from: 0, to: 2, err: drop}, {from: 2, to: 3, err: bad}}}
	got, err := collect(t, o, 0, len(log))
	if !errors.Is(err, domain.ErrInternal) {
		t.Fatalf("follow ended with %v, want the internal error", err)
	}
	sameEvents(t, got, log[:3])
	if len(o.afters) != 2 {
		t.Fatalf("opened %d times after a permanent error, want 2", len(o.afters))
	}
}

func TestFollowStopsWhileBackingOff(t *testing.T) {
	o := &opener{}
	for range 1000 {
		o.steps = append(o.steps, step{openErr: drop})
	}
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		res <- follow(ctx, o.open, 0, make(chan domain.RecordedEvent), backoff{min: time.Hour, max: time.Hour}, quiet)
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case err := <-res:
		if err != nil {
			t.Fatalf("follow ended with %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow kept waiting after its context ended")
	}
}

func TestFollowStopsWhileReceiverIsSlow(t *testing.T) {
	log := testLog(3)
	o := &opener{log: log, steps: []step{{from: 0, to: 3}}}
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { res <- follow(ctx, o.open, 0, make(chan domain.RecordedEvent), fast, quiet) }()
	time.Sleep(10 * time.Millisecond) // nobody reads the channel
	cancel()
	select {
	case err := <-res:
		if err != nil {
			t.Fatalf("follow ended with %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow blocked on a channel nobody reads after its context ended")
	}
}
