package projections

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// batch is a run of consecutive events, decoded, shared read-only by every projection.
type batch struct {
	events []Event
}

// read catches up from position from with ReadAll pages, then follows the log live from the
// last position read. Reading and decoding overlap: the pages go through a short queue to a
// dispatcher that decodes them and hands them on. A read that fails is retried with backoff:
// the store restarting pauses the projections, it does not end them.
func (r *Runner) read(ctx context.Context, from uint64) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []domain.RecordedEvent, 2)
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		for page := range pages {
			if !r.dispatch(ctx, page) {
				cancel() // no projection is left to feed
			}
		}
	}()
	defer func() { close(pages); <-dispatched }()
	send := func(page []domain.RecordedEvent) bool {
		select {
		case pages <- page:
			return true
		case <-ctx.Done():
			return false
		}
	}
	pos, wait := from, r.opts.Retry
	for ctx.Err() == nil {
		page, err := r.store.ReadAll(ctx, pos, r.opts.PageSize)
		if err != nil {
			if !r.readFailed(ctx, err, &wait) {
				return
			}
			continue
		}
		r.readErr.Store(nil)
		wait = r.opts.Retry
		if len(page) > 0 {
			if !send(page) {
				return
			}
			pos = page[len(page)-1].Position
		}
		if len(page) < r.opts.PageSize {
			break
		}
	}
	for ctx.Err() == nil {
		next, err := r.follow(ctx, pos, send)
		if next > pos {
			pos, wait = next, r.opts.Retry
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			// The store ended the feed without saying why (it is closing): wait as after an
			// error rather than subscribe again at once, round and round.
			err = domain.Unavailable("the log's subscription ended", nil)
		}
		if !r.readFailed(ctx, err, &wait) {
			return
		}
	}
}

// follow subscribes after pos and hands on batches: all that is waiting in the feed, up to
// BatchSize, so a busy log is applied in large batches and a quiet one at once. It returns
// the last position handed on and why the subscription ended.
func (r *Runner) follow(ctx context.Context, pos uint64, send func([]domain.RecordedEvent) bool) (uint64, error) {
	sub, err := r.store.Subscribe(ctx, pos)
	if err != nil {
		return pos, err
	}
	defer sub.Close()
	ch := sub.Events()
	for {
		var first domain.RecordedEvent
		var ok bool
		select {
		case first, ok = <-ch:
		case <-ctx.Done():
			return pos, nil
		}
		if !ok {
			return pos, sub.Err()
		}
		r.readErr.Store(nil)
		buf := []domain.RecordedEvent{first}
	drain:
		for len(buf) < r.opts.BatchSize {
			select {
			case e, more := <-ch:
				if !more {
					break drain
				}
				buf = append(buf, e)
			default:
				break drain
			}
		}
		if !send(buf) {
			return pos, nil
		}
		pos = buf[len(buf)-1].Position
	}
}

// readFailed logs a read error and waits before the retry; false means ctx ended.
func (r *Runner) readFailed(ctx context.Context, err error, wait *time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	msg := err.Error()
	r.readErr.Store(&msg)
	r.opts.Log.Warn("projections: reading the log failed; retrying", "err", err, "in", *wait)
	var ok bool
	*wait, ok = backoff(ctx, *wait)
	return ok
}

// dispatch decodes raw and hands the batch to every projection still running. It reports
// false when ctx ended or no projection is left to feed.
func (r *Runner) dispatch(ctx context.Context, raw []domain.RecordedEvent) bool {
	b := &batch{events: decodeAll(raw)}
	if last := raw[len(raw)-1].Position; last > r.head.Load() {
		r.head.Store(last) // a lower bound: Stats may know more
	}
	running := 0
	for _, w := range r.workers {
		select {
		case w.in <- b:
			running++
		case <-w.done: // stopped (failed): it is not fed any more, and waits for nobody
		case <-ctx.Done():
			return false
		}
	}
	return running > 0
}

// decodeAll decodes the case events of raw. Large batches are split over the processors:
// decoding JSON is the bulk of a replay's work.
func decodeAll(raw []domain.RecordedEvent) []Event {
	out := make([]Event, len(raw))
	parts := runtime.GOMAXPROCS(0)
	if len(raw) < 256 || parts == 1 {
		decodeRange(raw, out)
		return out
	}
	var wg sync.WaitGroup
	size := (len(raw) + parts - 1) / parts
	for lo := 0; lo < len(raw); lo += size {
		hi := min(lo+size, len(raw))
		wg.Add(1)
		go func() { defer wg.Done(); decodeRange(raw[lo:hi], out[lo:hi]) }()
	}
	wg.Wait()
	return out
}

func decodeRange(raw []domain.RecordedEvent, out []Event) {
	for i := range raw {
		out[i] = decodeOne(raw[i])
	}
}

func decodeOne(e domain.RecordedEvent) Event {
	out := Event{RecordedEvent: e}
	id, ok := cases.IDFromStream(e.StreamID)
	if !ok || !cases.IsCaseEvent(e.Type) {
		return out
	}
	out.CaseID = id
	ce, err := cases.Decode(e)
	if err != nil {
		out.DecodeErr = err
		return out
	}
	out.Case = &ce
	return out
}
