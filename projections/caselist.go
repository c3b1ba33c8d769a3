package projections

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/city"
)

// CaseListName is the case list's projection name (its rows in a sink, its checkpoint).
const CaseListName = "cases"

// CaseList is the case list read model: one row per case, persisted in the sink and served
// from an in-memory mirror that Load fills at start and Apply keeps current. The same mirror
// serves the task queues and the live map (points, and counts of open cases per district,
// street and grid in the aggregate layers). Queries are safe while events are applied.
type CaseList struct {
	mu    sync.RWMutex
	byID  map[string]*caseEntry
	order []*caseEntry // by (reportedAt, id), oldest first; queries walk it from the end
	// queues holds the open tasks: "d:<department>" and "h:<handler>" → case id → entry.
	queues   map[string]map[string]*caseEntry
	position atomic.Uint64

	// dirty is what changed since the last Flush (each entry once: its dirty flag); only the
	// applying goroutine touches it.
	dirty []*caseEntry

	layers [3]*aggregate.Layer // district, street, grid; nil ones are not fed
}

// caseEntry is one case in the mirror: its state as the events say, and what the list derives
// from it for filtering.
type caseEntry struct {
	st          *cases.State
	description string
	position    uint64 // of the last event applied to the case
	dirty       bool   // changed since the last Flush
	sortAt      int64  // reported-at in Unix nanoseconds, as the entry sits in order
	listed      bool   // in order (from its first event on)
	search      string // lower-cased title, address and description
	overdue     bool
	warned      bool
	// history is the case's status and SLA after each event that changed them, at the
	// event's time, oldest first: what a screen replaying a past instant shows (asOf).
	history []stage
}

// NewCaseList returns an empty case list. layers, when given, are fed with the number of open
// cases per area of their level (city.District, city.Street, city.Grid); others are ignored.
func NewCaseList(layers map[city.Level]*aggregate.Layer) *CaseList {
	l := &CaseList{}
	for i, lv := range areaLevels {
		l.layers[i] = layers[lv]
	}
	l.reset()
	return l
}

var areaLevels = [3]city.Level{city.District, city.Street, city.Grid}

// Name is CaseListName.
func (l *CaseList) Name() string { return CaseListName }

// Position returns the last position the list has applied.
func (l *CaseList) Position() uint64 { return l.position.Load() }

// Reset empties the list (an in-memory list fed from position 0).
func (l *CaseList) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reset()
	l.syncLayers()
}

func (l *CaseList) reset() {
	l.byID, l.order, l.queues = map[string]*caseEntry{}, nil, map[string]map[string]*caseEntry{}
	l.dirty = nil
	l.position.Store(0)
}

// Apply moves the case an event belongs to; events of other streams only move the position.
// Errors: the event's decode error (domain.Internal), before anything is changed.
func (l *CaseList) Apply(_ Tx, e *Event) error {
	if e.DecodeErr != nil {
		return e.DecodeErr
	}
	if e.Case == nil {
		l.position.Store(e.Position)
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	en := l.byID[e.CaseID]
	if en == nil {
		en = &caseEntry{st: &cases.State{ID: e.CaseID}}
		l.byID[e.CaseID] = en
	}
	before := en.areas()
	oldQueues := en.queueKeys()
	en.seedHistory()
	en.st.Apply(*e.Case)
	en.position = e.Position
	switch p := e.Case.Payload.(type) {
	case cases.Reported:
		en.description = p.Description
		en.index()
	case cases.Registered:
		if p.Location.Address != "" {
			en.index() // the address may have been corrected
		}
	}
	en.marks()
	en.record(e.Case.OccurredAt)
	// A new case enters the order once its first event is applied, at its report's time:
	// reports come mostly in time order, so that is an append, not a move.
	if at := sortTime(en.st.ReportedAt); !en.listed || at != en.sortAt {
		if en.listed {
			l.remove(en)
		}
		en.sortAt, en.listed = at, true
		l.insert(en)
	}
	l.moveAreas(before, en.areas())
	if newQueues := en.queueKeys(); newQueues != oldQueues {
		l.moveQueues(en, oldQueues, newQueues)
	}
	if !en.dirty {
		en.dirty = true
		l.dirty = append(l.dirty, en)
	}
	l.position.Store(e.Position)
	return nil
}

// Flush writes every case changed in the batch once, as it stands now (tx is nil in memory).
// Rows are encoded on every processor at once: a replay's batches change many cases. Errors:
// what the sink's Put returns, internal when a row cannot be encoded.
func (l *CaseList) Flush(tx Tx) error {
	entries := l.dirty
	defer func() {
		for _, en := range entries {
			en.dirty = false
		}
		l.dirty = entries[:0]
	}()
	if tx == nil || len(entries) == 0 {
		return nil
	}
	parts := 1
	if len(entries) >= 128 {
		parts = runtime.GOMAXPROCS(0)
	}
	size := (len(entries) + parts - 1) / parts
	bufs := make([][]byte, parts)
	offs := make([][]int, parts) // end of each row in its part's buffer
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := min(p*size, len(entries)), min((p+1)*size, len(entries))
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, (hi-lo)*768)
			for _, en := range entries[lo:hi] {
				if buf, errs[p] = en.appendRecord(buf); errs[p] != nil {
					return
				}
				offs[p] = append(offs[p], len(buf))
			}
			bufs[p] = buf
		}()
	}
	wg.Wait()
	for p := range parts {
		if errs[p] != nil {
			return errs[p]
		}
		start := 0
		for i, end := range offs[p] {
			if err := tx.Put(entries[p*size+i].st.ID, bufs[p][start:end]); err != nil {
				return err
			}
			start = end
		}
	}
	return nil
}

