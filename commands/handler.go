// Package commands runs case commands against the event store: load the stream, let the pure
// domain decide, append with the expected version, and on a conflict load and decide again.
package commands

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/domain/worktime"
)

// City is what decisions consult about the city: its catalog, routing table and calendar.
// Locate, when set, fills a reported case's area codes from its point (the city model).
type City struct {
	Catalog  *catalog.Catalog
	Routing  *catalog.Routing
	Calendar worktime.Schedule
	Locate   func(cases.Point) cases.Location
}

// Handler executes case commands. It is safe for concurrent use.
type Handler struct {
	store domain.EventStore
	city  City
	clock func() time.Time
	// maxAttempts bounds the reload-and-decide loop of a contended case. Each retry means
	// another writer made progress, so a command is only refused after that many rivals won.
	maxAttempts int
	cache       *stateCache
}

// NewHandler returns a handler over store. clock is the only wall clock the write side reads.
func NewHandler(store domain.EventStore, city City, clock func() time.Time) *Handler {
	return &Handler{store: store, city: city, clock: clock, maxAttempts: 50, cache: newStateCache(100_000)}
}

// Meta says who sends a command, through which channel, and under which idempotency key.
type Meta struct {
	Actor          string
	Channel        string
	IdempotencyKey string
	CorrelationID  string
	// Principal, when set, is checked against the case before and after the decision
	// (authorize.go). Only the system's own callers (the scheduler) leave it nil.
	Principal *identity.Principal
}

// Result is what a command did: the events it appended (none when the decision was that
// nothing changes) and the case as they left it.
type Result struct {
	CaseID   string                 `json:"caseId"`
	Version  uint64                 `json:"version"`
	Status   cases.Status           `json:"status"`
	Events   []domain.RecordedEvent `json:"events"`
	Replayed bool                   `json:"replayed,omitempty"` // the first result of a retried request
}

// Execute runs cmd on case id. Errors: invalid (a bad field, named), not_found, conflict (an
// illegal transition naming the status, or a case contended beyond every retry), unavailable
// (the store is down: retry with the same idempotency key).
func (h *Handler) Execute(ctx context.Context, id string, cmd cases.Command, meta Meta) (Result, error) {
	if err := checkMeta(meta); err != nil {
		return Result{}, err
	}
	if err := domain.ValidateStreamID(cases.StreamID(id)); err != nil || !validID(id) {
		return Result{}, domain.Invalid("id", "%q is not a case id (a lower-case UUID)", id)
	}
	for attempt := 1; ; attempt++ {
		res, err := h.try(ctx, id, cmd, meta, attempt > 1)
		if !isVersionConflict(err) {
			return res, err
		}
		if attempt >= h.maxAttempts {
			return Result{}, domain.Conflict("case", "case %s changed under %d attempts; try again", id, attempt)
		}
		// Back off a little, randomly, so rivals on one case do not retry in lockstep.
		select {
		case <-ctx.Done():
			return Result{}, domain.Unavailable("cancelled while retrying", ctx.Err())
		case <-time.After(time.Duration(rand.IntN(200*attempt)) * time.Microsecond):
		}
	}
}

