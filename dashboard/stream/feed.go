package stream

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
)

// Card is a case as the screens show it: the delta of the cases and map:cases topics. It
// carries no personal data, so one frame serves every screen.
type Card struct {
	ID        string       `json:"id"`
	Event     string       `json:"event"` // the event type that changed it
	At        int64        `json:"at"`    // when the event was recorded, unix ms (screens measure latency from it)
	Position  uint64       `json:"pos"`
	Status    cases.Status `json:"status"`
	Title     string       `json:"title"`
	Category  string       `json:"category"`
	Source    cases.Source `json:"source"`
	Urgency   string       `json:"urgency"`
	District  string       `json:"district,omitempty"`
	Street    string       `json:"street,omitempty"`
	Grid      string       `json:"grid,omitempty"`
	Lon       float64      `json:"lon,omitempty"`
	Lat       float64      `json:"lat,omitempty"`
	Overdue   bool         `json:"overdue,omitempty"`
	Reported  int64        `json:"reported"` // unix ms
	ClosedAt  int64        `json:"closedAt,omitempty"`
	Timestamp int64        `json:"-"`
}

// Alarm is a sensor alarm event as the alarm panel shows it.
type Alarm struct {
	Stream string          `json:"stream"`
	Event  string          `json:"event"`
	At     int64           `json:"at"`
	Data   json.RawMessage `json:"data"`
}

// Feed is the projection that feeds the hub: it folds every case into a card and publishes
// the changes as deltas once the runner is past the log's head at start (the catch-up only
// builds the cards), and it refreshes the indicator topics that are watched.
type Feed struct {
	hub    *Hub
	live   atomic.Uint64 // publish events after this position (none until SetLive)
	engine *indicators.Engine
	now    func() time.Time
	every  time.Duration

	// Guarded by the hub's lock (Update): the snapshots read them.
	states map[string]*cases.State
	cards  map[string]*Card
	recent []*Card // the latest changes, newest last, for the cases snapshot
	alarms []Alarm

	mu      sync.Mutex
	changed bool // an event arrived since the indicators were last evaluated

	published map[string]published // by indicator topic; Run's alone
}

// NewFeed returns the feed of hub. It publishes nothing until SetLive.
func NewFeed(hub *Hub, engine *indicators.Engine, now func() time.Time) *Feed {
	f := &Feed{hub: hub, engine: engine, now: now, every: 2 * time.Second,
		states: map[string]*cases.State{}, cards: map[string]*Card{}, published: map[string]published{}}
	f.live.Store(math.MaxUint64)
	hub.snapshot = f.snapshot
	return f
}

// SetLive makes the feed publish the events after position (the log's head when the runner
// started: what comes before is the catch-up).
func (f *Feed) SetLive(position uint64) { f.live.Store(position) }

// news reports whether an event is news to the screens: live, and of the last ten minutes
// (a history imported now, such as the demo's, is not news).
func (f *Feed) news(e *projections.Event) bool {
	return e.Position > f.live.Load() && e.OccurredAt.After(f.now().Add(-10*time.Minute))
}

// Name is the projection's name.
func (f *Feed) Name() string { return "stream" }

