package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/chengyun/chengyun/dashboard/stream"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
	"github.com/chengyun/chengyun/geo/tiles"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
)

var wuhanModel = sync.OnceValues(func() (*city.City, error) {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		return nil, err
	}
	return city.Load(fsys)
})

// cityServer is the case, map and identity API of Wuhan with the city model wired into the
// domain, on a real HTTP server in front of an embedded store.
type cityServer struct {
	url     string
	srv     *dashboard.Server
	svc     *access.Service
	handler *commands.Handler
	store   domain.EventStore
	model   *city.City
	// list and runner are the read models srv serves; a test waits on this runner.
	list   *projections.CaseList
	runner *projections.Runner
}

func newCityServer(t *testing.T, o dashboard.AuthOptions) *cityServer {
	t.Helper()
	model, err := wuhanModel()
	if err != nil {
		t.Fatal(err)
	}
	fsys, _ := cities.Open("wuhan")
	cfg, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ix := locate.New(model)
	cfg.Locate = func(p cases.Point) cases.Location {
		l := ix.Locate(orb.Point{p.Lon, p.Lat})
		return cases.Location{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, OutOfJurisdiction: !l.Inside}
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	srv := dashboard.NewServer(store, dashboard.NewMetrics(), slog.New(slog.DiscardHandler), "test")
	h := commands.NewHandler(store, cfg, func() time.Time { return time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) })
	srv.HandleCases(h, cfg.Catalog, cfg.Routing)
	srv.HandleGeo(model, ix, tiles.New(model, tiles.Options{}))
	engine := followedEngine(t, store)
	srv.HandleIndicators(engine, time.Now)
	srv.HandleStream(stream.NewHub(nil, stream.Options{}), nil)
	// The read models, as serve mounts them, so that the matrix covers every route serve has.
	list := projections.NewCaseList(nil)
	runner := projections.NewRunner(store, projections.Options{})
	if err := runner.Add(list, nil); err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithCancel(context.Background())
	if err := runner.Start(rctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcancel(); runner.Wait() })
	srv.HandleReadModels(list, runner)
	svc := useAccess(t, store, srv, time.Now, o)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &cityServer{url: ts.URL, srv: srv, svc: svc, handler: h, store: store, model: model, list: list, runner: runner}
}

// geoServer serves the map as the big screen reads it: without login.
func geoServer(t *testing.T) string {
	return newCityServer(t, dashboard.AuthOptions{PublicScreen: true}).url
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		_ = json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

func TestGeoAPI(t *testing.T) {
	base := geoServer(t)
	var meta dashboard.CityView
	if code := getJSON(t, base+"/api/v1/geo/city", &meta); code != 200 || meta.Counts["district"] != 13 || meta.Counts["street"] != 193 || len(meta.Layers) < 4 {
		t.Fatalf("city: %d %+v", code, meta)
	}
	resp, err := http.Get(base + "/tiles/districts/8/209/105.pbf") // Wuhan at zoom 8
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile: %d %s", resp.StatusCode, resp.Header)
	}
	if !resp.Uncompressed || len(body) == 0 {
		t.Fatalf("the tile did not come gzip-compressed (%d bytes)", len(body))
	}
	// A client that does not take gzip gets the plain tile.
	req, _ := http.NewRequest("GET", base+"/tiles/districts/8/209/105.pbf", nil)
	req.Header.Set("Accept-Encoding", "identity")
	plain, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(raw, body) {
		t.Fatalf("identity tile: %q, %d bytes", plain.Header.Get("Content-Encoding"), len(raw))
	}
	for path, want := range map[string]int{"/tiles/nope/8/209/105.pbf": 404, "/tiles/districts/x/1/1.pbf": 400, "/tiles/districts/40/1/1.pbf": 400, "/tiles/districts/8/209/105.png": 404} {
		if code := getJSON(t, base+path, nil); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if code := getJSON(t, base+"/api/v1/geo/layers/districts", &fc); code != 200 || len(fc.Features) != 13 {
		t.Fatalf("districts GeoJSON: %d, %d features", code, len(fc.Features))
	}
	var loc dashboard.LocateView
	if code := getJSON(t, base+"/api/v1/geo/locate?lon=114.2717&lat=30.5846", &loc); code != 200 || !loc.Inside || loc.District != "420103" || loc.Grid == "" || !strings.HasPrefix(loc.Grid, loc.Street) {
		t.Fatalf("locate in 江汉区: %d %+v", code, loc)
	}
	if code := getJSON(t, base+"/api/v1/geo/locate?lon=121.47&lat=31.23", &loc); code != 200 || loc.Inside {
		t.Fatalf("Shanghai is outside Wuhan: %d %+v", code, loc)
	}
	for _, q := range []string{"lon=114&lat=30&crs=mars", "lon=abc&lat=30", "lon=114&lat=95"} {
		if code := getJSON(t, base+"/api/v1/geo/locate?"+q, nil); code != 400 {
			t.Errorf("locate?%s: %d, want 400", q, code)
		}
	}
}

// TestReportedCaseIsLocated walks a case with a GCJ-02 point from report to dispatch: the
// registered event carries the grid, community, street and district of the point, and
// dispatch routes by them.
func TestReportedCaseIsLocated(t *testing.T) {
	base := geoServer(t)
	token := loginAs(t, base, "admin", testAdminPassword)
	post := func(path, body string) map[string]any {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	id := post("/api/v1/cases", `{"source":"patrol","category":"E0102","title":"暴露垃圾","location":{"point":{"lon":114.2775,"lat":30.5822,"crs":"gcj02"},"address":"江汉区"}}`)["caseId"].(string)
	post("/api/v1/cases/"+id+"/verify", `{}`)
	reg := post("/api/v1/cases/"+id+"/register", `{}`)["events"].([]any)[0].(map[string]any)["data"].(map[string]any)["location"].(map[string]any)
	for _, k := range []string{"district", "street", "community", "grid"} {
		if reg[k] == nil || reg[k] == "" {
			t.Fatalf("the registered location has no %s: %v", k, reg)
		}
	}
	if reg["district"] != "420103" || !strings.HasPrefix(reg["grid"].(string), reg["community"].(string)) {
		t.Fatalf("registered location %v", reg)
	}
	disp := post("/api/v1/cases/"+id+"/dispatch", `{}`)["events"].([]any)[0].(map[string]any)["data"].(map[string]any)
	if disp["department"] != "420103-cgj" || !strings.Contains(disp["suggestedReason"].(string), "420103") {
		t.Fatalf("dispatch did not route by district: %v", disp)
	}
}

// followedEngine is an indicator engine on the Wuhan calendar that follows the store.
func followedEngine(t *testing.T, store domain.EventStore) *indicators.Engine {
	t.Helper()
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e, err := indicators.New(cat, indicators.Config{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub, err := store.Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev := range sub.Events() {
			_ = e.Apply(ev, nil)
		}
	}()
	return e
}
