package projections

import (
	"context"
	"log/slog"
	"regexp"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Options tune a runner. Zero values take the defaults.
type Options struct {
	// PageSize is how many events one ReadAll of the catch-up reads (default 1000).
	PageSize int
	// BatchSize caps the events the reader hands on at once when the live feed is busy
	// (default 1000). A batch ends earlier when the feed is drained.
	BatchSize int
	// MaxCommit caps the events of one commit of a projection (default 5000). A projection
	// behind the reader (catching up, or waiting on its sink) takes every batch queued for it,
	// up to this many events, into one commit: fewer, larger commits the further behind it is,
	// and one small commit per batch when it keeps up.
	MaxCommit int
	// CatchUpGC, when positive, is the GC percent while the projections catch up (restored
	// when every one is live): a catch-up allocates for every event it reads and decodes, and
	// on two cores the collector otherwise takes about a quarter of the replay. The setting is
	// the process's, so only the binary sets it.
	CatchUpGC int
	// StatsEvery is how often OnLag is called (default 1 s).
	StatsEvery time.Duration
	// OnLag, when set, is told each projection's lag every StatsEvery (for /metrics).
	OnLag func(name string, events uint64, seconds float64)
	// Now is the wall clock that lag seconds are measured on (default time.Now).
	Now func() time.Time
	// Retry is the first wait after a failed read or commit; it doubles up to 5 s (default 100 ms).
	Retry time.Duration
	Log   *slog.Logger
}

// Runner feeds registered projections from the log: it catches up with ReadAll pages from
// the lowest checkpoint, then follows the log with Subscribe from the last position it read.
// Each batch is decoded once and handed to every projection, each in its own goroutine, so a
// slow or failed projection holds up no other (a failed one is simply no longer fed).
type Runner struct {
	store   domain.EventStore
	opts    Options
	workers []*worker
	byName  map[string]*worker

	started   atomic.Bool
	head      atomic.Uint64 // highest position known to exist: from Stats and from reading
	startHead uint64        // the head when Start ran: reaching it ends the catch-up
	wg        sync.WaitGroup
	readErr   atomic.Pointer[string]
}

// NewRunner returns a runner over store with no projections yet.
func NewRunner(store domain.EventStore, opts Options) *Runner {
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.MaxCommit <= 0 {
		opts.MaxCommit = 5000
	}
	if opts.StatsEvery <= 0 {
		opts.StatsEvery = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retry <= 0 {
		opts.Retry = 100 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: store, opts: opts, byName: map[string]*worker{}}
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)

// ValidName reports whether name may name a projection: a lower-case letter, then up to 62
// lower-case letters, digits, '_', '.' or '-' (sinks use it in keys and rows).
func ValidName(name string) bool { return validName.MatchString(name) }

// Add registers p, durable in sink or in memory when sink is nil. Errors: invalid for a bad
// name, conflict for a name already registered or a runner already started.
func (r *Runner) Add(p Projection, sink Sink) error {
	name := p.Name()
	switch {
	case r.started.Load():
		return domain.Conflict("projection", "the runner has started: add %s before Start", name)
	case !ValidName(name):
		return domain.Invalid("projection", "%q is not a projection name (lower-case letters, digits, '_', '.', '-')", name)
	case r.byName[name] != nil:
		return domain.Conflict("projection", "%s is registered twice", name)
	}
	w := &worker{r: r, p: p, sink: sink, name: name, in: make(chan *batch, 4), done: make(chan struct{}), state: StateStarting}
	w.moved = sync.NewCond(&w.mu)
	r.workers = append(r.workers, w)
	r.byName[name] = w
	return nil
}

// Start loads every projection (a durable one's checkpoint and, for a Loader, its rows; an
// in-memory one is Reset to start from 0) and then runs the runner in the background until
// ctx ends; Wait waits for it. Nothing runs when Start fails. Errors: conflict when started
// twice, whatever a sink or Load returns (unavailable, internal), unavailable when the
// store's head cannot be read.
func (r *Runner) Start(ctx context.Context) error {
	if !r.started.CompareAndSwap(false, true) {
		return domain.Conflict("runner", "started twice")
	}
	st, err := r.store.Stats(ctx)
	if err != nil {
		return err
	}
	r.startHead = st.LastPosition
	r.head.Store(st.LastPosition)
	from := ^uint64(0)
	for _, w := range r.workers {
		if err := w.load(ctx); err != nil {
			return err
		}
		from = min(from, w.position)
	}
	if len(r.workers) == 0 {
		from = st.LastPosition
	}
	for _, w := range r.workers {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); w.run(ctx) }()
	}
	if r.opts.CatchUpGC > 0 {
		prev := debug.SetGCPercent(r.opts.CatchUpGC)
		go func() {
			defer debug.SetGCPercent(prev)
			for _, w := range r.workers {
				_ = r.WaitFor(ctx, w.name, st.LastPosition)
			}
		}()
	}
	r.wg.Add(2)
	go func() { defer r.wg.Done(); r.read(ctx, from) }()
	go func() { defer r.wg.Done(); r.monitor(ctx) }()
	return nil
}

// Wait blocks until every goroutine of a started runner has stopped (after its ctx ended):
// the last batch of each projection is committed or dropped whole, so the sinks may be closed.
func (r *Runner) Wait() { r.wg.Wait() }

// Names lists the registered projections in the order they were added.
func (r *Runner) Names() []string {
	out := make([]string, len(r.workers))
	for i, w := range r.workers {
		out[i] = w.name
	}
	return out
}

// monitor reports lag to OnLag every StatsEvery.
func (r *Runner) monitor(ctx context.Context) {
	if r.opts.OnLag == nil {
		return
	}
	t := time.NewTicker(r.opts.StatsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, s := range r.status(ctx) {
				r.opts.OnLag(s.Name, s.LagEvents, s.LagSeconds)
			}
		}
	}
}

// backoff waits d (or until ctx ends) and returns the next wait.
func backoff(ctx context.Context, d time.Duration) (time.Duration, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return min(2*d, 5*time.Second), true
	case <-ctx.Done():
		return d, false
	}
}
