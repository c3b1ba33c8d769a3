package projections_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
	"github.com/chengyun/chengyun/projections"
)

// wuhan is the shipped city, loaded once for all tests.
var wuhan = sync.OnceValues(func() (*wuhanCity, error) {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		return nil, err
	}
	cfg, err := commands.LoadCity(fsys)
	if err != nil {
		return nil, err
	}
	model, err := city.Load(fsys)
	if err != nil {
		return nil, err
	}
	ix := locate.New(model)
	cfg.Locate = func(p cases.Point) cases.Location {
		l := ix.Locate(orb.Point{p.Lon, p.Lat})
		return cases.Location{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, OutOfJurisdiction: !l.Inside}
	}
	w := &wuhanCity{cfg: cfg, model: model}
	// One point inside a grid of each of the first districts, checked with the index: tests
	// place cases there and know their area codes.
	for _, d := range model.Districts {
		for _, g := range model.Grids {
			if g.Code[:6] != d.Code {
				continue
			}
			c := g.Bound.Center()
			if l := ix.Locate(c); l.Inside && l.Grid == g.Code {
				w.places = append(w.places, place{point: cases.Point{Lon: c[0], Lat: c[1]}, district: l.District, street: l.Street, community: l.Community, grid: l.Grid})
				break
			}
		}
	}
	return w, nil
})

type wuhanCity struct {
	cfg    commands.City
	model  *city.City
	places []place
}

type place struct {
	point                             cases.Point
	district, street, community, grid string
}

func mustWuhan(t testing.TB) *wuhanCity {
	t.Helper()
	w, err := wuhan()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.places) < 3 {
		t.Fatalf("only %d test places in Wuhan", len(w.places))
	}
	return w
}

// world is a real embedded store with a command handler on a simulated clock that moves a
// minute per command, from a working Monday morning.
type world struct {
	t     testing.TB
	city  *wuhanCity
	store domain.EventStore
	h     *commands.Handler
	mu    sync.Mutex
	now   time.Time
}

var monday = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC) // 09:30 in Wuhan

func newWorld(t testing.TB) *world {
	t.Helper()
	s, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return worldOn(t, s)
}

func worldOn(t testing.TB, s domain.EventStore) *world {
	w := &world{t: t, city: mustWuhan(t), store: s, now: monday}
	w.h = commands.NewHandler(s, w.city.cfg, w.clock)
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(time.Minute)
	return w.now
}

// advance moves the clock by d and returns the new now.
func (w *world) advance(d time.Duration) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
	return w.now
}

var system = commands.Meta{Actor: "test", Channel: "test"}

// report opens a case at place p (index into the test places).
func (w *world) report(p int, r cases.Report) string {
	w.t.Helper()
	pl := w.city.places[p]
	pt := pl.point
	r.Location.Point = &pt
	if r.Source == "" {
		r.Source = cases.SourcePatrol
	}
	if r.Category == "" {
		r.Category = "P0101"
	}
	if r.Title == "" {
		r.Title = "井盖缺失"
	}
	res, err := w.h.Execute(context.Background(), commands.NewCaseID(commands.Meta{}), r, system)
	if err != nil {
		w.t.Fatal(err)
	}
	return res.CaseID
}

// run executes commands on a case in order.
func (w *world) run(id string, cmds ...cases.Command) uint64 {
	w.t.Helper()
	var last uint64
	for _, c := range cmds {
		res, err := w.h.Execute(context.Background(), id, c, system)
		if err != nil {
			w.t.Fatalf("%s on %s: %v", c.Name(), id, err)
		}
		if n := len(res.Events); n > 0 {
			last = res.Events[n-1].Position
		}
	}
	return last
}

func (w *world) head() uint64 {
	w.t.Helper()
	st, err := w.store.Stats(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return st.LastPosition
}

// Steps of the loop, as commands.
var (
	verify   = cases.Verify{}
	register = cases.Register{}
	dispatch = cases.Dispatch{}
	accept   = cases.Accept{}
	handle   = cases.Handle{Feedback: "已处置"}
	inspect  = cases.Inspect{Pass: true}
	closeIt  = cases.Close{}
	toHandle = []cases.Command{verify, register, dispatch, accept}
	toClose  = []cases.Command{verify, register, dispatch, accept, handle, inspect, closeIt}
)

// startRunner starts a runner over the world's store with the given projections (sink nil:
// in memory) and stops it when the test ends.
func startRunner(t testing.TB, store domain.EventStore, regs ...reg) *projections.Runner {
	t.Helper()
	r := projections.NewRunner(store, projections.Options{Retry: 10 * time.Millisecond})
	for _, g := range regs {
		if err := r.Add(g.p, g.sink); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); r.Wait() })
	return r
}

type reg struct {
	p    projections.Projection
	sink projections.Sink
}

// waitAll waits until every projection of r has applied the log up to position.
func waitAll(t testing.TB, r *projections.Runner, position uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, n := range r.Names() {
		if err := r.WaitFor(ctx, n, position); err != nil {
			t.Fatalf("wait for %s at %d: %v (%+v)", n, position, err, r.Status())
		}
	}
}

func ids(rows []projections.CaseRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func short(id string) string { return fmt.Sprintf("%.8s", id) }

// newLayers makes the three live count layers of Wuhan that serve feeds.
func newLayers(t testing.TB) map[city.Level]*aggregate.Layer {
	m := mustWuhan(t).model
	return map[city.Level]*aggregate.Layer{city.District: aggregate.NewLayer(m, city.District),
		city.Street: aggregate.NewLayer(m, city.Street), city.Grid: aggregate.NewLayer(m, city.Grid)}
}

// checkLayers holds the layers' counts to the open cases of the list.
func checkLayers(t testing.TB, list *projections.CaseList, layers map[city.Level]*aggregate.Layer) {
	t.Helper()
	want := map[city.Level]map[string]int64{city.District: {}, city.Street: {}, city.Grid: {}}
	for _, r := range list.All() {
		if r.Status.Open() {
			want[city.District][r.District]++
			want[city.Street][r.Street]++
			want[city.Grid][r.Grid]++
		}
	}
	for lv, layer := range layers {
		if got := layer.Snapshot(); !maps.Equal(got, want[lv]) {
			t.Errorf("%s counts %v, want %v", lv, got, want[lv])
		}
		if layer.Dropped() != 0 {
			t.Errorf("%s layer dropped %d unknown codes", lv, layer.Dropped())
		}
	}
}
