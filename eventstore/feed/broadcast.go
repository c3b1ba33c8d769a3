// Package feed holds what the store adapters share to turn "read the log after position P" into
// a catch-up-then-live subscription: a wake-up broadcaster and the subscription loop.
package feed

import "sync"

// Broadcaster wakes every waiter at once. A waiter takes the channel before it reads, so a
// notification that lands between its read and its wait is never lost.
type Broadcaster struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewBroadcaster returns a ready broadcaster.
func NewBroadcaster() *Broadcaster { return &Broadcaster{ch: make(chan struct{})} }

// Wait returns a channel that is closed at the next Notify.
func (b *Broadcaster) Wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

// Notify wakes all current waiters.
func (b *Broadcaster) Notify() {
	b.mu.Lock()
	close(b.ch)
	b.ch = make(chan struct{})
	b.mu.Unlock()
}
