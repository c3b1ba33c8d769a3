package feed

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// logReader is an in-memory log whose reads can be made to fail, to test the loop's handling.
type logReader struct {
	mu     sync.Mutex
	events []domain.RecordedEvent
	fail   error
	reads  int
}

func (l *logReader) read(_ context.Context, after uint64, limit int) ([]domain.RecordedEvent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.fail != nil {
		err := l.fail
		if domain.CodeOf(err) == domain.CodeUnavailable && l.reads%3 == 0 {
			l.fail = nil // the outage passes
		}
		return nil, err
	}
	var out []domain.RecordedEvent
	for _, e := range l.events {
		if e.Position > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *logReader) add(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		l.events = append(l.events, domain.RecordedEvent{Position: uint64(len(l.events) + 1)})
	}
}

func TestSubscriptionSurvivesUnavailableAndWakes(t *testing.T) {
	l := &logReader{}
	l.add(25)
	l.fail = domain.Unavailable("database restarting", nil)
	b := NewBroadcaster()
	sub := Subscribe(context.Background(), 5, l.read, Options{PageSize: 7, Wake: b.Wait, Poll: time.Hour})
	defer sub.Close()
	want := uint64(6)
	recv := func(until uint64) {
		for want <= until {
			select {
			case e := <-sub.Events():
				if e.Position != want {
					t.Fatalf("got position %d, want %d", e.Position, want)
				}
				want++
			case <-time.After(5 * time.Second):
				t.Fatalf("stuck before position %d", want)
			}
		}
	}
	recv(25)
	l.add(3)
	b.Notify() // without the wake-up the hour-long poll would hold it
	recv(28)
}

func TestSubscriptionEndsOnOtherErrors(t *testing.T) {
	l := &logReader{fail: domain.Internal("event at position 3 cannot be decoded", nil)}
	sub := Subscribe(context.Background(), 0, l.read, Options{})
	if _, ok := <-sub.Events(); ok {
		t.Fatal("delivered an event from a failing log")
	}
	if !errors.Is(sub.Err(), domain.ErrInternal) {
		t.Fatalf("Err() = %v", sub.Err())
	}
}
