package feed

import (
	"context"
	"sync"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// ReadFunc reads up to limit events with position > after, in global order.
type ReadFunc func(ctx context.Context, after uint64, limit int) ([]domain.RecordedEvent, error)

// Options tune a subscription. Zero values take the defaults.
type Options struct {
	PageSize int           // events per read; default 1000
	Buffer   int           // channel capacity; default 256
	Poll     time.Duration // fallback wake-up when no notification comes; default 1 s
	// Wake returns a channel closed when new events may be there (nil: poll only).
	Wake func() <-chan struct{}
}

// Subscribe starts a subscription that reads pages after position after, hands each event to
// the channel once, and waits for a wake-up or the poll interval when it has caught up. Reads
// that fail as unavailable are retried with backoff, so a database restart pauses the feed
// instead of ending it; any other read error ends it, with the error in Err.
func Subscribe(ctx context.Context, after uint64, read ReadFunc, opt Options) domain.Subscription {
	if opt.PageSize <= 0 {
		opt.PageSize = 1000
	}
	if opt.Buffer <= 0 {
		opt.Buffer = 256
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &subscription{ch: make(chan domain.RecordedEvent, opt.Buffer), cancel: cancel}
	go s.run(ctx, after, read, opt)
	return s
}

type subscription struct {
	ch     chan domain.RecordedEvent
	cancel context.CancelFunc
	mu     sync.Mutex
	err    error
}

func (s *subscription) Events() <-chan domain.RecordedEvent { return s.ch }

func (s *subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *subscription) Close() { s.cancel() }

func (s *subscription) run(ctx context.Context, pos uint64, read ReadFunc, opt Options) {
	defer close(s.ch)
	backoff := 50 * time.Millisecond
	timer := time.NewTimer(opt.Poll)
	defer timer.Stop()
	for {
		var wake <-chan struct{}
		if opt.Wake != nil {
			wake = opt.Wake()
		}
		page, err := read(ctx, pos, opt.PageSize)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if domain.CodeOf(err) != domain.CodeUnavailable {
				s.fail(err)
				return
			}
			if !Sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		for _, e := range page {
			select {
			case s.ch <- e:
				pos = e.Position
			case <-ctx.Done():
				return
			}
		}
		if len(page) == opt.PageSize {
			continue
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(opt.Poll)
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}

func (s *subscription) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// Sleep waits for d or until ctx ends; it reports whether the whole wait passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