// Apply folds one event and publishes what changed.
func (f *Feed) Apply(_ projections.Tx, e *projections.Event) error {
	if e.Case == nil {
		if strings.HasPrefix(e.Type, "Alarm") && f.news(e) {
			a := Alarm{Stream: e.StreamID, Event: e.Type, At: e.RecordedAt.UnixMilli(), Data: e.Data}
			raw, _ := json.Marshal(a)
			f.hub.Update(func(p Publisher) {
				f.alarms = append(f.alarms, a)
				if len(f.alarms) > 200 {
					f.alarms = slices.Clone(f.alarms[100:])
				}
				p.Delta("alarms", raw)
			})
		}
		return nil
	}
	f.hub.Update(func(p Publisher) {
		st := f.states[e.CaseID]
		if st == nil {
			st = cases.Fold(e.CaseID, nil)
			f.states[e.CaseID] = st
		}
		var was []string // the areas the case was in: a case moved elsewhere leaves their feeds
		if old := f.cards[e.CaseID]; old != nil {
			was = old.areas()
		}
		st.Apply(*e.Case)
		c := cardOf(st, e)
		f.cards[e.CaseID] = c
		if !f.news(e) {
			return
		}
		f.recent = append(f.recent, c)
		if len(f.recent) > 400 {
			f.recent = slices.Clone(f.recent[200:])
		}
		raw, _ := json.Marshal(c)
		p.Delta("cases", raw)
		p.Delta("map:cases", raw)
		areas := c.areas()
		for _, a := range was {
			if !slices.Contains(areas, a) {
				areas = append(areas, a) // its card, now elsewhere, tells that area's screens
			}
		}
		for _, area := range areas {
			for _, name := range [2]string{"cases:" + area, "map:cases:" + area} {
				if p.Exists(name) {
					p.Delta(name, raw)
				}
			}
		}
		if name := "case:" + e.CaseID; p.Subscribed(name) {
			ev, _ := json.Marshal(map[string]any{"event": e.Type, "at": e.RecordedAt.UnixMilli(), "actor": e.Metadata.Actor, "status": st.Status, "version": e.Version})
			p.Delta(name, ev)
		}
	})
	f.mu.Lock()
	f.changed = true
	f.mu.Unlock()
	return nil
}

func cardOf(st *cases.State, e *projections.Event) *Card {
	loc := st.Location
	c := &Card{ID: st.ID, Event: e.Type, At: e.RecordedAt.UnixMilli(), Position: e.Position, Status: st.Status, Title: st.Title,
		Category: st.Category, Source: st.Source, Urgency: string(st.Urgency), District: loc.District, Street: loc.Street, Grid: loc.Grid,
		Overdue: len(st.Overdue) > 0 && st.Status.Open(), Reported: st.ReportedAt.UnixMilli()}
	if loc.Point != nil {
		c.Lon, c.Lat = loc.Point.Lon, loc.Point.Lat
	}
	if !st.ClosedAt.IsZero() {
		c.ClosedAt = st.ClosedAt.UnixMilli()
	}
	return c
}

// areas are the area feeds a card belongs to: "district:<code>", "street:<code>", "grid:<code>".
func (c *Card) areas() []string {
	out := make([]string, 0, 3)
	for _, a := range [3][2]string{{"district", c.District}, {"street", c.Street}, {"grid", c.Grid}} {
		if a[1] != "" {
			out = append(out, a[0]+":"+a[1])
		}
	}
	return out
}

// in reports whether the card lies in area ("" is the whole city, else as areas names them),
// without building the card's list: snapshots ask it of every card.
func (c *Card) in(area string) bool {
	level, code, _ := strings.Cut(area, ":")
	switch level {
	case "":
		return true
	case "district":
		return c.District == code
	case "street":
		return c.Street == code
	case "grid":
		return c.Grid == code
	}
	return false
}

// snapshot answers a topic's snapshot (the hub's lock is held).
func (f *Feed) snapshot(topic string) (any, bool) {
	if area, ok := strings.CutPrefix(topic, "map:cases:"); ok {
		return f.mapCards(area), true
	}
	if area, ok := strings.CutPrefix(topic, "cases:"); ok {
		return f.latest(area), true
	}
	switch {
	case topic == "cases":
		return f.latest(""), true
	case topic == "map:cases":
		return f.mapCards(""), true
	case topic == "alarms":
		return f.alarms, true
	case strings.HasPrefix(topic, "case:"):
		st := f.states[strings.TrimPrefix(topic, "case:")]
		if st == nil {
			return nil, false
		}
		return map[string]any{"id": st.ID, "status": st.Status, "version": st.Version, "title": st.Title}, true
	case strings.HasPrefix(topic, "indicators:"):
		v, err := f.evaluate(topic)
		if err != nil {
			return nil, false
		}
		return v, true
	}
	return nil, false
}

// ScopeOf reads the scope of an indicators topic ("indicators:city", "indicators:district:420102").
func ScopeOf(topic string) (indicators.Scope, error) {
	rest, ok := strings.CutPrefix(topic, "indicators:")
	if !ok || rest == "" {
		return indicators.Scope{}, domain.Invalid("topic", "%q is not an indicators topic", topic)
	}
	dim, code, _ := strings.Cut(rest, ":")
	return indicators.Scope{Dim: dim, Code: code}, nil
}

