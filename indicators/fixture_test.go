package indicators

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// shanghai is Wuhan's time zone.
var shanghai = func() *time.Location { l, _ := time.LoadLocation("Asia/Shanghai"); return l }()

// fixture writes hand-made events straight into an engine, in log order, so each indicator's
// expected value can be computed by hand from the few events of its test.
type fixture struct {
	t   testing.TB
	e   *Engine
	pos uint64
	all []domain.RecordedEvent
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c, Config{Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, e: e}
}

// at is a local Wuhan time on 2026-03-02 (a Monday) plus days.
func at(days int, hhmm string) time.Time {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return time.Date(2026, 3, 2+days, h, m, 0, 0, shanghai)
}

// caseEvent appends one case event.
func (f *fixture) caseEvent(id string, when time.Time, p cases.Payload) {
	f.t.Helper()
	data, err := json.Marshal(p)
	if err != nil {
		f.t.Fatal(err)
	}
	f.raw("case-"+id, p.EventType(), when, data)
}

// raw appends any event.
func (f *fixture) raw(stream, typ string, when time.Time, data []byte) {
	f.t.Helper()
	f.pos++
	ev := domain.RecordedEvent{EventData: domain.EventData{ID: uuid.NewString(), Type: typ, SchemaVersion: 1, OccurredAt: when, Data: data},
		StreamID: stream, Version: 1, Position: f.pos, RecordedAt: when}
	f.all = append(f.all, ev)
	if err := f.e.Apply(ev, nil); err != nil {
		f.t.Fatal(err)
	}
}

// value is one indicator's value over one window at an instant, NaN when null.
func (f *fixture) value(id string, sc Scope, window string, when time.Time) float64 {
	f.t.Helper()
	vs, err := f.e.Evaluate(sc, when, []string{id})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(vs) != 1 {
		f.t.Fatalf("%s has no value for %v", id, sc)
	}
	w, ok := vs[0].Windows[window]
	if !ok {
		f.t.Fatalf("%s has no window %s", id, window)
	}
	if w.Value == nil {
		return math.NaN()
	}
	return *w.Value
}

// checked records every indicator id a fixture checked a value of, for
// TestEveryIndicatorHasAFixture.
var checked sync.Map

func (f *fixture) want(id string, sc Scope, window string, when time.Time, want float64) {
	f.t.Helper()
	checked.Store(id, true)
	got := f.value(id, sc, window, when)
	if !(got == want || math.IsNaN(got) && math.IsNaN(want) || math.Abs(got-want) < 1e-9) {
		f.t.Errorf("%s %v %s at %s = %v, want %v", id, sc, window, when.Format("01-02 15:04"), got, want)
	}
}

var city = Scope{Dim: "city"}

// A standard case's life: reported at r, registered and dispatched to dept 10 minutes later,
// handled after h (handleDue at r+48h), closed 1h after handling.
type life struct {
	id, district, dept, category, source string
}

func (f *fixture) report(l life, when time.Time) {
	f.caseEvent(l.id, when, cases.Reported{CaseID: l.id, Source: cases.Source(l.source), Category: l.category, Urgency: "normal", Title: "t",
		Location:  cases.Location{District: l.district, Street: l.district + "001", Grid: l.district + "001001001"},
		VerifyDue: cases.Deadline{Stage: "verify", Due: when.Add(time.Hour)}})
}

func (f *fixture) registerDispatch(l life, when time.Time, handleDue time.Time) {
	f.caseEvent(l.id, when, cases.Verified{})
	f.caseEvent(l.id, when, cases.Registered{Category: l.category, Urgency: "normal", DispatchDue: cases.Deadline{Stage: "dispatch", Due: when.Add(time.Hour)}})
	f.caseEvent(l.id, when, cases.Dispatched{Department: l.dept, AcceptDue: cases.Deadline{Stage: "accept", Due: when.Add(2 * time.Hour)},
		HandleDue: cases.Deadline{Stage: "handle", Due: handleDue}})
}

func TestFixtureCaseLoop(t *testing.T) {
	f := newFixture(t)
	a := life{id: "a", district: "420106", dept: "cg", category: "P0101", source: "hotline"}
	b := life{id: "b", district: "420102", dept: "sw", category: "E0101", source: "patrol"}
	f.report(a, at(0, "09:00"))
	f.report(b, at(0, "09:30"))
	f.registerDispatch(a, at(0, "09:10"), at(2, "09:10"))
	f.registerDispatch(b, at(0, "09:40"), at(0, "12:00"))
	f.want("reported", city, "today", at(0, "09:15"), 1)
	f.want("reported", city, "today", at(0, "10:00"), 2)
	f.want("backlog", city, "today", at(0, "10:00"), 2)
	f.want("backlog", Scope{"district", "420106"}, "today", at(0, "10:00"), 1)
	f.caseEvent("b", at(0, "12:00"), cases.Overdue{Stage: "handle", Due: at(0, "12:00")})
	f.caseEvent("a", at(0, "14:10"), cases.Accepted{})
	f.caseEvent("a", at(0, "15:10"), cases.Handled{Feedback: "ok", InspectDue: cases.Deadline{Stage: "inspect", Due: at(1, "15:10")}})
	f.caseEvent("a", at(0, "15:30"), cases.Inspected{Pass: true})
	f.caseEvent("a", at(0, "16:10"), cases.Closed{How: "inspected"})
	f.caseEvent("b", at(1, "10:00"), cases.Handled{Feedback: "late", InspectDue: cases.Deadline{Stage: "inspect", Due: at(2, "10:00")}})
	f.caseEvent("b", at(1, "11:00"), cases.Closed{How: "inspected"})
	// a closed on time, b overdue: 1 / (1 + 1).
	f.want("on_time_closure_rate", city, "7d", at(1, "12:00"), 50)
	f.want("on_time_closure_rate", Scope{"district", "420106"}, "7d", at(1, "12:00"), 100)
	f.want("on_time_closure_rate", city, "today", at(0, "23:00"), 50) // b overdue at 12:00, a closed 16:10
	f.want("on_time_closure_rate", city, "today", at(1, "10:30"), math.NaN())
	f.want("backlog", city, "today", at(1, "12:00"), 0)
	f.want("backlog", city, "today", at(0, "20:00"), 1) // as of the evening before: only b is open
	// a: 6h from dispatch (09:10) to handling (15:10), b: 24h20m; on the 24x7 calendar.
	f.want("mean_handle_hours", city, "7d", at(1, "12:00"), (6+24+20.0/60)/2)
	f.want("mean_handle_hours", Scope{"department", "sw"}, "7d", at(1, "12:00"), 24+20.0/60)
	f.want("reported", Scope{"source", "patrol"}, "30d", at(1, "12:00"), 1)
	f.want("reported", Scope{"grid", "420106001001001"}, "30d", at(1, "12:00"), 1)
	// 17 events in the log by day 1 11:00; today window of day 1 from 00:00 to 12:00 has 2.
	f.want("events_per_minute", city, "today", at(1, "12:00"), 2.0/(12*60))
}
