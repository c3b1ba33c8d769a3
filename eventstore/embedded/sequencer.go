package embedded

import (
	"context"
	"math"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// maxCachedStreams bounds the sequencer's version cache; past it the cache starts over and
// versions are read from Pebble again as streams are touched.
const maxCachedStreams = 1 << 20

type appendReq struct {
	ctx      context.Context
	stream   string
	expected domain.ExpectedVersion
	events   []domain.EventData
	ids      [][16]byte
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
	req := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events,
		ids: make([][16]byte, len(events)), done: make(chan appendResp, 1)}
	for i := range events {
		req.ids[i] = uuid.MustParse(events[i].ID) // validated above
	}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return domain.AppendResult{}, domain.Unavailable("embedded store is closed", nil)
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

// sequence is the single writer: it takes every waiting append into one synced batch.
func (s *Store) sequence() {
	defer close(s.done)
	batch := make([]*appendReq, 0, 256)
	for req := range s.reqs {
		batch = append(batch[:0], req)
		n := len(req.events)
	drain:
		for n < s.opts.MaxBatchEvents {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
				n += len(r.events)
			default:
				break drain
			}
		}
		s.commit(batch)
	}
}

// batchState is what one commit has decided so far, on top of the durable state.
type batchState struct {
	head       uint64
	prev       domain.Hash
	versions   map[string]uint64
	ids        map[[16]byte]domain.StoredID
	newStreams uint64
	accepted   int
}

func (s *Store) commit(batch []*appendReq) {
	s.headMu.Lock()
	st := &batchState{head: s.head.Load(), prev: s.headH,
		versions: make(map[string]uint64), ids: make(map[[16]byte]domain.StoredID)}
	s.headMu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	now := time.Now()
	resps := make([]appendResp, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			resps[i].err = err
			continue
		}
		resps[i] = s.decide(b, st, r, now)
	}
	if st.accepted > 0 {
		s.finish(b, st, batch, resps)
	}
	for i, r := range batch {
		r.done <- resps[i]
	}
}

// decide checks one append against the batch state and, if it is accepted, adds its events.
func (s *Store) decide(b *pebble.Batch, st *batchState, r *appendReq, now time.Time) appendResp {
	found := make([]domain.StoredID, len(r.ids))
	for j, id := range r.ids {
		f, err := s.lookupID(st, id)
		if err != nil {
			return appendResp{err: err}
		}
		found[j] = f
	}
	if res, replay, err := domain.ReplayedAppend(r.stream, found); err != nil || replay {
		return appendResp{res: res, err: err}
	}
	cur, err := s.version(st, r.stream)
	if err != nil {
		return appendResp{err: err}
	}
	if !r.expected.Matches(cur) {
		return appendResp{err: domain.Conflict("expectedVersion", "stream %q is at version %d, the append expected %v", r.stream, cur, r.expected)}
	}
	if cur == 0 {
		st.newStreams++
	}
	res := domain.AppendResult{StreamID: r.stream, FirstVersion: cur + 1, FirstPosition: st.head + 1}
	buf := make([]byte, 0, 1024)
	for j := range r.events {
		st.head++
		cur++
		rec := domain.Record(r.events[j], r.stream, cur, st.head, now)
		st.prev = domain.Seal(st.prev, &rec)
		buf = encodeEvent(buf[:0], &rec, r.ids[j])
		_ = b.Set(eventKey(st.head), buf, nil) // a batch Set copies and only fails on a closed batch
		_ = b.Set(idKey(r.ids[j]), idValue(st.head, cur, r.stream), nil)
		st.ids[r.ids[j]] = domain.StoredID{Found: true, Stream: r.stream, Version: cur, Position: st.head}
	}
	_ = b.Set(streamKey(r.stream, res.FirstVersion), streamValue(res.FirstPosition, uint64(len(r.events))), nil)
	st.versions[r.stream] = cur
	st.accepted++
	res.LastVersion, res.LastPosition = cur, st.head
	return appendResp{res: res}
}

// finish makes the batch durable and only then publishes it: readers never see past s.head.
func (s *Store) finish(b *pebble.Batch, st *batchState, batch []*appendReq, resps []appendResp) {
	headRec := append(u64(st.head), st.prev[:]...)
	_ = b.Set(keyHead, headRec, nil)
	streams := s.streams.Load() + st.newStreams
	_ = b.Set(keyStreams, u64(streams), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		s.log.Error("embedded store: commit failed", "err", err, "events", st.head-s.head.Load())
		for i := range resps {
			if resps[i].err == nil && batch[i].ctx.Err() == nil {
				resps[i] = appendResp{err: domain.Unavailable("embedded store: the disk refused the commit; nothing of this append was acknowledged", err)}
			}
		}
		return
	}
	if len(s.versions) > maxCachedStreams {
		s.versions = make(map[string]uint64)
	}
	for stream, v := range st.versions {
		s.versions[stream] = v
	}
	for id := range st.ids {
		s.idf.add(id[:])
	}
	s.headMu.Lock()
	s.headH = st.prev
	s.head.Store(st.head)
	s.headMu.Unlock()
	s.streams.Store(streams)
	s.wake.Notify()
}

func (s *Store) lookupID(st *batchState, id [16]byte) (domain.StoredID, error) {
	if f, ok := st.ids[id]; ok {
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

func (s *Store) version(st *batchState, stream string) (uint64, error) {
	if v, ok := st.versions[stream]; ok {
		return v, nil
	}
	if v, ok := s.versions[stream]; ok {
		return v, nil
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
