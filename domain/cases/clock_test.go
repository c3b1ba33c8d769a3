package cases_test

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

var cst = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// dispatchedAt reports, registers and dispatches a case of category and urgency at now.
func dispatchedAt(t *testing.T, category, urgency string, now time.Time) *cases.State {
	s := &cases.State{ID: "0190a6c5-0000-7000-8000-0000000000c1"}
	run(t, s, cases.Report{Source: cases.SourcePatrol, Category: category, Urgency: "normal", Title: "t", Location: cases.Location{Address: "a"}}, now)
	run(t, s, cases.Verify{}, now)
	run(t, s, cases.Register{Urgency: catalogUrgency(urgency)}, now)
	run(t, s, cases.Dispatch{}, now)
	return s
}

func TestDeadlinesCountWorkingTime(t *testing.T) {
	cases_ := []struct {
		name, category, urgency, from string
		handle                        string // expected handling deadline, local time
	}{
		// P0402 has the default handle limit, 3 working days: Friday 10:00 → Wednesday 10:00.
		{"3 working days over a weekend", "P0402", "normal", "2026-03-06 10:00", "2026-03-11 10:00"},
		// The Spring Festival break (Feb 15–23) is skipped; Saturday Feb 14 is a make-up workday.
		{"over the Spring Festival", "P0402", "normal", "2026-02-13 10:00", "2026-02-25 10:00"},
		// Urgent halves the 3 days (21 working hours → 10.5 h): 5.5 h left on Friday, 3.5 h on
		// Monday morning, 1.5 h after lunch.
		{"urgent halves the limit", "P0402", "urgent", "2026-03-06 10:00", "2026-03-09 15:30"},
		// Critical counts a quarter of 21 working hours around the clock: 5h15m.
		{"critical counts 24x7", "P0402", "critical", "2026-03-06 16:00", "2026-03-06 21:15"},
		// Emergency classes count 24x7 whatever the urgency: 2 h on a Saturday night.
		{"emergencies count 24x7", "E0401", "normal", "2026-03-07 23:00", "2026-03-08 01:00"},
	}
	for _, c := range cases_ {
		s := dispatchedAt(t, c.category, c.urgency, at(c.from))
		got := s.Deadlines[cases.StageHandle].Due.In(cst).Format("2006-01-02 15:04")
		if got != c.handle {
			t.Errorf("%s: handling due %s, want %s", c.name, got, c.handle)
		}
		if d := s.Deadlines[cases.StageHandle]; !d.WarnAt.Before(d.Due) {
			t.Errorf("%s: warning %s is not before the deadline", c.name, d.WarnAt)
		}
	}
}

func TestExtensionAndSuspensionMoveTheDeadlineExactly(t *testing.T) {
	s := dispatchedAt(t, "P0402", "normal", at("2026-03-02 09:00"))
	run(t, s, cases.Accept{}, at("2026-03-02 09:30"))
	run(t, s, cases.RequestExtension{Extra: "2d", Reason: "需协调"}, at("2026-03-03 10:00"))
	run(t, s, cases.GrantExtension{}, at("2026-03-03 11:00"))
	// The handling deadline was Thursday 09:00; 2 working days later is Monday 09:00.
	if got, want := s.Deadlines[cases.StageHandle].Due.In(cst), at("2026-03-09 09:00"); !got.Equal(want) {
		t.Fatalf("extended to %s, want %s", got, want)
	}
	extended := s.Deadlines[cases.StageHandle].Due
	// Suspended on Wednesday at 14:00 and resumed a week later: the deadline moves by exactly
	// the working time that passed while the clock stood still.
	run(t, s, cases.Suspend{Reason: "等待审批"}, at("2026-03-04 14:00"))
	run(t, s, cases.Resume{}, at("2026-03-11 14:00"))
	lost := wuhan.Calendar.Between(at("2026-03-04 14:00"), at("2026-03-11 14:00"))
	if got, want := s.Deadlines[cases.StageHandle].Due, wuhan.Calendar.Add(extended, lost); !got.Equal(want) {
		t.Fatalf("resumed deadline %s, want %s (suspended %s of working time)", got.In(cst), want.In(cst), lost)
	}
}

