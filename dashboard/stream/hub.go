package stream

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Options tune a hub.
type Options struct {
	// Tick is how long deltas gather before they go out as one frame per topic (default
	// 50 ms): the price of a frame is paid once per tick, not once per event.
	Tick time.Duration
	// History is how many deltas a topic keeps for clients that resume (default 10,000).
	History int
	// Queue is how many frames may wait for a slow client before it is disconnected
	// (default 256; state topics wait outside it, coalesced to their latest value).
	Queue int
	// Compress negotiates per-message compression; each frame is compressed once for all
	// the clients of its topic.
	Compress bool
	// Ping is how often every connection is pinged (default 25 s); a client that answers
	// neither a ping nor anything else for 60 s is dropped.
	Ping time.Duration
	// StateTopic says which topics hold a state (latest value wins) rather than a log of
	// deltas (default: the indicators:… topics).
	StateTopic func(name string) bool
}

// Snapshotter answers a topic's snapshot. It is called with the hub's lock held, so the
// snapshot and the sequence it is sent at agree: publishers change their state and publish
// under the same lock (Hub.Update).
type Snapshotter func(topic string) (any, bool)

// Hub holds the topics and their subscribers.
type Hub struct {
	opts     Options
	mu       sync.Mutex
	topics   map[string]*topic
	snapshot Snapshotter
	conns    map[*conn]struct{}
	stats    Stats
	// slow counts clients cut off for falling behind: enqueue also runs outside the lock
	// (an error frame from a client's reader), so it is atomic.
	slow atomic.Int64
	// A topic's sequence starts at seqStart() (and above floor, the end of every topic
	// forgotten so far), never where an earlier instance of the topic left off: a client that
	// resumes from a sequence of a server that restarted, or of a topic that was forgotten and
	// made again, is below what the topic holds and gets a fresh snapshot, never the wrong
	// deltas or a false "resumed".
	seqStart func() uint64
	floor    uint64
}

// clockSequence starts sequences at the clock: milliseconds × 1024, so a topic of fewer than
// a million deltas a second never reaches the start of its next instance, and sequences stay
// below 2^53 (exact in JavaScript) until the year 2248.
func clockSequence() uint64 { return uint64(time.Now().UnixMilli()) << 10 }

// Stats are the hub's counters, for /metrics and the load tool.
type Stats struct {
	Conns, Frames, Deltas, Slow int64
}

type topic struct {
	name   string
	quoted []byte
	state  bool // a state topic: its value replaces the last, no history
	seq    uint64
	// pending are the deltas after sent, the sequence of the last flush.
	pending []json.RawMessage
	sent    uint64
	ring    []json.RawMessage // the last History deltas, circular: sequence q is at ring[q%len]
	first   uint64            // the oldest sequence held (0: none yet)
	value   json.RawMessage   // a state topic's latest value
	patch   json.RawMessage   // what changed from the value at seq-1 to value (nil: unknown)
	// valueFrame and patchFrame are the value's frames once encoded, shared by every client.
	valueFrame, patchFrame *outFrame
	subs                   map[*conn]uint64 // subscriber → the sequence it has (snapshot or resume point)
}

