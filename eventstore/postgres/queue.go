package postgres

import (
	"sync"
	"time"
)

// Batch limits of the group commit: the batcher stops adding appends to a transaction once it
// holds this many events or bytes (a single larger append still goes alone).
const (
	maxBatchEvents = 2000
	maxBatchBytes  = 8 << 20
)

// queue holds the appends not yet taken by the batcher.
type queue struct {
	mu      sync.Mutex
	pending []*request
	events  int // events in pending
	closed  bool
	want    int           // pending appends the batcher waits for (see await)
	wake    chan struct{} // capacity 1: "there is something to look at"
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

// push queues r. Errors: unavailable "store closed" after close.
func (q *queue) push(r *request) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return errClosed
	}
	q.pending = append(q.pending, r)
	q.events += len(r.events)
	// Wake the batcher only when it has something to act on: the first pending append, or
	// the count (or size) it is waiting for.
	n := len(q.pending)
	wake := n == 1 || n >= q.want || q.events >= maxBatchEvents
	q.mu.Unlock()
	if wake {
		q.signal()
	}
	return nil
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes the longest prefix of the pending appends within the batch limits (at least one
// append when any is pending). closed reports that no more will come.
func (q *queue) take() (batch []*request, closed bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	events, bytes, n := 0, 0, 0
	for _, r := range q.pending {
		if n > 0 && (events+len(r.events) > maxBatchEvents || bytes+r.size > maxBatchBytes) {
			break
		}
		events += len(r.events)
		bytes += r.size
		n++
	}
	batch = append([]*request(nil), q.pending[:n]...)
	q.events -= events
	rest := copy(q.pending, q.pending[n:])
	clear(q.pending[rest:])
	q.pending = q.pending[:rest]
	return batch, q.closed
}

// await blocks until at least one append is pending and then, for at most linger, until want
// appends are pending or a batch is full, or until the queue is closed. It lets the callers
// just answered come back before the next batch is taken, so that concurrent writers share
// one transaction instead of settling into cohorts that alternate between two.
func (q *queue) await(want int, linger time.Duration) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		q.mu.Lock()
		q.want = want
		n, events, closed := len(q.pending), q.events, q.closed
		q.mu.Unlock()
		if closed || (n > 0 && (n >= want || events >= maxBatchEvents)) {
			return
		}
		if n == 0 {
			<-q.wake
			continue
		}
		if timer == nil {
			timer = time.NewTimer(linger)
		}
		select {
		case <-q.wake:
		case <-timer.C:
			return
		}
	}
}

// len returns the number of pending appends.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// close refuses further appends; those already queued are still written.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}