func TestIntakeShortcuts(t *testing.T) {
	hot := walk(t, cases.StatusReported)
	hot.Source = cases.SourceHotline
	run(t, hot, cases.DirectAnswer{Answer: "已告知"}, start.Add(time.Hour))
	if hot.Status != cases.StatusClosed || hot.ClosedHow != cases.ClosedDirectReply || hot.Deadlines[cases.StageRevisit].Due.IsZero() {
		t.Fatalf("direct answer: %s %s %v", hot.Status, hot.ClosedHow, hot.Deadlines)
	}
	spot := walk(t, cases.StatusReported)
	run(t, spot, cases.CloseOnSpot{Feedback: "已当场清理"}, start.Add(time.Hour))
	if spot.Status != cases.StatusClosed || spot.ClosedHow != cases.ClosedOnTheSpot || !spot.Handled {
		t.Fatalf("close on the spot: %s %s", spot.Status, spot.ClosedHow)
	}
	if _, err := cases.Decide(walk(t, cases.StatusReported), cases.DirectAnswer{Answer: "x"}, envAt(start)); err == nil {
		t.Fatal("a patrol case was answered at intake")
	}
}

func TestReportConvertsAndLocatesItsPoint(t *testing.T) {
	env := envAt(start)
	var asked cases.Point
	env.Locate = func(p cases.Point) cases.Location {
		asked = p
		if p.Lon > 115 {
			return cases.Location{OutOfJurisdiction: true}
		}
		return cases.Location{District: "420103", Street: "420103001", Community: "420103001001", Grid: "420103001001001"}
	}
	r := report(t, cases.SourceHotline)
	r.Location.Point = &cases.Point{Lon: 114.2700, Lat: 30.5900, CRS: "gcj02"}
	r.Location.District = "999999" // the city model's codes win over the caller's
	evs, err := cases.Decide(&cases.State{ID: "0190a6c5-0000-7000-8000-0000000000d1"}, r, env)
	if err != nil {
		t.Fatal(err)
	}
	loc := evs[0].Payload.(cases.Reported).Location
	if loc.Point.CRS != "" || loc.Point.Lon >= 114.27 || asked != *loc.Point {
		t.Fatalf("GCJ-02 point stored as %+v (located at %+v); want WGS84, west of the GCJ-02 input", loc.Point, asked)
	}
	if loc.Grid != "420103001001001" || loc.District != "420103" || loc.OutOfJurisdiction {
		t.Fatalf("located as %+v", loc)
	}
	r.Location.Point = &cases.Point{Lon: 116, Lat: 30}
	evs, _ = cases.Decide(&cases.State{ID: "0190a6c5-0000-7000-8000-0000000000d2"}, r, env)
	if loc := evs[0].Payload.(cases.Reported).Location; !loc.OutOfJurisdiction || loc.District != "999999" {
		t.Fatalf("a point outside the city: %+v", loc)
	}
	r.Location.Point = &cases.Point{Lon: 114, Lat: 30, CRS: "mars"}
	_, err = cases.Decide(&cases.State{ID: "0190a6c5-0000-7000-8000-0000000000d3"}, r, env)
	if de, ok := err.(*domain.Error); !ok || de.Field != "location.point.crs" {
		t.Fatalf("an unknown crs: %v", err)
	}
}

// A category that left the catalog is refused, never a panic.
func TestRetiredCategoryIsRefused(t *testing.T) {
	s := walk(t, cases.StatusHandled)
	s.Category = "Z9999"
	for _, c := range []cases.Command{cases.Inspect{Pass: false, Note: "返工", Rework: "2h"}, cases.Inspect{Pass: false, Note: "返工"}} {
		if _, err := cases.Decide(s, c, envAt(start)); domain.CodeOf(err) != domain.CodeInvalid {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	d := walk(t, cases.StatusRegistered)
	d.Category = "Z9999"
	at := start.Add(48 * time.Hour)
	if _, err := cases.Decide(d, cases.Dispatch{Deadline: &at}, envAt(start)); domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("dispatch: %v", err)
	}
}
