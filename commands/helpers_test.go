package commands_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
)

// fakeClock is a settable clock: the write side reads time only through it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// monday is 09:00 on a working Monday in Wuhan.
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func wuhan(t testing.TB) commands.City {
	t.Helper()
	fsys, err := cities.Open("wuhan")
	if err != nil {
		t.Fatal(err)
	}
	city, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return city
}

func openStore(t testing.TB, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type rig struct {
	store domain.EventStore
	h     *commands.Handler
	clock *fakeClock
	city  commands.City
}

func newRig(t testing.TB) *rig {
	st := openStore(t, t.TempDir())
	t.Cleanup(func() { _ = st.Close() })
	return rigOn(t, st)
}

func rigOn(t testing.TB, st domain.EventStore) *rig {
	clock := &fakeClock{now: monday}
	city := wuhan(t)
	return &rig{store: st, h: commands.NewHandler(st, city, clock.Now), clock: clock, city: city}
}

var operator = commands.Meta{Actor: "operator:li", Channel: "console"}

func (r *rig) do(t testing.TB, id string, c cases.Command) commands.Result {
	t.Helper()
	res, err := r.h.Execute(context.Background(), id, c, operator)
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	return res
}

// category is a working-time event category of the Wuhan catalog.
func category(t testing.TB, city commands.City) string {
	for _, c := range city.Catalog.Categories() {
		if c.Kind == catalog.Kind("event") && !c.Continuous {
			return c.Code
		}
	}
	t.Fatal("no event category")
	return ""
}

func (r *rig) report(t testing.TB, source cases.Source) string {
	t.Helper()
	id := commands.NewCaseID(commands.Meta{})
	r.do(t, id, cases.Report{Source: source, Category: category(t, r.city), Title: "人行道积存垃圾",
		Location: cases.Location{Point: &cases.Point{Lon: 114.27, Lat: 30.59}, Address: "江汉区解放大道 688 号", District: "420103"},
		Reporter: &cases.Reporter{Name: "王女士", Phone: "13912345678"}})
	return id
}

func (r *rig) history(t testing.TB, id string) (*cases.State, []domain.RecordedEvent) {
	t.Helper()
	s, evs, err := r.h.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s, evs
}