// latest is the cases snapshot of an area ("" for the city): the last 100 cases that changed.
// The city's come from the recent (live) changes; an area's from all its cards, latest change
// first, as the recent ones of the whole city may hold few of a street's.
func (f *Feed) latest(area string) []*Card {
	if area != "" {
		mine := []*Card{} // an empty snapshot is [], not null
		for _, c := range f.cards {
			if c.in(area) {
				mine = append(mine, c)
			}
		}
		slices.SortFunc(mine, func(a, b *Card) int { return cmp.Compare(b.Position, a.Position) })
		return mine[:min(len(mine), 100)]
	}
	out := make([]*Card, 0, 100)
	seen := map[string]bool{}
	for i := len(f.recent) - 1; i >= 0 && len(out) < 100; i-- {
		if c := f.cards[f.recent[i].ID]; !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out
}

// mapCards is the map:cases snapshot of an area: its open cases, and those closed in the last
// day, which the map shows.
func (f *Feed) mapCards(area string) []*Card {
	since := f.now().Add(-24 * time.Hour).UnixMilli()
	out := make([]*Card, 0, 1024)
	for _, c := range f.cards {
		if (c.Status.Open() || c.ClosedAt >= since) && c.in(area) {
			out = append(out, c)
		}
	}
	return out
}

// IndicatorState is the value of an indicators topic.
type IndicatorState struct {
	Scope      indicators.Scope    `json:"scope"`
	At         time.Time           `json:"at"`
	Indicators []indicators.Values `json:"indicators"`
}

func (f *Feed) evaluate(topic string) (IndicatorState, error) {
	sc, err := ScopeOf(topic)
	if err != nil {
		return IndicatorState{}, err
	}
	at := f.now()
	vals, err := f.engine.Evaluate(sc, at, nil)
	for i := range vals {
		for w, v := range vals[i].Windows {
			v.Value, v.YoY, v.MoM = round(v.Value), round(v.YoY), round(v.MoM)
			vals[i].Windows[w] = v
		}
	}
	return IndicatorState{Scope: sc, At: at, Indicators: vals}, err
}

// round keeps two decimals: a wall shows 80.2 %, not 80.200527704, and every screen is sent
// the value every two seconds.
func round(p *float64) *float64 {
	if p == nil {
		return nil
	}
	x := math.Round(*p*100) / 100
	return &x
}

// Run refreshes the watched indicator topics every two seconds while events arrive, until
// ctx ends: all 107 indicators of a scope are about 23 KB of JSON, and a counter on a wall
// that moves every two seconds is live enough. The values are computed outside the hub's
// lock.
func (f *Feed) Run(ctx context.Context) {
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f.mu.Lock()
		changed := f.changed
		f.changed = false
		f.mu.Unlock()
		if !changed {
			continue
		}
		var watched []string
		f.hub.mu.Lock()
		for name, t := range f.hub.topics {
			if t.state && len(t.subs) > 0 {
				watched = append(watched, name)
			}
		}
		f.hub.mu.Unlock()
		for name := range f.published {
			if !slices.Contains(watched, name) { // unwatched: its next value starts whole
				delete(f.published, name)
			}
		}
		for _, name := range watched {
			v, err := f.evaluate(name)
			if err != nil {
				continue
			}
			f.publishIndicators(name, v)
		}
	}
}

// publishIndicators gives a topic its new value and, when the topic holds a value, the patch
// from it: screens that hold the old value get the patch alone.
func (f *Feed) publishIndicators(name string, v IndicatorState) {
	raw, _ := json.Marshal(v)
	var held json.RawMessage
	var seq uint64
	f.hub.Update(func(p Publisher) { held, seq = p.Value(name) })
	var patch json.RawMessage
	if prev, ok := f.previous(name, held, seq); ok {
		patch = indicatorPatch(prev, v) // outside the hub's lock: the hub waits for nobody's diff
	}
	f.hub.Update(func(p Publisher) {
		if !p.Subscribed(name) {
			// Unwatched since it was listed: publishing would make a forgotten topic again,
			// one nobody forgets, holding a value that goes stale.
			delete(f.published, name)
			return
		}
		p.Change(name, raw, patch, seq)
		_, now := p.Value(name)
		f.published[name] = published{seq: now, value: v}
	})
}
