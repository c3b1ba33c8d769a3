package commands

import (
	"container/heap"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// Scheduler emits CaseDeadlineWarned and CaseOverdue, once per deadline. It holds no state of
// its own: it follows the log from the start, so the deadlines it watches are always what the
// events say, and a restart simply rebuilds them. Each mark goes through MarkDeadline, which
// decides from the stored case (a deadline met or moved in the meantime decides nothing), and
// carries an idempotency key derived from the deadline, so two schedulers, or one restarted
// mid-tick, never write a mark twice.
type Scheduler struct {
	store   domain.EventStore
	handler *Handler
	clock   func() time.Time
	log     *slog.Logger

	mu       sync.Mutex
	cases    map[string]*cases.State // open cases with running deadlines
	due      dueHeap
	position uint64
	moved    *sync.Cond
}

// NewScheduler returns a scheduler marking through handler.
func NewScheduler(store domain.EventStore, handler *Handler, clock func() time.Time, log *slog.Logger) *Scheduler {
	s := &Scheduler{store: store, handler: handler, clock: clock, log: log, cases: map[string]*cases.State{}}
	s.moved = sync.NewCond(&s.mu)
	return s
}

// Run follows the log and ticks on spec (a robfig/cron spec with seconds, e.g. "@every 1s")
// until ctx ends. Errors: whatever ended the subscription.
func (s *Scheduler) Run(ctx context.Context, spec string) error {
	c := cron.New(cron.WithSeconds())
	if _, err := c.AddFunc(spec, func() { s.Tick(ctx, s.clock()) }); err != nil {
		return domain.Invalid("schedule", "%q is not a cron spec: %v", spec, err)
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
	return s.Follow(ctx)
}

// Follow keeps the deadline index up to date with the log until ctx ends.
func (s *Scheduler) Follow(ctx context.Context) error {
	sub, err := s.store.Subscribe(ctx, 0)
	if err != nil {
		return err
	}
	defer sub.Close()
	for e := range sub.Events() {
		s.observe(e)
	}
	if ctx.Err() != nil {
		return nil
	}
	return sub.Err()
}

// WaitFor blocks until the scheduler has seen the log up to position, or ctx ends.
func (s *Scheduler) WaitFor(ctx context.Context, position uint64) error {
	stop := context.AfterFunc(ctx, func() { s.mu.Lock(); s.moved.Broadcast(); s.mu.Unlock() })
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.position < position && ctx.Err() == nil {
		s.moved.Wait()
	}
	return ctx.Err()
}

func (s *Scheduler) observe(r domain.RecordedEvent) {
	s.mu.Lock()
	defer func() { s.position = r.Position; s.moved.Broadcast(); s.mu.Unlock() }()
	id, ok := cases.IDFromStream(r.StreamID)
	if !ok || !cases.IsCaseEvent(r.Type) {
		return
	}
	e, err := cases.Decode(r)
	if err != nil {
		s.log.Error("scheduler: undecodable case event", "position", r.Position, "err", err)
		return
	}
	st := s.cases[id]
	if st == nil {
		st = &cases.State{ID: id}
		s.cases[id] = st
	}
	before := make(map[cases.DeadlineKey]bool, len(st.Deadlines))
	for _, d := range st.Deadlines {
		before[d.Key()] = true
	}
	st.Apply(e)
	for _, d := range st.Deadlines {
		if before[d.Key()] {
			continue // queued when it started
		}
		if !st.Warned[d.Key()] && !st.Overdue[d.Key()] {
			heap.Push(&s.due, dueItem{caseID: id, deadline: d, at: d.WarnAt})
		}
		if !st.Overdue[d.Key()] {
			heap.Push(&s.due, dueItem{caseID: id, deadline: d, at: d.Due, overdue: true})
		}
	}
	if allMarked(st) {
		// Nothing left to watch. Every event that starts a deadline carries it whole, so
		// a later one (a reopen, an extension) starts the case again from that event.
		delete(s.cases, id)
	}
}

// allMarked reports whether every running deadline of st is already marked overdue.
func allMarked(st *cases.State) bool {
	for _, d := range st.Deadlines {
		if !st.Overdue[d.Key()] {
			return false
		}
	}
	return true
}

// Tick marks every deadline that is due at now. It returns how many marks it wrote.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) int {
	var todo []dueItem
	s.mu.Lock()
	for s.due.Len() > 0 && !s.due[0].at.After(now) {
		it := heap.Pop(&s.due).(dueItem)
		if s.stillPending(it) {
			todo = append(todo, it)
		}
	}
	s.mu.Unlock()
	written := 0
	for _, it := range todo {
		cmd := cases.MarkDeadline{Stage: it.deadline.Stage, Due: it.deadline.Due, Overdue: it.overdue}
		key := "deadline:" + string(it.deadline.Stage) + ":" + strconv.FormatInt(it.deadline.Due.UnixNano(), 10) + ":" + strconv.FormatBool(it.overdue)
		res, err := s.handler.Execute(ctx, it.caseID, cmd, Meta{Actor: "system:scheduler", Channel: "scheduler", IdempotencyKey: key})
		if err != nil {
			s.log.Warn("scheduler: mark failed; will retry", "case", it.caseID, "stage", it.deadline.Stage, "err", err)
			s.mu.Lock()
			it.at = now.Add(time.Second)
			heap.Push(&s.due, it)
			s.mu.Unlock()
			continue
		}
		if !res.Replayed {
			written += len(res.Events)
		}
	}
	return written
}

// stillPending drops items whose deadline ended, moved or was marked since they were queued.
func (s *Scheduler) stillPending(it dueItem) bool {
	st := s.cases[it.caseID]
	if st == nil {
		return false
	}
	d, ok := st.Deadlines[it.deadline.Stage]
	if !ok || !d.Due.Equal(it.deadline.Due) {
		return false
	}
	if it.overdue {
		return !st.Overdue[d.Key()]
	}
	return !st.Warned[d.Key()] && !st.Overdue[d.Key()]
}

// Pending returns how many marks are queued (for status pages and tests).
func (s *Scheduler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.due.Len()
}

type dueItem struct {
	caseID   string
	deadline cases.Deadline
	at       time.Time
	overdue  bool
}

// dueHeap orders marks by the instant they fall due.
type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
