package cases_test

import (
	"os"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/worktime"
)

// wuhan is the shipped Wuhan catalog, routing table and calendar, loaded once.
var wuhan = func() (env cases.Env) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../../geo/cities/wuhan/" + name)
		if err != nil {
			panic(err)
		}
		return b
	}
	var err error
	if env.Catalog, err = catalog.ParseCategories(read("categories.yaml")); err != nil {
		panic(err)
	}
	if env.Routing, err = catalog.ParseRouting(read("routing.yaml"), env.Catalog); err != nil {
		panic(err)
	}
	if env.Calendar, err = worktime.Parse(read("calendar.yaml")); err != nil {
		panic(err)
	}
	return env
}()

// start is a Monday morning in Wuhan, a working day.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(-8 * time.Hour)

func envAt(now time.Time) cases.Env {
	e := wuhan
	e.Now, e.Actor = now, "tester"
	return e
}

// firstOf returns the first category of kind whose clock is the working calendar.
func firstOf(t testing.TB, kind catalog.Kind, continuous bool) string {
	for _, c := range wuhan.Catalog.Categories() {
		if c.Kind == kind && c.Continuous == continuous {
			return c.Code
		}
	}
	t.Fatalf("the Wuhan catalog has no %s category (continuous %v)", kind, continuous)
	return ""
}

func report(t testing.TB, source cases.Source) cases.Report {
	return cases.Report{Source: source, Category: firstOf(t, catalog.Kind("event"), false), Title: "道路积存垃圾",
		Location: cases.Location{Point: &cases.Point{Lon: 114.3055, Lat: 30.5928}, Address: "江汉区解放大道", District: "420103"},
		Reporter: &cases.Reporter{Name: "张三", Phone: "13800000000"}}
}

// run decides c on s at now and applies the events; it fails the test on an error.
func run(t testing.TB, s *cases.State, c cases.Command, now time.Time) []cases.Event {
	t.Helper()
	evs, err := cases.Decide(s, c, envAt(now))
	if err != nil {
		t.Fatalf("%s in %s: %v", c.Name(), s.Status, err)
	}
	for _, e := range evs {
		s.Apply(e)
	}
	return evs
}

// walk brings a new case to status by the shortest legal path.
func walk(t testing.TB, status cases.Status) *cases.State {
	t.Helper()
	s := &cases.State{ID: "0190a6c5-0000-7000-8000-000000000001"}
	now := start
	src := cases.SourcePatrol
	if status == cases.StatusClosed {
		src = cases.SourceHotline
	}
	steps := map[cases.Status][]cases.Command{
		cases.StatusReported:   {report(t, src)},
		cases.StatusVerified:   {report(t, src), cases.Verify{}},
		cases.StatusVoided:     {report(t, src), cases.Void{Reason: "重复上报"}},
		cases.StatusRegistered: {report(t, src), cases.Verify{}, cases.Register{}},
		cases.StatusDispatched: {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}},
		cases.StatusAccepted:   {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}},
		cases.StatusSuspended:  {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Suspend{Reason: "等待配件"}},
		cases.StatusHandled:    {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Handle{Feedback: "已清理"}},
		cases.StatusInspected:  {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Handle{Feedback: "已清理"}, cases.Inspect{Pass: true}},
		cases.StatusClosed:     {report(t, src), cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Handle{Feedback: "已清理"}, cases.Inspect{Pass: true}, cases.Close{}},
		cases.StatusMerged:     {report(t, src), cases.Merge{Into: "0190a6c5-0000-7000-8000-000000000002", Master: master(t)}},
		cases.StatusNone:       {},
	}
	for _, c := range steps[status] {
		now = now.Add(10 * time.Minute)
		run(t, s, c, now)
	}
	if s.Status != status {
		t.Fatalf("walk to %s ended in %s", status, s.Status)
	}
	return s
}

func master(t testing.TB) *cases.State {
	m := &cases.State{ID: "0190a6c5-0000-7000-8000-000000000002"}
	evs, err := cases.Decide(m, report(t, cases.SourceHotline), envAt(start))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		m.Apply(e)
	}
	return m
}

func catalogUrgency(s string) catalog.Urgency { return catalog.Urgency(s) }
