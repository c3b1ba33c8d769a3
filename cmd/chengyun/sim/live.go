package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// LiveOptions shape a live run.
type LiveOptions struct {
	// Speed accelerates the demo: Speed times the city's reports, staff acting Speed times
	// faster. Ignored when Rate is set.
	Speed float64
	// Rate makes the run a load test: this many requests a second, each case's next step
	// sent as soon as the last one is answered, new cases started to keep the rate.
	Rate float64
	// Workers bounds the requests in flight.
	Workers int
	// Backlog has the staff pick up the open cases they find in the case list (the history's,
	// or a previous run's), at start and every minute.
	Backlog bool
	// KeyPrefix makes this run's idempotency keys its own (the reports of two runs must not
	// be taken for retries of each other).
	KeyPrefix string
	// Replay, when set, are the arrivals to send instead of the generator's (a 311 export):
	// at their own pace compressed by Speed, from the first one on; the run ends when they are
	// all done.
	Replay []Arrival
	// Interval between progress reports (0: none).
	Interval time.Duration
	Report   func(Summary)
}

// Live drives a running server through its HTTP API.
type Live struct {
	gen   *Generator
	c     *Client
	o     LiveOptions
	log   *slog.Logger
	Stats *Stats

	mu     sync.Mutex
	due    dueHeap
	known  map[string]bool
	wake   chan struct{}
	rescan chan struct{}
	alive  atomic.Int64 // stories not yet ended
}

// NewLive returns a live run of gen's city against c (logged in).
func NewLive(gen *Generator, c *Client, o LiveOptions, log *slog.Logger) *Live {
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Speed <= 0 {
		o.Speed = 1
	}
	return &Live{gen: gen, c: c, o: o, log: log, Stats: NewStats(), known: map[string]bool{}, wake: make(chan struct{}, 1),
		rescan: make(chan struct{}, 1)}
}

// running is a case whose story the simulator is telling.
type running struct {
	key    string // the arrival's key, the root of its steps' idempotency keys
	source cases.Source
	caseID string // "" until the report is answered
	report *cases.Report
	steps  []Step
	next   int       // index of the next step; -1: the report
	base   time.Time // wall time the step offsets count from
	tries  int
	due    time.Time
}

func (r *running) name() string {
	if r.next < 0 {
		return "report"
	}
	return r.steps[r.next].Cmd.Name()
}

func (r *running) command() any {
	if r.next < 0 {
		return *r.report
	}
	return r.steps[r.next].Cmd
}

// Run sends the city's activity until ctx ends, then returns the run's summary. Errors: none
// but ctx's end; failed requests are counted, not fatal.
func (l *Live) Run(ctx context.Context) Summary {
	work := make(chan job)
	var wg sync.WaitGroup
	for range l.o.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); l.worker(ctx, work) }()
	}
	if l.o.Interval > 0 && l.o.Report != nil {
		go l.reportEvery(ctx)
	}
	if l.o.Backlog {
		go l.followBacklog(ctx)
	}
	if l.o.Rate > 0 {
		l.paced(ctx, work)
	} else {
		l.timed(ctx, work)
	}
	close(work)
	wg.Wait()
	return l.Stats.Total()
}

type job struct {
	r  *running
	at time.Time // when it was due: latency counts from here
}

// timed is the demo: arrivals at their instants (compressed by Speed), steps when due.
func (l *Live) timed(ctx context.Context, work chan<- job) {
	start := time.Now()
	hour := start.Truncate(time.Hour)
	if l.o.Replay != nil {
		l.queueReplay(start)
	} else {
		l.queueHour(hour, start)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := time.Now()
		if l.o.Replay != nil && l.alive.Load() == 0 {
			return
		}
		if l.o.Replay == nil && !now.Before(hour.Add(50*time.Minute)) { // draw the next hour ahead of time
			hour = hour.Add(time.Hour)
			l.queueHour(hour, start)
		}
		for r := l.popDue(now); r != nil; r = l.popDue(now) {
			select {
			case work <- job{r: r, at: r.due}:
			case <-ctx.Done():
				return
			}
		}
		wait := time.Minute
		if next, ok := l.nextDue(); ok {
			wait = min(wait, time.Until(next))
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-l.wake:
		}
	}
}

// queueHour queues the arrivals of the hour starting at h that fall after start.
func (l *Live) queueHour(h, start time.Time) {
	for _, a := range l.gen.Hour(h, l.o.Speed) {
		if a.At.Before(start) {
			continue
		}
		l.alive.Add(1)
		l.push(&running{key: a.Key, source: a.Report.Source, report: &a.Report, steps: a.Steps, next: -1, base: a.At, due: a.At})
	}
}

// queueReplay queues the replayed arrivals from start on, their gaps divided by Speed.
func (l *Live) queueReplay(start time.Time) {
	if len(l.o.Replay) == 0 {
		return
	}
	first := l.o.Replay[0].At
	for _, a := range l.o.Replay {
		at := start.Add(time.Duration(float64(a.At.Sub(first)) / l.o.Speed))
		l.alive.Add(1)
		l.push(&running{key: a.Key, source: a.Report.Source, report: &a.Report, steps: a.Steps, next: -1, base: at, due: at})
	}
}

