package indicators

import (
	"encoding/json"
	"math"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/sensors"
)

// kase is one case of a hand-made scenario: its source, category, urgency (normal when empty)
// and place (street and grid derived from the district unless grid is given).
type kase struct {
	id, source, category, urgency, district, grid string
}

func (k kase) urg() catalog.Urgency {
	if k.urgency == "" {
		return "normal"
	}
	return catalog.Urgency(k.urgency)
}

func (k kase) loc() cases.Location {
	grid := k.grid
	if grid == "" {
		grid = k.district + "001001001"
	}
	return cases.Location{District: k.district, Street: k.district + "001", Grid: grid}
}

func dl(stage string, due time.Time) cases.Deadline {
	return cases.Deadline{Stage: catalog.Stage(stage), Due: due}
}

// intake reports k at when; verification is due an hour later.
func (f *fixture) intake(k kase, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Reported{CaseID: k.id, Source: cases.Source(k.source), Category: k.category, Urgency: k.urg(),
		Title: "t", Location: k.loc(), VerifyDue: dl("verify", when.Add(time.Hour))})
}

func (f *fixture) verify(k kase, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Verified{})
}

func (f *fixture) void(k kase, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Voided{Reason: "not a case"})
}

// register files k at when; dispatch is due an hour later.
func (f *fixture) register(k kase, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Registered{Category: k.category, Urgency: k.urg(), Location: k.loc(),
		DispatchDue: dl("dispatch", when.Add(time.Hour))})
}

// dispatch sends k to dept at when; acceptance is due two hours later, handling at handleDue.
func (f *fixture) dispatch(k kase, when time.Time, dept string, handleDue time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Dispatched{Department: dept, AcceptDue: dl("accept", when.Add(2*time.Hour)), HandleDue: dl("handle", handleDue)})
}

// open reports, verifies, registers and dispatches k at the same instant.
func (f *fixture) open(k kase, when time.Time, dept string, handleDue time.Time) {
	f.t.Helper()
	f.intake(k, when)
	f.verify(k, when)
	f.register(k, when)
	f.dispatch(k, when, dept, handleDue)
}

func (f *fixture) accept(k kase, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Accepted{})
}

// handle feeds back k's handling at when; inspection is due at inspectDue.
func (f *fixture) handle(k kase, when, inspectDue time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Handled{Feedback: "done", InspectDue: dl("inspect", inspectDue)})
}

func (f *fixture) inspect(k kase, when time.Time, pass bool) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Inspected{Pass: pass})
}

// close closes k; a revisit is due at revisitDue unless it is zero.
func (f *fixture) close(k kase, when time.Time, how string, revisitDue time.Time) {
	f.t.Helper()
	c := cases.Closed{How: how}
	if !revisitDue.IsZero() {
		d := dl("revisit", revisitDue)
		c.RevisitDue = &d
	}
	f.caseEvent(k.id, when, c)
}

// answer is a hotline reply at intake: Answered then Closed{direct_answer}.
func (f *fixture) answer(k kase, when, revisitDue time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Answered{Answer: "a"})
	f.close(k, when, cases.ClosedDirectReply, revisitDue)
}

// closeOnSpot is a collector's on-the-spot handling: Registered, Handled{byReporter}, Closed.
func (f *fixture) closeOnSpot(k kase, when time.Time) {
	f.t.Helper()
	f.register(k, when)
	f.caseEvent(k.id, when, cases.Handled{Feedback: "fixed", ByReporter: true})
	f.close(k, when, cases.ClosedOnTheSpot, time.Time{})
}

func (f *fixture) overdue(k kase, stage string, when time.Time) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Overdue{Stage: catalog.Stage(stage), Due: when})
}

func (f *fixture) revisit(k kase, when time.Time, reached bool, satisfaction string, solved bool) {
	f.t.Helper()
	f.caseEvent(k.id, when, cases.Revisited{Reached: reached, Satisfaction: satisfaction, Solved: solved})
}

// sensor appends one event of device dev's stream.
func (f *fixture) sensor(dev, typ string, when time.Time, p any) {
	f.t.Helper()
	data, err := json.Marshal(p)
	if err != nil {
		f.t.Fatal(err)
	}
	f.raw(sensors.StreamPrefix+dev, typ, when, data)
}

// device registers dev of kind in district (grid district+"001001001").
func (f *fixture) device(dev, kind, district string, when time.Time) {
	f.t.Helper()
	f.sensor(dev, sensors.TypeDeviceRegistered, when, sensors.DeviceRegistered{DeviceID: dev, Kind: kind,
		Location: sensors.Location{Lon: 114.3, Lat: 30.6, District: district, Street: district + "001", Grid: district + "001001001"}})
}

func (f *fixture) alarm(dev, typ, alarm string, when time.Time) {
	f.t.Helper()
	switch typ {
	case sensors.TypeAlarmAcknowledged:
		f.sensor(dev, typ, when, sensors.AlarmAcknowledged{AlarmID: alarm})
	case sensors.TypeAlarmCleared:
		f.sensor(dev, typ, when, sensors.AlarmCleared{AlarmID: alarm})
	case sensors.TypeAlarmMarkedFalse:
		f.sensor(dev, typ, when, sensors.AlarmMarkedFalse{AlarmID: alarm, Reason: "test"})
	case sensors.TypeAlarmEscalated:
		f.sensor(dev, typ, when, sensors.AlarmEscalated{AlarmID: alarm, CaseID: "case-of-" + alarm})
	default:
		f.t.Fatalf("alarm: %s is not an alarm follow-up", typ)
	}
}

func (f *fixture) raise(dev, alarm, severity string, when time.Time) {
	f.t.Helper()
	f.sensor(dev, sensors.TypeAlarmRaised, when, sensors.AlarmRaised{AlarmID: alarm, Severity: severity, Metric: "m", Value: 1})
}

// nan is the expected value of an indicator with no value (null).
var nan = math.NaN()
