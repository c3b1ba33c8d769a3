package embedded

import (
	"bytes"
	"context"
	"math"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// maxCachedStreams bounds the sequencer's version cache; past it the cache starts over and
// versions are read from Pebble again as streams are touched.
var maxCachedStreams = 1 << 20

type appendReq struct {
	ctx      context.Context
	stream   string
	expected domain.ExpectedVersion
	events   []domain.EventData
	ids      [][16]byte
	contents []domain.Hash // ContentHash of each event
	bodies   [][]byte      // encodeBody of each event
	size     int           // bytes of all bodies
	done     chan appendResp
}

type appendResp struct {
	res domain.AppendResult
	err error
}

// Append writes events to stream if it is at expected and returns once they are durable.
// Errors: invalid / too_large (nothing written), conflict (wrong expected version, or ids that
// belong to another append), unavailable (store closed, or the disk refused the commit).
func (s *Store) Append(ctx context.Context, stream string, expected domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	if err := domain.ValidateAppend(stream, expected, events); err != nil {
		return domain.AppendResult{}, err
	}
	req := newAppendReq(ctx, stream, expected, events)
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return domain.AppendResult{}, domain.Unavailable("embedded store is closed", nil)
	}
	if s.failed.Load() {
		s.closeMu.RUnlock()
		return domain.AppendResult{}, errStoreFailed
	}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return domain.AppendResult{}, ctx.Err()
	}
	s.closeMu.RUnlock()
	// Once queued the append may become durable even if ctx ends now; a caller that gives up
	// retries with the same ids and gets the original result.
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-ctx.Done():
		return domain.AppendResult{}, ctx.Err()
	}
}

// newAppendReq prepares a validated append for the sequencer. Everything that needs no
// store state (parsing ids, hashing contents, encoding bodies) is done here, by the appending
// goroutine, in parallel with other appenders: the sequencer is the one serial step.
func newAppendReq(ctx context.Context, stream string, expected domain.ExpectedVersion, events []domain.EventData) *appendReq {
	n := len(events)
	// The events are copied: the sequencer reads them after Append may have returned (when
	// the caller's context ended), and the caller may reuse its slice.
	events = append([]domain.EventData(nil), events...)
	req := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events,
		ids: make([][16]byte, n), contents: make([]domain.Hash, n), bodies: make([][]byte, n),
		done: make(chan appendResp, 1)}
	size := 0
	for i := range events {
		size += domain.EventSize(&events[i]) + len(stream) + 64
	}
	buf := make([]byte, 0, size)
	for i := range events {
		req.ids[i] = uuid.MustParse(events[i].ID) // validated by the caller
		req.contents[i] = domain.ContentHash(stream, &events[i])
		start := len(buf)
		buf = encodeBody(buf, stream, &events[i], req.ids[i])
		req.bodies[i] = buf[start:len(buf):len(buf)]
	}
	req.size = len(buf)
	return req
}

// sequence is the single writer: it takes every waiting append into one batch, decides it on
// top of the batches still being synced, and hands it to the syncer. Deciding batch N+1 while
// batch N's fsync is in flight keeps both cores busy; Pebble's WAL is written in order, so
// when N+1 is durable N is too.
func (s *Store) sequence() {
	defer close(s.syncq)
	for req := range s.reqs {
		batch := s.collect(req)
		s.syncq <- s.decideBatch(batch)
	}
}

// lingerMax bounds how long a batch waits for callers to come back.
const lingerMax = 500 * time.Microsecond

// maxBatchBytes keeps one commit far below Pebble's 4 GiB batch limit (an append is at most
// 16 MiB, so a batch stays under 80 MiB).
const maxBatchBytes = 64 << 20

