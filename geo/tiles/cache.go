package tiles

import (
	"container/list"
	"hash/maphash"
	"sync"
)

// tileKey names one encoded tile. Aggregate layers put their Version in it, so a changed
// count is a different key and stale tiles simply age out of the LRU.
type tileKey struct {
	layer   uint16
	z       uint8
	x, y    uint32
	version uint64
}

// cache is a byte-bounded LRU of encoded tiles that also makes sure only one goroutine builds
// a given tile at a time (the others wait for its result: singleflight). It is split into
// shards, each with its own lock and a share of the budget, so concurrent hits on different
// tiles do not queue on one mutex.
type cache struct {
	shards []cacheShard
	seed   maphash.Seed
	off    bool
}

type cacheShard struct {
	mu       sync.Mutex
	maxBytes int64
	maxTiles int
	bytes    int64
	lru      *list.List // of *entry, most recent first
	entries  map[tileKey]*list.Element
	flights  map[tileKey]*flight
}

type entry struct {
	key  tileKey
	data []byte // nil: the tile is empty (cached too: the empty answer also took work)
}

// flight is a build in progress; done closes when data and err are set.
type flight struct {
	done chan struct{}
	data []byte
	err  error
}

const cacheShards = 16

// entryOverhead approximates the memory of an entry beyond its bytes (list element, map slot).
const entryOverhead = 160

func newCache(maxBytes int64, maxTiles int) *cache {
	c := &cache{shards: make([]cacheShard, cacheShards), seed: maphash.MakeSeed(), off: maxBytes < 0}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.maxBytes = max(maxBytes/cacheShards, 1)
		if maxTiles > 0 {
			sh.maxTiles = max(maxTiles/cacheShards, 1)
		}
		sh.lru = list.New()
		sh.entries = map[tileKey]*list.Element{}
		sh.flights = map[tileKey]*flight{}
	}
	return c
}

func (c *cache) shard(k tileKey) *cacheShard {
	return &c.shards[maphash.Comparable(c.seed, k)%cacheShards]
}

// get returns the cached tile of k, or waits for the build already running for k, or runs
// build itself and caches its result (errors are not cached).
func (c *cache) get(k tileKey, build func() ([]byte, error)) ([]byte, error) {
	sh := c.shard(k)
	sh.mu.Lock()
	if el, ok := sh.entries[k]; ok {
		sh.lru.MoveToFront(el)
		data := el.Value.(*entry).data
		sh.mu.Unlock()
		return data, nil
	}
	if f, ok := sh.flights[k]; ok {
		sh.mu.Unlock()
		<-f.done
		return f.data, f.err
	}
	f := &flight{done: make(chan struct{})}
	sh.flights[k] = f
	sh.mu.Unlock()

	defer func() {
		// Runs on panic too: waiters must not hang on a build that died.
		if r := recover(); r != nil {
			f.err = panicError{r}
			sh.finish(k, f, false)
			panic(r)
		}
	}()
	f.data, f.err = build()
	sh.finish(k, f, f.err == nil && !c.off)
	return f.data, f.err
}

// finish ends a flight, storing its result when keep says so.
func (sh *cacheShard) finish(k tileKey, f *flight, keep bool) {
	sh.mu.Lock()
	delete(sh.flights, k)
	if keep {
		sh.put(k, f.data)
	}
	sh.mu.Unlock()
	close(f.done)
}

// put adds an entry and evicts from the cold end until the shard is within budget; a tile
// larger than the whole budget is not kept.
func (sh *cacheShard) put(k tileKey, data []byte) {
	size := int64(len(data)) + entryOverhead
	if size > sh.maxBytes {
		return
	}
	sh.entries[k] = sh.lru.PushFront(&entry{key: k, data: data})
	sh.bytes += size
	for sh.bytes > sh.maxBytes || (sh.maxTiles > 0 && sh.lru.Len() > sh.maxTiles) {
		el := sh.lru.Back()
		e := el.Value.(*entry)
		sh.lru.Remove(el)
		delete(sh.entries, e.key)
		sh.bytes -= int64(len(e.data)) + entryOverhead
	}
}

// stats returns the number of entries and their bytes (with overhead), for tests.
func (c *cache) stats() (n int, bytes int64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += sh.lru.Len()
		bytes += sh.bytes
		sh.mu.Unlock()
	}
	return n, bytes
}

// panicError carries a build's panic to the goroutines waiting for it.
type panicError struct{ v any }

// Error says a build panicked; the panic itself goes on up the building goroutine.
func (p panicError) Error() string { return "tiles: tile build panicked" }
