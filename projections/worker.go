package projections

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// The states of a projection.
const (
	StateStarting   = "starting"    // loading its checkpoint and rows
	StateCatchingUp = "catching-up" // behind the head the runner found at start
	StateLive       = "live"        // has reached that head; follows the log
	StateRetrying   = "retrying"    // a commit or load failed for a passing reason (sink down)
	StateFailed     = "failed"      // an event could not be applied: stopped for good
	StateStopped    = "stopped"     // the runner ended
)

// Failure is the event a projection stopped at.
type Failure struct {
	Position uint64    `json:"position,omitempty"`
	EventID  string    `json:"eventId,omitempty"`
	Type     string    `json:"type,omitempty"`
	StreamID string    `json:"streamId,omitempty"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

// worker runs one projection: it applies the batches the reader hands it and commits each
// with its checkpoint.
type worker struct {
	r    *Runner
	p    Projection
	sink Sink
	name string
	in   chan *batch
	done chan struct{} // closed when run returns

	mu       sync.Mutex
	moved    *sync.Cond // broadcast when position or state changes
	position uint64     // last event applied (and, when durable, committed)
	applied  uint64     // events applied since start
	state    string
	failure  *Failure
	lastErr  string
}

// load reads the checkpoint and rows of a durable projection, or resets an in-memory one.
func (w *worker) load(ctx context.Context) error {
	if w.sink == nil {
		if rs, ok := w.p.(Resetter); ok {
			rs.Reset()
		}
		w.setPosition(0)
		return nil
	}
	pos, err := w.sink.Checkpoint(ctx, w.name)
	if err != nil {
		return err
	}
	if l, ok := w.p.(Loader); ok {
		if err := l.Load(ctx, w.sink); err != nil {
			return err
		}
	}
	w.setPosition(pos)
	return nil
}

func (w *worker) setPosition(pos uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.position = pos
	w.updateState()
	w.moved.Broadcast()
}

// updateState is called with mu held after the position moved.
func (w *worker) updateState() {
	if w.state == StateFailed {
		return
	}
	if w.position >= w.r.startHead {
		w.state = StateLive
	} else {
		w.state = StateCatchingUp
	}
}

func (w *worker) run(ctx context.Context) {
	defer func() {
		w.mu.Lock()
		if w.state != StateFailed {
			w.state = StateStopped
		}
		w.moved.Broadcast()
		w.mu.Unlock()
		close(w.done)
	}()
	for {
		select {
		case b := <-w.in:
			if stop := w.apply(ctx, w.gather(b)); stop {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// gather joins the batches already queued behind b, up to MaxCommit events, into one commit.
func (w *worker) gather(b *batch) []Event {
	events := b.events
	for len(events) < w.r.opts.MaxCommit {
		select {
		case next := <-w.in:
			// A new slice: the batches' own are shared with the other projections.
			events = slices.Concat(events, next.events)
			continue
		default:
		}
		break
	}
	return events
}

// apply applies the events of a batch past the checkpoint and commits them. A commit or sink
// that fails for a passing reason (unavailable) is retried: the mirror is loaded again from
// the sink, which the failed commit left as it was, and the batch applied again. It reports
// whether the projection stopped (failed, or ctx ended).
func (w *worker) apply(ctx context.Context, events []Event) bool {
	wait := w.r.opts.Retry
	for {
		err := w.applyOnce(ctx, events)
		if err == nil {
			return false
		}
		var f *failedAt
		if errors.As(err, &f) {
			return true
		}
		if ctx.Err() != nil {
			return true
		}
		if domain.CodeOf(err) != domain.CodeUnavailable {
			w.fail(&Failure{Error: err.Error()})
			return true
		}
		w.setRetrying(err)
		w.r.opts.Log.Warn("projection: sink unavailable; retrying the batch", "projection", w.name, "err", err, "in", wait)
		var ok bool
		if wait, ok = backoff(ctx, wait); !ok {
			return true
		}
		if err := w.load(ctx); err != nil && ctx.Err() == nil {
			w.setRetrying(err)
		}
	}
}

// failedAt is returned by applyOnce when the projection failed on an event (recorded).
type failedAt struct{ Failure }

func (f *failedAt) Error() string { return f.Failure.Error }

func (w *worker) applyOnce(ctx context.Context, events []Event) error {
	w.mu.Lock()
	from := w.position
	w.mu.Unlock()
	i := 0
	for i < len(events) && events[i].Position <= from {
		i++
	}
	events = events[i:]
	if len(events) == 0 {
		return nil
	}
	var tx Tx
	if w.sink != nil {
		var err error
		if tx, err = w.sink.Begin(ctx, w.name); err != nil {
			return err
		}
		defer tx.Rollback()
	}
	n := 0
	var failure *Failure
	for i := range events {
		if err := w.p.Apply(tx, &events[i]); err != nil {
			e := &events[i]
			failure = &Failure{Position: e.Position, EventID: e.ID, Type: e.Type, StreamID: e.StreamID, Error: err.Error()}
			break
		}
		n++
	}
	if n > 0 {
		last := events[n-1].Position
		if f, ok := w.p.(Flusher); ok {
			if err := f.Flush(tx); err != nil {
				return err
			}
		}
		if tx != nil {
			if err := tx.Commit(ctx, last); err != nil {
				return err
			}
		}
		w.mu.Lock()
		w.position, w.lastErr = last, ""
		w.applied += uint64(n)
		w.updateState()
		w.moved.Broadcast()
		w.mu.Unlock()
	}
	if failure != nil {
		w.fail(failure)
		return &failedAt{*failure}
	}
	return nil
}

func (w *worker) fail(f *Failure) {
	f.At = w.r.opts.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.state, w.failure = StateFailed, f
	w.moved.Broadcast()
	w.r.opts.Log.Error("projection failed: it stops here, the others go on", "projection", w.name,
		"position", f.Position, "event", f.EventID, "type", f.Type, "err", f.Error)
}

func (w *worker) setRetrying(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.state, w.lastErr = StateRetrying, err.Error()
}