// try is one load, decide, append round. A warm case is decided on its cached state with no
// read (fresh forces a read, after a conflict); a retried request is looked up in the stream.
func (h *Handler) try(ctx context.Context, id string, cmd cases.Command, meta Meta, fresh bool) (Result, error) {
	stream := cases.StreamID(id)
	ids := eventIDs{key: scopedKey(meta), caseID: id, command: cmd.Name()}
	var state *cases.State
	var known []string
	cachedState := false
	if c := h.cache.get(id); c != nil && !fresh && (ids.key == "" || !c.has(ids.id(0))) {
		state, known, cachedState = c.state.Clone(), c.ids, true
	} else {
		recorded, err := readStream(ctx, h.store, stream)
		if err != nil {
			return Result{}, err
		}
		if res, ok := ids.replayed(id, recorded); ok {
			// A replay answers only a principal still allowed on the case as it stands.
			if err := authorizeReplay(meta.Principal, cmd, recorded); err != nil {
				return Result{}, err
			}
			// A merge has a second step on the master: a retry must finish it too (the
			// link is idempotent, its id derives from the merge event's). The master is the
			// one the stored merge names, never the retry's body.
			if len(res.Events) > 0 && res.Events[0].Type == cases.TypeMerged {
				merged, err := cases.Decode(res.Events[0])
				if err != nil {
					return res, err
				}
				if err := h.linkDuplicate(ctx, merged.Payload.(cases.Merged).Into, id, res.Events[0].ID, meta); err != nil {
					return res, err
				}
			}
			return res, nil
		}
		events, err := cases.DecodeAll(recorded)
		if err != nil {
			return Result{}, err
		}
		state = cases.Fold(id, events)
		known = make([]string, len(recorded))
		for i := range recorded {
			known[i] = recorded[i].ID
		}
	}
	var err error
	if m, ok := cmd.(cases.Merge); ok {
		if m.Master, err = h.Load(ctx, m.Into); err != nil && domain.CodeOf(err) != domain.CodeNotFound {
			return Result{}, err
		}
		cmd = m
	}
	err = authorizeBefore(meta.Principal, cmd, state)
	var decided []cases.Event
	if err == nil {
		decided, err = cases.Decide(state, cmd, h.env(meta))
	}
	if err == nil {
		err = authorizeAfter(meta.Principal, cmd, state, decided)
	}
	if cachedState && (err != nil || len(decided) == 0) {
		// A refusal or a no-op must hold for the stored case, not for a cache another
		// writer may have outdated: decide once more on a fresh read.
		return h.try(ctx, id, cmd, meta, true)
	}
	if err != nil || len(decided) == 0 {
		return Result{CaseID: id, Version: state.Version, Status: state.Status}, err
	}
	proposals := make([]domain.EventData, len(decided))
	md := domain.Metadata{Actor: meta.Actor, Channel: meta.Channel, CorrelationID: meta.CorrelationID}
	for i, e := range decided {
		if proposals[i], err = cases.Encode(e, ids.id(i), md); err != nil {
			return Result{}, err
		}
		state.Apply(e)
	}
	expected := domain.ExpectedVersion(state.Version - uint64(len(decided)))
	res, err := h.store.Append(ctx, stream, expected, proposals)
	if err != nil {
		h.cache.drop(id)
		return Result{}, err
	}
	if ids.key != "" {
		// Keyed ids are the same on every attempt of a request, so the store may have
		// answered with an earlier attempt's events (a retry that overlapped its first run,
		// or another node). Only a read tells: if what is stored is not what this attempt
		// proposed, answer with what is stored.
		if replay, err := h.isReplay(ctx, stream, res, proposals); err != nil || replay {
			h.cache.drop(id)
			if err != nil {
				return Result{}, err
			}
			return h.try(ctx, id, cmd, meta, true)
		}
	}
	known = slices.Clone(known)
	for _, p := range proposals {
		known = append(known, p.ID)
	}
	h.cache.put(id, &cached{state: state, ids: known})
	out := Result{CaseID: id, Version: res.LastVersion, Status: state.Status, Events: recordedFrom(stream, res, proposals)}
	if m, ok := cmd.(cases.Merge); ok {
		if err := h.linkDuplicate(ctx, m.Into, id, proposals[0].ID, meta); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (h *Handler) env(meta Meta) cases.Env {
	return cases.Env{Now: h.clock(), Actor: meta.Actor, Catalog: h.city.Catalog, Routing: h.city.Routing, Calendar: h.city.Calendar, Locate: h.city.Locate}
}

// isReplay reports whether the events stored by an append differ from the proposals.
func (h *Handler) isReplay(ctx context.Context, stream string, res domain.AppendResult, proposals []domain.EventData) (bool, error) {
	stored, err := h.store.ReadStream(ctx, stream, res.FirstVersion, len(proposals))
	if err != nil {
		return false, err
	}
	if len(stored) != len(proposals) {
		return true, nil
	}
	for i := range stored {
		if stored[i].ID != proposals[i].ID || !bytes.Equal(stored[i].Data, proposals[i].Data) {
			return true, nil
		}
	}
	return false, nil
}

// linkDuplicate tells the master about its new duplicate. Its event id derives from the
// merge event's id, so a retried merge links once.
func (h *Handler) linkDuplicate(ctx context.Context, master, duplicate, mergeID string, meta Meta) error {
	meta.IdempotencyKey = "link:" + mergeID
	meta.Principal = nil // the merge itself was authorized on both cases
	meta.CorrelationID = mergeID
	_, err := h.Execute(ctx, master, cases.LinkDuplicate{Duplicate: duplicate}, meta)
	return err
}

// Load returns the current state of case id. Errors: not_found, unavailable, internal.
func (h *Handler) Load(ctx context.Context, id string) (*cases.State, error) {
	s, _, err := h.History(ctx, id)
	return s, err
}

// History returns a case's state and its stored events in order. Errors: not_found for a case
// with no events, unavailable, internal.
func (h *Handler) History(ctx context.Context, id string) (*cases.State, []domain.RecordedEvent, error) {
	if !validID(id) {
		return nil, nil, domain.NotFound("id", "case %s does not exist", id)
	}
	recorded, err := readStream(ctx, h.store, cases.StreamID(id))
	if err != nil {
		return nil, nil, err
	}
	if len(recorded) == 0 {
		return nil, nil, domain.NotFound("id", "case %s does not exist", id)
	}
	events, err := cases.DecodeAll(recorded)
	if err != nil {
		return nil, nil, err
	}
	return cases.Fold(id, events), recorded, nil
}

// readStream reads a whole stream in pages.
func readStream(ctx context.Context, store domain.EventStore, stream string) ([]domain.RecordedEvent, error) {
	const page = 500
	var all []domain.RecordedEvent
	for from := uint64(1); ; {
		batch, err := store.ReadStream(ctx, stream, from, page)
		if err != nil {
			return nil, err
		}
		all = append(all, batch...)
		if len(batch) < page {
			return all, nil
		}
		from = batch[len(batch)-1].Version + 1
	}
}

func recordedFrom(stream string, res domain.AppendResult, proposals []domain.EventData) []domain.RecordedEvent {
	out := make([]domain.RecordedEvent, len(proposals))
	for i, p := range proposals {
		out[i] = domain.RecordedEvent{EventData: p, StreamID: stream, Version: res.FirstVersion + uint64(i), Position: res.FirstPosition + uint64(i)}
	}
	return out
}
