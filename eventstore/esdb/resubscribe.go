package esdb

import (
	"context"
	"log/slog"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/feed"
)

// eventStream is one server-side subscription as the resubscribe loop sees it: Next returns our
// next event (system and foreign events already dropped) or the error that ended the stream.
type eventStream interface {
	Next() (domain.RecordedEvent, error)
	Close()
}

// openFunc opens a server-side subscription that delivers events after position after (0: from
// the beginning of the log). The stream is bound to ctx: when ctx ends, Next returns an error.
type openFunc func(ctx context.Context, after uint64) (eventStream, error)

// backoff bounds the waits between resubscriptions.
type backoff struct {
	min, max time.Duration
}

var defaultBackoff = backoff{min: 50 * time.Millisecond, max: 5 * time.Second}

// follow keeps a subscription going from position after until ctx ends. It hands each event
// with a position above the last one delivered to out, once and in order. When a stream cannot
// be opened or drops with an unavailable error, follow waits (doubling from b.min up to b.max,
// back to b.min after an event got through) and opens a new one from the last delivered
// position; events the new stream repeats (a server that starts at the position itself, or
// overlaps) are skipped, so nothing is delivered twice and nothing is skipped. It returns nil
// when ctx ends, and any other error (not unavailable) as it is: that ends the subscription.
func follow(ctx context.Context, open openFunc, after uint64, out chan<- domain.RecordedEvent, b backoff, log *slog.Logger) error {
	wait := b.min
	for {
		delivered, err := followOnce(ctx, open, &after, out)
		if ctx.Err() != nil {
			return nil
		}
		if domain.CodeOf(err) != domain.CodeUnavailable {
			return err
		}
		if delivered {
			wait = b.min
		}
		log.Warn("KurrentDB subscription dropped; resubscribing", "after", after, "in", wait, "err", err)
		if !feed.Sleep(ctx, wait) {
			return nil
		}
		wait = min(wait*2, b.max)
	}
}

// followOnce runs one stream until it fails, advancing *after past each delivered event. It
// reports whether it delivered anything, and the error that ended the stream.
func followOnce(ctx context.Context, open openFunc, after *uint64, out chan<- domain.RecordedEvent) (bool, error) {
	st, err := open(ctx, *after)
	if err != nil {
		return false, err
	}
	defer st.Close()
	delivered := false
	for {
		e, err := st.Next()
		if err != nil {
			return delivered, err
		}
		if e.Position <= *after {
			continue // already delivered before the stream was reopened
		}
		select {
		case out <- e:
			*after = e.Position
			delivered = true
		case <-ctx.Done():
			return delivered, ctx.Err()
		}
	}
}