// NewHub returns a hub; run it with Run.
func NewHub(snapshot Snapshotter, o Options) *Hub {
	if o.Tick <= 0 {
		o.Tick = 50 * time.Millisecond
	}
	if o.History <= 0 {
		o.History = 10000
	}
	if o.Ping <= 0 || o.Ping >= pongWait {
		o.Ping = min(pingPeriod, pongWait/2) // a ping must come well within the silence allowed
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.StateTopic == nil {
		o.StateTopic = func(name string) bool { return strings.HasPrefix(name, "indicators:") }
	}
	return &Hub{opts: o, topics: map[string]*topic{}, snapshot: snapshot, conns: map[*conn]struct{}{}, seqStart: clockSequence}
}

// Update runs fn with the hub's lock held: a publisher changes the state its snapshots are
// made from and publishes the deltas in one step.
func (h *Hub) Update(fn func(p Publisher)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fn(Publisher{h})
}

// Publisher publishes inside Hub.Update.
type Publisher struct{ h *Hub }

// Delta appends a delta (already JSON) to an event topic.
func (p Publisher) Delta(name string, delta json.RawMessage) {
	t := p.h.topic(name, false)
	t.seq++
	t.pending = append(t.pending, delta)
	if t.ring == nil {
		t.ring = make([]json.RawMessage, p.h.opts.History)
		t.first = t.seq
	}
	t.ring[t.seq%uint64(len(t.ring))] = delta
	if t.seq-t.first >= uint64(len(t.ring)) {
		t.first = t.seq - uint64(len(t.ring)) + 1
	}
}

// span returns the held deltas after have up to to, in order.
func (t *topic) span(have, to uint64) []json.RawMessage {
	out := make([]json.RawMessage, 0, to-have)
	for q := have + 1; q <= to; q++ {
		out = append(out, t.ring[q%uint64(len(t.ring))])
	}
	return out
}

// State sets a state topic's value; subscribers get the latest value at the next tick.
func (p Publisher) State(name string, value json.RawMessage) {
	p.Change(name, value, nil, 0)
}

// Change sets a state topic's value along with a patch: what changed since the value held at
// sequence base (from Value). A subscriber that holds that value gets the patch alone (a
// wall's 107 indicators are 23 KB, of which a few change in two seconds); any other gets the
// whole value. A patch whose base is no longer the topic's value is dropped.
func (p Publisher) Change(name string, value, patch json.RawMessage, base uint64) {
	t := p.h.topic(name, true)
	if t.value == nil || t.seq != base {
		patch = nil
	}
	t.seq++
	t.value, t.patch, t.valueFrame, t.patchFrame = value, patch, nil, nil
}

// Value returns a state topic's value and its sequence (nil when it has none yet).
func (p Publisher) Value(name string) (json.RawMessage, uint64) {
	if t := p.h.topics[name]; t != nil && t.state {
		return t.value, t.seq
	}
	return nil, 0
}

// Exists reports whether a topic has been subscribed to and not forgotten since: an area's
// feed keeps its deltas from then on, watched or not, so a screen that reconnects resumes.
func (p Publisher) Exists(name string) bool { return p.h.topics[name] != nil }

// Subscribed reports whether a topic has subscribers (publishers skip costly topics nobody
// watches, such as one case's timeline).
func (p Publisher) Subscribed(name string) bool {
	t := p.h.topics[name]
	return t != nil && len(t.subs) > 0
}

func (h *Hub) topic(name string, state bool) *topic {
	t := h.topics[name]
	if t == nil {
		q, _ := json.Marshal(name)
		t = &topic{name: name, quoted: q, state: state, subs: map[*conn]uint64{}, seq: max(h.seqStart(), h.floor)}
		t.sent = t.seq
		h.topics[name] = t
	}
	return t
}

// Run flushes every topic each tick until ctx ends, then closes every connection. Every
// client is flushed at the same instant: a burst of writes costs less CPU than the same writes
// spread over the tick (measured: the gateway and its clients sleep and wake once per tick, not
// at every step), and CPU is what the latency of a full wall of screens hangs on.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			for c := range h.conns {
				c.bye("server shutting down")
			}
			h.mu.Unlock()
			return
		case <-t.C:
			h.flush()
		}
	}
}

// outFrame is an encoded frame ready for the wire, shared by every client it goes to.
type outFrame struct {
	topic string
	to    uint64
	state bool
	pm    *websocket.PreparedMessage
	// full is, for a patch, the whole value: what a client gets instead when a frame of the
	// topic still waits for it (the patch's base would never reach it).
	full *outFrame
}

// flush sends each topic's subscribers what it published since the last flush, as one frame
// encoded once for all of them.
func (h *Hub) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.topics {
		from := t.sent + 1
		if from > t.seq {
			continue
		}
		t.sent = t.seq
		if len(t.subs) == 0 {
			t.pending = t.pending[:0]
			continue
		}
		if t.state {
			h.flushState(t)
			continue
		}
		raw := encodeDeltas(t.quoted, from, t.seq, t.pending)
		t.pending = t.pending[:0]
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, raw)
		if err != nil {
			continue
		}
		f := &outFrame{topic: t.name, to: t.seq, pm: pm}
		h.stats.Frames++
		h.stats.Deltas += int64(t.seq - from + 1)
		for c, have := range t.subs {
			switch {
			case have >= t.seq: // its snapshot already holds these deltas
			case have < from:
				c.enqueue(f)
			default: // its snapshot holds the first of them: send it the rest alone
				c.enqueue(h.ownUpTo(t, have, t.seq))
			}
			t.subs[c] = t.seq
		}
	}
}