// collect forms a batch from first and every append waiting behind it. When none is waiting it
// gives the callers answered by the last batch a moment (at most lingerMax) to append again, so
// that one fsync carries them all instead of each round taking the few that were quick; a lone
// writer (last batch of one) never waits.
func (s *Store) collect(first *appendReq) []*appendReq {
	batch := []*appendReq{first}
	n, size := len(first.events), first.size
	want := int(s.lastAnswered.Load())
	var linger <-chan time.Time
	for n < s.opts.MaxBatchEvents && size < maxBatchBytes {
		var r *appendReq
		var ok bool
		select {
		case r, ok = <-s.reqs:
		default:
			if len(batch) >= want {
				return batch
			}
			if linger == nil {
				t := time.NewTimer(lingerMax)
				defer t.Stop()
				linger = t.C
			}
			select {
			case r, ok = <-s.reqs:
			case <-linger:
				return batch
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, r)
		n, size = n+len(r.events), size+r.size
	}
	return batch
}

// kv is an index entry waiting to be added to a batch.
type kv struct{ k, v []byte }

// seqState is the sequencer's view of the log: durable state plus batches in flight.
type seqState struct {
	head    uint64
	prev    domain.Hash
	streams uint64
}

// pendingBatch is a decided batch on its way to disk, with the answers it will give.
type pendingBatch struct {
	b       *pebble.Batch // nil when nothing was accepted
	reqs    []*appendReq
	resps   []appendResp
	head    uint64
	prev    domain.Hash
	streams uint64
	err     error // the apply failed
}

func (s *Store) decideBatch(batch []*appendReq) *pendingBatch {
	p := &pendingBatch{reqs: batch, resps: make([]appendResp, len(batch))}
	if s.failed.Load() {
		for i := range p.resps {
			p.resps[i].err = errStoreFailed
		}
		return p
	}
	if len(s.versions) > maxCachedStreams {
		// Only between batches: a stream decided earlier in this batch must keep its
		// cached version, since Pebble cannot show it yet.
		s.versions = make(map[string]uint64)
	}
	b := s.db.NewBatch()
	ids := make(map[[16]byte]domain.StoredID)
	now := time.Now()
	var index []kv
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			p.resps[i].err = err
			continue
		}
		p.resps[i] = s.decide(b, &index, ids, r, now)
	}
	// The event keys went in ascending; the index keys (random ids, stream names) go in
	// sorted, after them: Pebble inserts a batch into its memtable in batch order, reusing
	// the last insert's place, so sorted keys cost a short search each instead of a full
	// one. A batch is applied whole, so the order of its keys changes nothing else.
	slices.SortFunc(index, func(x, y kv) int { return bytes.Compare(x.k, y.k) })
	for _, e := range index {
		_ = b.Set(e.k, e.v, nil)
	}
	p.head, p.prev, p.streams = s.seq.head, s.seq.prev, s.seq.streams
	if b.Empty() {
		_ = b.Close()
		return p
	}
	_ = b.Set(keyHead, append(u64(p.head), p.prev[:]...), nil)
	_ = b.Set(keyStreams, u64(p.streams), nil)
	if err := s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		_ = b.Close()
		p.err = err
		// At once, not when the syncer gets here: the sequencer's state has moved past
		// positions that were never written, and no later batch may build on them.
		s.fail(err)
		return p
	}
	p.b = b
	return p
}

// syncBatches waits for each batch to be durable, then publishes it and answers its callers,
// in order.
func (s *Store) syncBatches() {
	defer close(s.done)
	for p := range s.syncq {
		err := p.err
		if p.b != nil {
			err = p.b.SyncWait()
			_ = p.b.Close()
		}
		if err != nil {
			s.fail(err)
		}
		s.publish(p)
		s.lastAnswered.Store(int64(len(p.reqs)))
		for i, r := range p.reqs {
			r.done <- p.resps[i]
		}
	}
}

// publish makes a durable batch visible, or, once the store has failed, turns every answer
// of the batch into a failure: they were decided on state that may never reach the disk, a
// replay of an append in a failed batch included.
func (s *Store) publish(p *pendingBatch) {
	switch {
	case s.failed.Load():
		for i := range p.resps {
			if p.resps[i].err == nil {
				p.resps[i] = appendResp{err: errStoreFailed}
			}
		}
	case p.b != nil:
		s.headMu.Lock()
		s.headH = p.prev
		s.head.Store(p.head)
		s.headMu.Unlock()
		s.streams.Store(p.streams)
		s.wake.Notify()
	}
}

// errStoreFailed answers every append after a failed write: the in-memory state may be ahead
// of the disk, so the store stops taking appends until it is reopened.
var errStoreFailed = domain.Unavailable("embedded store: a write to disk failed (disk full or I/O error); nothing after it was acknowledged; reopen the store", nil)

func (s *Store) fail(err error) {
	if !s.failed.Swap(true) {
		s.log.Error("embedded store: write failed; refusing appends until reopened", "err", err)
	}
}