// paced is the load test: one request every 1/Rate seconds, the next step of a case as soon
// as its last one is answered, and a new case whenever no step is ready.
func (l *Live) paced(ctx context.Context, work chan<- job) {
	start := time.Now()
	interval := time.Duration(float64(time.Second) / l.o.Rate)
	var pending []Arrival
	hour := start.Truncate(time.Hour)
	for k := int64(0); ; k++ {
		at := start.Add(time.Duration(k) * interval)
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		} else if ctx.Err() != nil {
			return
		}
		r := l.popDue(time.Now())
		if r == nil {
			for len(pending) == 0 {
				pending = l.gen.Hour(hour, 1)
				hour = hour.Add(time.Hour)
			}
			a := pending[0]
			pending = pending[1:]
			l.alive.Add(1)
			r = &running{key: a.Key, source: a.Report.Source, report: &a.Report, steps: a.Steps, next: -1}
		}
		select {
		case work <- job{r: r, at: at}:
		case <-ctx.Done():
			return
		}
	}
}

func (l *Live) worker(ctx context.Context, work <-chan job) {
	for j := range work {
		l.send(ctx, j)
	}
}

// send runs one step and queues the case's next one.
func (l *Live) send(ctx context.Context, j job) {
	r := j.r
	name := r.name()
	key := fmt.Sprintf("%s%s/%d", l.o.KeyPrefix, r.key, r.next)
	reply, err := l.c.Command(ctx, RoleOf(r.source, name), r.caseID, name, key, r.command())
	if ctx.Err() != nil {
		return
	}
	l.Stats.record(name, time.Since(j.at), err)
	var api *APIError
	switch {
	case err == nil:
		if r.next < 0 {
			r.caseID = reply.CaseID
			l.mu.Lock()
			l.known[r.caseID] = true
			l.mu.Unlock()
		}
		r.next, r.tries = r.next+1, 0
	case errors.As(err, &api) && api.Status < 500 && api.Status != 429:
		// The domain refused (someone else moved the case on, or the story no longer
		// fits): a person would leave it there.
		l.log.Debug("simulated step refused", "case", r.caseID, "command", name, "err", err)
		l.alive.Add(-1)
		return
	default: // the server is down or overloaded: the same request again, later
		if r.tries++; r.tries > 20 {
			l.log.Warn("simulated step given up", "case", r.caseID, "command", name, "err", err)
			l.alive.Add(-1)
			return
		}
		r.due = time.Now().Add(time.Duration(r.tries) * time.Second)
		l.push(r)
		return
	}
	if r.next >= len(r.steps) {
		l.alive.Add(-1)
		l.push(nil) // wakes the pacer, which may be waiting for the last story to end
		return
	}
	if l.o.Rate > 0 {
		r.due = time.Now()
	} else {
		r.due = r.base.Add(time.Duration(float64(r.steps[r.next].After) / l.o.Speed))
	}
	l.push(r)
}

// followBacklog hands the open cases nobody in this run is working on to the staff.
func (l *Live) followBacklog(ctx context.Context) {
	for {
		found := 0
		err := l.c.OpenCases(ctx, OpenStatuses(), func(oc OpenCase) {
			l.mu.Lock()
			seen := l.known[oc.ID]
			l.known[oc.ID] = true
			l.mu.Unlock()
			if seen {
				return
			}
			now := time.Now()
			steps := l.gen.Continue(oc.ID, cases.Source(oc.Source), cases.Status(oc.Status), now)
			if len(steps) == 0 {
				return
			}
			found++
			l.alive.Add(1)
			r := &running{key: "open-" + oc.ID + "-" + oc.Status, source: cases.Source(oc.Source), caseID: oc.ID, steps: steps, base: now}
			r.due = now.Add(time.Duration(float64(steps[0].After) / l.o.Speed))
			l.push(r)
		})
		if err != nil && ctx.Err() == nil {
			l.log.Warn("simulator could not list open cases", "err", err)
		} else if found > 0 {
			l.log.Info("simulated staff picked up open cases", "cases", found)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		case <-l.rescan:
		}
	}
}

// ScanBacklog looks for open cases now rather than at the next minute (the history has just
// been written).
func (l *Live) ScanBacklog() {
	select {
	case l.rescan <- struct{}{}:
	default:
	}
}

func (l *Live) reportEvery(ctx context.Context) {
	t := time.NewTicker(l.o.Interval)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.o.Report(l.Stats.Interval(last))
			last = now
		}
	}
}

// push queues r (nil only wakes the loop).
func (l *Live) push(r *running) {
	if r != nil {
		l.mu.Lock()
		heap.Push(&l.due, r)
		l.mu.Unlock()
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *Live) popDue(now time.Time) *running {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.due) == 0 || l.due[0].due.After(now) {
		return nil
	}
	return heap.Pop(&l.due).(*running)
}

func (l *Live) nextDue() (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.due) == 0 {
		return time.Time{}, false
	}
	return l.due[0].due, true
}

type dueHeap []*running

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*running)) }
func (h *dueHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
