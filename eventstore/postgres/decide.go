package postgres

import (
	"time"

	"github.com/chengyun/chengyun/domain"
)

// tip is what an append transaction knows of the log: the last position and hash, the number
// of streams, the stored places of the event ids of the pending appends and the versions of
// their streams. decide updates it as it accepts appends, so later appends of the same batch
// see the versions and ids taken by earlier ones.
//
// On the slow path all of it is read under the head lock. On the fast path it comes from the
// writer's memory of its last commit: ids is empty (new ids are assumed new) and the streams in
// assumed, whose versions the writer does not know, are taken to be empty. Both assumptions are
// checked by the database when the events are inserted (the unique keys on event_id and on
// stream_id+version), so a wrong guess fails the transaction instead of writing.
type tip struct {
	position uint64
	hash     domain.Hash
	streams  uint64
	ids      map[[16]byte]domain.StoredID
	versions map[string]uint64
	assumed  map[string]bool
	// guessedIDs is set on the fast path, where ids were not looked up: an append that looks
	// like a conflict may be the retry of a stored one, whose answer is its original result.
	guessedIDs bool
}

// outcome is what one append of a batch comes to: a conflict error, or the result of a replay
// of a stored append or of new events.
type outcome struct {
	res domain.AppendResult
	err error
}

// decision is the plan of one batch: per-append outcomes, the sealed records to insert in
// position order, and the final version of every stream that grows. unsure is set when a
// conflict was decided against an assumed (not known) stream version: the database cannot
// confirm it, so the batch must be decided again on the slow path.
type decision struct {
	outcomes []outcome
	records  []domain.RecordedEvent
	ids      [][16]byte // parallel to records
	streams  map[string]uint64
	unsure   bool
}

// decide settles every append of reqs in queue order against t, in memory. An append whose
// event ids are all stored (by an earlier transaction or an earlier append of this batch) is a
// replay and gets the original result; one that mixes stored and new ids, or whose expected
// version does not match, gets a conflict and writes nothing; the others get the next
// versions and positions and are sealed into the chain at recordedAt.
func decide(t *tip, reqs []*request, recordedAt time.Time) decision {
	d := decision{outcomes: make([]outcome, len(reqs)), streams: make(map[string]uint64)}
	total := 0
	for _, r := range reqs {
		total += len(r.events)
	}
	d.records = make([]domain.RecordedEvent, 0, total)
	d.ids = make([][16]byte, 0, total)
	for i, r := range reqs {
		d.outcomes[i] = d.settle(t, r, recordedAt)
	}
	return d
}

func (d *decision) settle(t *tip, r *request, recordedAt time.Time) outcome {
	found := make([]domain.StoredID, len(r.events))
	for i, id := range r.ids {
		found[i] = t.ids[id]
	}
	res, replay, err := domain.ReplayedAppend(r.stream, found)
	if err != nil {
		return outcome{err: err}
	}
	if replay {
		return outcome{res: res}
	}
	current := t.versions[r.stream]
	if !r.expected.Matches(current) {
		if t.assumed[r.stream] || t.guessedIDs {
			d.unsure = true
		}
		return outcome{err: domain.Conflict("expectedVersion", "stream %q is at version %d, the append expected %s", r.stream, current, r.expected)}
	}
	for i := range r.events {
		version := current + uint64(i) + 1
		t.position++
		rec := domain.Record(r.events[i], r.stream, version, t.position, recordedAt)
		t.hash = domain.Seal(t.hash, &rec)
		d.records = append(d.records, rec)
		d.ids = append(d.ids, r.ids[i])
		t.ids[r.ids[i]] = domain.StoredID{Found: true, Stream: r.stream, Version: version, Position: t.position}
	}
	if current == 0 {
		t.streams++
	}
	delete(t.assumed, r.stream) // from here on its version is the one this batch gives it
	last := current + uint64(len(r.events))
	t.versions[r.stream] = last
	d.streams[r.stream] = last
	return outcome{res: domain.AppendResult{
		StreamID:      r.stream,
		FirstVersion:  current + 1,
		LastVersion:   last,
		FirstPosition: t.position - uint64(len(r.events)) + 1,
		LastPosition:  t.position,
	}}
}