// decide checks one append against the sequencer's state and, if it is accepted, adds its
// events to the batch.
func (s *Store) decide(b *pebble.Batch, index *[]kv, ids map[[16]byte]domain.StoredID, r *appendReq, now time.Time) appendResp {
	found := make([]domain.StoredID, len(r.ids))
	for j, id := range r.ids {
		f, err := s.lookupID(ids, id)
		if err != nil {
			return appendResp{err: err}
		}
		found[j] = f
	}
	if res, replay, err := domain.ReplayedAppend(r.stream, found); err != nil || replay {
		return appendResp{res: res, err: err}
	}
	cur, err := s.version(r.stream)
	if err != nil {
		return appendResp{err: err}
	}
	if !r.expected.Matches(cur) {
		return appendResp{err: domain.Conflict("expectedVersion", "stream %q is at version %d, the append expected %v", r.stream, cur, r.expected)}
	}
	if cur == 0 {
		s.seq.streams++
		s.sf.add([]byte(r.stream))
	}
	st := &s.seq
	res := domain.AppendResult{StreamID: r.stream, FirstVersion: cur + 1, FirstPosition: st.head + 1}
	buf := make([]byte, 0, 1024)
	for j := range r.events {
		st.head++
		cur++
		rec := domain.Record(r.events[j], r.stream, cur, st.head, now)
		st.prev = domain.SealWithContent(st.prev, r.contents[j], &rec)
		buf = encodeEvent(buf[:0], &rec, r.bodies[j])
		_ = b.Set(eventKey(st.head), buf, nil) // a batch Set copies and only fails on a closed batch
		*index = append(*index, kv{idKey(r.ids[j]), idValue(st.head, cur, r.stream)})
		ids[r.ids[j]] = domain.StoredID{Found: true, Stream: r.stream, Version: cur, Position: st.head}
		s.idf.add(r.ids[j][:])
	}
	*index = append(*index, kv{streamKey(r.stream, res.FirstVersion), streamValue(res.FirstPosition, uint64(len(r.events)))})
	s.versions[r.stream] = cur
	res.LastVersion, res.LastPosition = cur, st.head
	return appendResp{res: res}
}

// lookupID finds where an event id is stored: in this batch, or (Pebble shows batches in
// flight too) in the store; the in-memory filter rules most ids out without a lookup.
func (s *Store) lookupID(ids map[[16]byte]domain.StoredID, id [16]byte) (domain.StoredID, error) {
	if f, ok := ids[id]; ok {
		return f, nil
	}
	if !s.idf.mayContain(id[:]) {
		return domain.StoredID{}, nil
	}
	v, err := s.get(idKey(id))
	if err != nil || v == nil {
		return domain.StoredID{}, err
	}
	if len(v) < 16 {
		return domain.StoredID{}, domain.Internal("embedded store: id index entry damaged", nil)
	}
	return domain.StoredID{Found: true, Position: be64(v), Version: be64(v[8:]), Stream: string(v[16:])}, nil
}

// version returns a stream's current version as the sequencer sees it.
func (s *Store) version(stream string) (uint64, error) {
	if v, ok := s.versions[stream]; ok {
		return v, nil
	}
	if !s.sf.mayContain([]byte(stream)) {
		return 0, nil // certainly new (a false positive only costs the lookup below)
	}
	v, err := s.lastVersion(stream)
	if err != nil {
		return 0, err
	}
	s.versions[stream] = v
	return v, nil
}

// lastVersion reads a stream's version from its last index entry (0 when it has none).
func (s *Store) lastVersion(stream string) (uint64, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: streamKey(stream, 0), UpperBound: streamKey(stream, math.MaxUint64)})
	if err != nil {
		return 0, domain.Internal("embedded store: read stream index", err)
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	first, count, err := streamEntry(it.Key(), it.Value())
	if err != nil {
		return 0, err
	}
	return first + count - 1, nil
}

// streamEntry decodes one stream index entry: the first version and how many events follow.
func streamEntry(key, value []byte) (firstVersion, count uint64, err error) {
	if len(key) < 9 || len(value) != 16 || be64(value[8:]) == 0 {
		return 0, 0, domain.Internal("embedded store: stream index entry damaged", nil)
	}
	return be64(key[len(key)-8:]), be64(value[8:]), nil
}