// flushState sends a state topic's subscribers its value: the patch to those that hold
// the value before it, the whole value to the others.
func (h *Hub) flushState(t *topic) {
	if t.valueFrame == nil {
		t.valueFrame = h.prepare(t, Frame{Topic: t.name, Kind: KindState, Seq: t.seq, Data: t.value}, nil)
	}
	for c, have := range t.subs {
		switch {
		case have >= t.seq:
			continue
		case have == t.seq-1 && t.patch != nil:
			if t.patchFrame == nil {
				t.patchFrame = h.prepare(t, Frame{Topic: t.name, Kind: KindPatch, Seq: t.seq, Data: t.patch}, t.valueFrame)
			}
			c.enqueue(t.patchFrame)
		default:
			c.enqueue(t.valueFrame)
		}
		t.subs[c] = t.seq
	}
}

func (h *Hub) prepare(t *topic, f Frame, full *outFrame) *outFrame {
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, encodeFrame(f))
	h.stats.Frames++
	return &outFrame{topic: t.name, to: t.seq, state: true, pm: pm, full: full}
}

func (h *Hub) snapshotOf(t *topic) json.RawMessage {
	var raw []byte
	switch {
	case t.state && t.value != nil:
		raw = t.value
	case h.snapshot != nil:
		if v, ok := h.snapshot(t.name); ok {
			raw, _ = json.Marshal(v)
		}
	}
	if raw == nil {
		raw = []byte("null")
	}
	return raw
}

// subscribe registers c on a topic and queues what it needs first: the missed deltas when
// since is still in the history, else a snapshot (fresh when since was given). Called with the
// lock held.
func (h *Hub) subscribe(c *conn, name string, since *uint64) {
	t := h.topic(name, h.opts.StateTopic(name))
	if _, already := t.subs[c]; already {
		return
	}
	// Deltas published but not flushed yet go out at the next flush, to every subscriber.
	flushed := t.sent
	if since != nil && !t.state {
		switch have := *since; {
		case have == flushed:
			t.subs[c] = have
			c.enqueue(single(Frame{Topic: name, Kind: KindResumed, Seq: have}))
			return
		case have < flushed && have+1 >= t.first && t.ring != nil:
			c.enqueue(h.ownUpTo(t, have, flushed))
			t.subs[c] = flushed
			return
		} // gone from the history, or a sequence never sent: a fresh snapshot
	}
	raw := h.snapshotOf(t)
	if t.state {
		// Kept as the topic's value: the next subscriber is answered without computing it
		// again (a wall of screens subscribing at once must not evaluate it once each).
		t.value = raw
	}
	c.enqueue(single(Frame{Topic: name, Kind: KindSnapshot, Seq: t.seq, Data: raw, Fresh: since != nil}))
	t.subs[c] = t.seq
}

// ownUpTo encodes the held deltas after have, up to to, for one client (resuming, or whose
// snapshot already holds the first deltas of a frame).
func (h *Hub) ownUpTo(t *topic, have, to uint64) *outFrame {
	raw := encodeDeltas(t.quoted, have+1, to, t.span(have, to))
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, raw)
	return &outFrame{topic: t.name, to: to, pm: pm}
}

func single(f Frame) *outFrame {
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, encodeFrame(f))
	return &outFrame{topic: f.Topic, to: f.Seq, pm: pm}
}

func (h *Hub) unsubscribe(c *conn, name string) {
	if t := h.topics[name]; t != nil {
		delete(t.subs, c)
		c.dropState(name) // a value still waiting would reach a resubscribed client after its snapshot
		h.forget(t)
	}
}

// forget drops a topic nobody watches any more when it is one of many (forgettable): its
// history would otherwise stay for good. A state topic nobody watches is not refreshed, so its
// value is dropped: the next subscriber gets a fresh one, not the value of when the last left.
func (h *Hub) forget(t *topic) {
	switch {
	case len(t.subs) > 0:
	case forgettable(t.name):
		delete(h.topics, t.name)
		h.floor = max(h.floor, t.seq+1)
	case t.state:
		t.value, t.patch, t.valueFrame, t.patchFrame = nil, nil, nil, nil
	}
}

// forgettable topics are dropped when nobody watches them: one case's timeline, and a grid's
// feeds and indicators (a city has thousands of grids; its districts' and streets' stay).
func forgettable(name string) bool {
	for _, prefix := range []string{"case:", "cases:grid:", "map:cases:grid:", "indicators:grid:"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Conns = int64(len(h.conns))
	s.Slow = h.slow.Load()
	return s
}