// Load empties the list and fills it from the rows stored in the sink. Errors: what the sink
// returns, internal for a row that does not decode.
func (l *CaseList) Load(ctx context.Context, rows Scanner) error {
	var loaded []*caseEntry
	var last uint64
	err := rows.Scan(ctx, CaseListName, func(key string, value []byte) error {
		en, err := decodeRecord(key, value)
		if err != nil {
			return err
		}
		loaded = append(loaded, en)
		last = max(last, en.position)
		return nil
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reset()
	for _, en := range loaded {
		l.byID[en.st.ID] = en
		for _, k := range en.queueKeys() {
			if k != "" {
				l.queue(k)[en.st.ID] = en
			}
		}
	}
	l.order = loaded
	slices.SortFunc(l.order, compareEntries)
	l.syncLayers()
	// The checkpoint may be past the last case event (events of other streams); the runner
	// knows it, and the list only reports what it holds.
	l.position.Store(last)
	return nil
}

// index recomputes the text a search looks in.
func (en *caseEntry) index() {
	en.search = strings.ToLower(en.st.Title + "\x00" + en.st.Location.Address + "\x00" + en.description)
}

// marks recomputes whether a running deadline is warned about or overdue: a mark counts only
// while its deadline runs, so the stage ending (or the deadline moving) clears it.
func (en *caseEntry) marks() {
	en.overdue, en.warned = false, false
	for _, d := range en.st.Deadlines {
		k := d.Key()
		en.overdue = en.overdue || en.st.Overdue[k]
		en.warned = en.warned || en.st.Warned[k]
	}
}

// areas are the area codes an open case counts in, per level ("" when closed or unlocated).
func (en *caseEntry) areas() [3]string {
	if !en.st.Status.Open() {
		return [3]string{}
	}
	loc := en.st.Location
	return [3]string{loc.District, loc.Street, loc.Grid}
}

func (l *CaseList) moveAreas(before, after [3]string) {
	for i, layer := range l.layers {
		if layer == nil || before[i] == after[i] {
			continue
		}
		if before[i] != "" {
			layer.Add(before[i], -1)
		}
		if after[i] != "" {
			layer.Add(after[i], 1)
		}
	}
}

// syncLayers sets the layers' counts to what the list holds (after a load or reset).
func (l *CaseList) syncLayers() {
	for i, layer := range l.layers {
		if layer == nil {
			continue
		}
		counts := map[string]int64{}
		for _, en := range l.order {
			if code := en.areas()[i]; code != "" {
				counts[code]++
			}
		}
		for code := range layer.Snapshot() {
			if counts[code] == 0 {
				layer.Set(code, 0)
			}
		}
		for code, n := range counts {
			layer.Set(code, n)
		}
	}
}

// All returns every listed case, oldest reported first, with reporters unmasked: for tests,
// rebuild checks and tools. Never hand it to a principal: Query, Tasks and MapCases are the
// scoped and masked reads.
func (l *CaseList) All() []CaseRow {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]CaseRow, 0, len(l.order))
	for _, en := range l.order {
		out = append(out, en.row())
	}
	return out
}

// Len returns how many cases the list holds.
func (l *CaseList) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.byID)
}
