package projections

import (
	"context"
	"strconv"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// ProjectionStatus is one projection's progress, as /api/v1/projections shows it.
type ProjectionStatus struct {
	Name    string `json:"name"`
	Durable bool   `json:"durable"` // stored in a sink with its checkpoint; false: in memory
	State   string `json:"state"`   // starting, catching-up, live, retrying, failed, stopped
	// Position is the last event applied (for a durable projection: committed with it).
	Position uint64 `json:"position"`
	Head     uint64 `json:"head"` // the store's last position
	// LagEvents is how many events of the log the projection has not applied.
	LagEvents uint64 `json:"lagEvents"`
	// LagSeconds is how long the oldest event it has not applied has been in the log: wall
	// clock now minus that event's recorded-at (0 when caught up).
	LagSeconds float64  `json:"lagSeconds"`
	Applied    uint64   `json:"applied"` // events applied since this process started
	Failure    *Failure `json:"failure,omitempty"`
	Error      string   `json:"error,omitempty"` // the last passing error (sink or log unreachable)
}

// Status returns every projection's status, in the order they were added. It asks the store
// for its head and, for each projection behind it, for the recorded-at of the first event it
// has not applied; when the store does not answer within a second, the last known head is used
// and the lag in seconds is left at 0.
func (r *Runner) Status() []ProjectionStatus {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return r.status(ctx)
}

func (r *Runner) status(ctx context.Context) []ProjectionStatus {
	if st, err := r.store.Stats(ctx); err == nil && st.LastPosition > r.head.Load() {
		r.head.Store(st.LastPosition)
	}
	head, now := r.head.Load(), r.opts.Now()
	var readErr string
	if p := r.readErr.Load(); p != nil {
		readErr = *p
	}
	out := make([]ProjectionStatus, 0, len(r.workers))
	next := map[uint64]time.Time{} // recorded-at by position, read once for projections at one place
	for _, w := range r.workers {
		w.mu.Lock()
		s := ProjectionStatus{Name: w.name, Durable: w.sink != nil, State: w.state, Position: w.position,
			Head: head, Applied: w.applied, Failure: w.failure, Error: w.lastErr}
		w.mu.Unlock()
		if s.Error == "" {
			s.Error = readErr
		}
		if s.Position < head {
			s.LagEvents = head - s.Position
			at, ok := next[s.Position]
			if !ok {
				if evs, err := r.store.ReadAll(ctx, s.Position, 1); err == nil && len(evs) == 1 {
					at, ok = evs[0].RecordedAt, true
					next[s.Position] = at
				}
			}
			if ok && now.After(at) {
				s.LagSeconds = now.Sub(at).Seconds()
			}
		}
		out = append(out, s)
	}
	return out
}

// Position returns the last position the named projection has applied, and whether there is
// such a projection.
func (r *Runner) Position(name string) (uint64, bool) {
	w := r.byName[name]
	if w == nil {
		return 0, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.position, true
}

// WaitFor blocks until the named projection has applied every event up to position (read
// your writes: pass the last position of an append). Errors: not_found for an unknown
// projection, internal when it failed below position, unavailable when ctx ends or the runner
// stops first.
func (r *Runner) WaitFor(ctx context.Context, name string, position uint64) error {
	w := r.byName[name]
	if w == nil {
		return domain.NotFound("projection", "no projection %q", name)
	}
	stop := context.AfterFunc(ctx, func() { w.mu.Lock(); w.moved.Broadcast(); w.mu.Unlock() })
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.position < position && w.state != StateFailed && w.state != StateStopped && ctx.Err() == nil {
		w.moved.Wait()
	}
	switch {
	case w.position >= position:
		return nil
	case w.state == StateFailed:
		return domain.Internal("projection "+name+" failed at position "+itoa(w.failure.Position)+": "+w.failure.Error, nil)
	case ctx.Err() != nil:
		return domain.Unavailable("projection "+name+" is at position "+itoa(w.position)+", not yet at "+itoa(position), ctx.Err())
	}
	return domain.Unavailable("projection "+name+" has stopped", nil)
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
