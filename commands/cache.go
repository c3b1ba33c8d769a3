package commands

import (
	"slices"
	"sync"

	"github.com/chengyun/chengyun/domain/cases"
)

// stateCache keeps the latest known state of recently used cases, so a command on a warm case
// needs no read: it decides on the cached state and appends with the cached version. The
// store's expected-version check is what makes this safe: if another writer (in this process
// or another) moved the case, the append is a conflict, the entry is dropped, and the retry
// reads the stream. Entries are never changed in place; a writer replaces them.
type stateCache struct {
	mu      sync.Mutex
	entries map[string]*cached
	max     int
}

// cached is one case: its state and the ids of all its events (to recognise a retried
// request without reading the stream).
type cached struct {
	state *cases.State
	ids   []string
}

func newStateCache(max int) *stateCache {
	return &stateCache{entries: make(map[string]*cached), max: max}
}

func (c *stateCache) get(id string) *cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[id]
}

// put stores e unless a newer version of the case is already there.
func (c *stateCache) put(id string, e *cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[id]; old != nil && old.state.Version >= e.state.Version {
		return
	}
	if len(c.entries) >= c.max {
		for k := range c.entries { // evict an arbitrary entry: map order is random enough
			delete(c.entries, k)
			break
		}
	}
	c.entries[id] = e
}

func (c *stateCache) drop(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

func (e *cached) has(id string) bool { return slices.Contains(e.ids, id) }
