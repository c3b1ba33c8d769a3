package indicators

import (
	"sync"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/sensors"
	"github.com/chengyun/chengyun/domain/worktime"
)

// Config is what the engine needs of the city.
type Config struct {
	Location *time.Location    // the city's time zone: days, months, today
	Calendar worktime.Schedule // working time, for measures that count it
	// Runtime answers runtime("name") in formulas: values that are not in the log (projection
	// lag). Nil answers no value.
	Runtime func(name string) (float64, bool)
}

// Engine folds the log into indicator facts and answers indicator values at any instant.
// Apply is called by one goroutine (the projection runner); queries may run concurrently.
type Engine struct {
	mu      sync.RWMutex
	cc      *compiled
	loc     *time.Location
	cal     worktime.Schedule
	runtime func(string) (float64, bool)
	st      *store
	intern  [nDims]*interner
	cases   map[string]*caseTrack
	devices map[string]*deviceTrack
	alarms  map[string]*alarmTrack
	applied uint64 // last position applied
}

// New compiles a catalog into an engine. Errors: invalid naming what in the catalog is wrong.
func New(c *Catalog, cfg Config) (*Engine, error) {
	cc, err := compile(c)
	if err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Calendar == nil {
		cfg.Calendar = worktime.Continuous
	}
	e := &Engine{cc: cc, loc: cfg.Location, cal: cfg.Calendar, runtime: cfg.Runtime, st: newStore(len(cc.measures)),
		cases: map[string]*caseTrack{}, devices: map[string]*deviceTrack{}, alarms: map[string]*alarmTrack{}}
	for d := range e.intern {
		e.intern[d] = newInterner()
	}
	e.intern[dimCity].id("city") // the one city: id 1
	return e, nil
}

// Catalog is the engine's catalog.
func (e *Engine) Catalog() *Catalog { return e.cc.cat }

// Position is the last log position applied.
func (e *Engine) Position() uint64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.applied
}

// Apply folds one stored event. decoded is the event's case payload when the caller already
// decoded it (the projection runner decodes once for every projection); nil decodes here.
// Events of other aggregates count only for measures on "*". Errors: internal for a case or
// sensor event that does not decode.
func (e *Engine) Apply(ev domain.RecordedEvent, decoded *cases.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applied = max(e.applied, ev.Position)
	defer e.st.endEvent()
	switch {
	case cases.IsCaseEvent(ev.Type):
		if decoded == nil {
			d, err := cases.Decode(ev)
			if err != nil {
				return err
			}
			decoded = &d
		}
		e.applyCase(ev, *decoded)
	case sensors.IsSensorEvent(ev.Type):
		p, err := sensors.Decode(ev)
		if err != nil {
			return err
		}
		e.applySensor(ev, p)
	default:
		var a attrs
		e.count(ev.Type, ev.OccurredAt, &a, [nDims]uint16{1})
	}
	return nil
}

// count emits the facts of every counter and duration measure an event matches.
func (e *Engine) count(typ string, at time.Time, a *attrs, dims [nDims]uint16) {
	day := civilDay(at, e.loc)
	for _, list := range [2][]*measure{e.cc.byType[typ], e.cc.anyType} {
		for _, m := range list {
			if !matches(m.where, a) {
				continue
			}
			f := fact{t: at.UnixNano(), day: day, val: 1, slot: m.slot, dims: dims}
			if m.kind == kindDuration {
				from := a.marks[m.duration]
				if from.IsZero() || at.Before(from) {
					continue // the milestone never happened: nothing to time
				}
				d := at.Sub(from)
				if m.working {
					d = e.cal.Between(from, at)
				}
				f.val = int32(min(int64(d/time.Second), 1<<31-1))
			}
			e.st.add(f, m.kind == kindDuration)
		}
	}
}

func matches(where []cond, a *attrs) bool {
	for _, c := range where {
		ok := false
		for _, v := range c.values {
			if a.v[c.attr] == v {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// gaugeFacts moves a subject between gauges: -1 where it was counted, +1 where it now is.
func (e *Engine) gaugeFacts(subject string, at time.Time, was []gaugeMember, state func(string) string, dims [nDims]uint16) []gaugeMember {
	gs := e.cc.gauges[subject]
	if len(gs) == 0 {
		return was
	}
	if was == nil {
		was = make([]gaugeMember, len(gs))
	}
	day := civilDay(at, e.loc)
	for i, m := range gs {
		in := true
		for _, c := range m.gauge {
			v, ok := state(c.attr), false
			for _, want := range c.values {
				if v == want {
					ok = true
					break
				}
			}
			if !ok {
				in = false
				break
			}
		}
		if in == was[i].in && (!in || was[i].dims == dims) {
			continue
		}
		if was[i].in {
			e.st.add(fact{t: at.UnixNano(), day: day, val: -1, slot: m.slot, dims: was[i].dims}, false)
		}
		if in {
			e.st.add(fact{t: at.UnixNano(), day: day, val: 1, slot: m.slot, dims: dims}, false)
		}
		was[i] = gaugeMember{in: in, dims: dims}
	}
	return was
}

type gaugeMember struct {
	in   bool
	dims [nDims]uint16
}

// interner numbers the codes of one dimension; 0 is "none".
type interner struct {
	ids   map[string]uint16
	codes []string
}

func newInterner() *interner { return &interner{ids: map[string]uint16{}, codes: []string{""}} }

func (in *interner) id(code string) uint16 {
	if code == "" {
		return 0
	}
	if id, ok := in.ids[code]; ok {
		return id
	}
	if len(in.codes) >= 1<<16-1 {
		return 0 // a dimension with 65,535 values is not a dimension a screen shows
	}
	id := uint16(len(in.codes))
	in.ids[code], in.codes = id, append(in.codes, code)
	return id
}

func (in *interner) lookup(code string) (uint16, bool) {
	id, ok := in.ids[code]
	return id, ok
}

// Location is the city's time zone, in which days and windows are counted.
func (e *Engine) Location() *time.Location { return e.loc }
