package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/eventstore/postgres"
	"github.com/chengyun/chengyun/eventstore/storetest"
	"github.com/chengyun/chengyun/geo/cities"
)

// api is a real HTTP server on 127.0.0.1:0 in front of a real store.
type api struct {
	t     testing.TB
	url   string
	city  commands.City
	token string // an admin's session
}

func serveOn(t testing.TB, store domain.EventStore) *api {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		t.Fatal(err)
	}
	city, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// A fixed working Monday morning, so deadlines are the same on every run.
	now := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Minute); return now }
	srv := dashboard.NewServer(store, dashboard.NewMetrics(), slog.New(slog.DiscardHandler), "test")
	srv.HandleCases(commands.NewHandler(store, city, clock), city.Catalog, city.Routing)
	useAccess(t, store, srv, time.Now, dashboard.AuthOptions{}) // identity runs on the wall clock, as in serve
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &api{t: t, url: ts.URL, city: city, token: loginAs(t, ts.URL, "admin", testAdminPassword)}
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func (a *api) post(path string, body any, headers ...string) reply {
	a.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	req, _ := http.NewRequest("POST", a.url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return a.do(req)
}

func (a *api) get(path string) reply {
	a.t.Helper()
	req, _ := http.NewRequest("GET", a.url+path, nil)
	return a.do(req)
}

func (a *api) do(req *http.Request) reply {
	a.t.Helper()
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &r.body); err != nil {
		a.t.Fatalf("%s %s: %d, not JSON: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return r
}

// must posts and fails unless the status is want.
func (a *api) must(want int, path string, body any, headers ...string) reply {
	a.t.Helper()
	r := a.post(path, body, headers...)
	if r.status != want {
		a.t.Fatalf("POST %s: %d %v, want %d", path, r.status, r.body, want)
	}
	return r
}

func (a *api) report(source string) string {
	a.t.Helper()
	r := a.must(201, "/api/v1/cases", map[string]any{"source": source, "category": a.category(), "title": "井盖缺失",
		"location": map[string]any{"point": map[string]float64{"lon": 114.30, "lat": 30.55}, "address": "武昌区中北路 100 号", "district": "420106"},
		"reporter": map[string]string{"name": "李先生", "phone": "13800138000"}})
	id := r.body["caseId"].(string)
	if r.header.Get("Location") != "/api/v1/cases/"+id {
		a.t.Fatalf("Location %q", r.header.Get("Location"))
	}
	return id
}

func (a *api) category() string {
	for _, c := range a.city.Catalog.Categories() {
		if c.Kind == "part" && !c.Continuous {
			return c.Code
		}
	}
	a.t.Fatal("no part category")
	return ""
}

func (a *api) step(id string, steps ...string) {
	a.t.Helper()
	bodies := map[string]string{
		"verify": `{}`, "void": `{"reason":"重复"}`, "register": `{"urgency":"urgent"}`, "dispatch": `{}`, "accept": ``,
		"return": `{"reason":"非本单位职责"}`, "request-extension": `{"extra":"2d","reason":"需更换管道"}`,
		"grant-extension": `{"note":"同意"}`, "deny-extension": `{"reason":"时限充足"}`, "suspend": `{"reason":"等待审批"}`,
		"resume": `{}`, "handle": `{"feedback":"已更换井盖","photos":["photos/a.jpg"],"point":{"lon":114.3,"lat":30.55}}`,
		"inspect": `{"pass":true}`, "inspect-fail": `{"pass":false,"note":"井盖未固定","rework":"1d"}`, "close": `{}`,
		"revisit": `{"reached":true,"satisfaction":"satisfied","solved":true}`, "reopen": `{"reason":"井盖再次松动"}`,
		"supervise": `{"note":"请加快"}`, "escalate": `{"reason":"群众反映强烈"}`, "close-on-spot": `{"feedback":"已当场处置"}`,
		"direct-answer": `{"answer":"已告知政策"}`,
	}
	for _, s := range steps {
		cmd := strings.TrimSuffix(s, "-fail")
		a.must(200, "/api/v1/cases/"+id+"/"+cmd, bodies[s])
	}
}

func (a *api) status(id string) (string, int) {
	a.t.Helper()
	r := a.get("/api/v1/cases/" + id)
	if r.status != 200 {
		a.t.Fatalf("GET case: %d %v", r.status, r.body)
	}
	return r.body["case"].(map[string]any)["status"].(string), len(r.body["timeline"].([]any))
}

func runHTTP(t *testing.T, store domain.EventStore) {
	a := serveOn(t, store)
	t.Run("every path", func(t *testing.T) {
		a.t = t
		paths := []struct {
			source string
			steps  []string
			status string
		}{
			{"patrol", []string{"verify", "register", "dispatch", "accept", "request-extension", "grant-extension", "suspend", "resume", "handle", "inspect-fail", "handle", "inspect", "close", "revisit"}, "closed"},
			{"hotline", []string{"verify", "register", "dispatch", "return", "dispatch", "accept", "request-extension", "deny-extension", "handle", "inspect", "close", "reopen", "dispatch", "accept", "handle", "inspect", "close"}, "closed"},
			{"video", []string{"void"}, "voided"},
			{"sensor", []string{"verify", "void"}, "voided"},
			{"patrol", []string{"close-on-spot", "supervise"}, ""},
			{"hotline", []string{"direct-answer", "revisit"}, "closed"},
			{"open311", []string{"supervise", "escalate", "verify", "escalate", "register"}, "registered"},
			{"higher-level", []string{"verify", "register", "dispatch", "accept", "return", "dispatch"}, "dispatched"},
		}
		for _, p := range paths {
			id := a.report(p.source)
			if p.status == "" { // a closed case takes no supervision: 409
				a.step(id, p.steps[0])
				if r := a.post("/api/v1/cases/"+id+"/supervise", `{"note":"x"}`); r.status != 409 {
					t.Fatalf("supervise a closed case: %d", r.status)
				}
				continue
			}
			a.step(id, p.steps...)
			if got, n := a.status(id); got != p.status || n < len(p.steps)+1 {
				t.Fatalf("%s path ended %s with %d events", p.source, got, n)
			}
		}
		master, dup := a.report("hotline"), a.report("hotline")
		a.must(200, "/api/v1/cases/"+dup+"/merge", `{"into":"`+master+`","reason":"重复诉求"}`)
		if st, _ := a.status(dup); st != "merged" {
			t.Fatalf("duplicate is %s", st)
		}
		if r := a.get("/api/v1/cases/" + master); len(r.body["case"].(map[string]any)["duplicates"].([]any)) != 1 {
			t.Fatalf("master does not list its duplicate: %v", r.body["case"])
		}
	})
	t.Run("errors write nothing", func(t *testing.T) {
		a.t = t
		id := a.report("patrol")
		bad := []struct {
			path, body string
			status     int
			field      string
		}{
			{"/" + id + "/dispatch", `{}`, 409, "status"},
			{"/" + id + "/verify", `{"note": 5}`, 400, "note"},
			{"/" + id + "/verify", `{"nope": 1}`, 400, "nope"},
			{"/" + id + "/verify", `{"note": "a"`, 400, "body"},
			{"/" + id + "/verify", `{} {}`, 400, "body"},
			{"/" + id + "/void", `{}`, 400, "reason"},
			{"/" + id + "/fly", `{}`, 404, "command"},
			{"/0190a6c5-0000-7000-8000-0000000000ff/verify", `{}`, 404, "case"},
			{"/" + id + "/verify", `{"note":"` + strings.Repeat("x", commands.MaxCommandBytes) + `"}`, 413, "body"},
			{"", `{"source":"fax","category":"x","title":"t","location":{"address":"a"}}`, 400, "source"},
			{"", `{"source":"hotline","category":"` + a.category() + `","title":"","location":{"address":"a"}}`, 400, "title"},
			{"", `{"source":"hotline","category":"` + a.category() + `","title":"t","location":{}}`, 400, "location"},
			{"", `{"source":"hotline","category":"` + a.category() + `","title":"t","location":{"point":{"lon":200,"lat":1}}}`, 400, "location.point.lon"},
			{"", `{"source":"hotline","category":"Z0000","title":"t","location":{"address":"a"}}`, 400, "category"},
			{"", `{"source":"hotline","category":"` + a.category() + `","title":"t","location":{"point":{"lon":114,"lat":30,"crs":"mars"}}}`, 400, "location.point.crs"},
		}
		for _, b := range bad {
			r := a.post("/api/v1/cases"+b.path, b.body)
			e, _ := r.body["error"].(map[string]any)
			if r.status != b.status || e == nil || e["field"] != b.field {
				t.Errorf("POST %s %.60s: %d %v, want %d naming %s", b.path, b.body, r.status, r.body, b.status, b.field)
			}
		}
		if st, n := a.status(id); st != "reported" || n != 1 {
			t.Fatalf("after refused commands: %s with %d events", st, n)
		}
		r := a.post("/api/v1/cases/"+id+"/register", `{}`)
		if msg := r.body["error"].(map[string]any)["message"].(string); r.status != 409 || !strings.Contains(msg, "reported") {
			t.Fatalf("409 must name the current state: %d %s", r.status, msg)
		}
	})
	t.Run("idempotency key", func(t *testing.T) {
		a.t = t
		body := map[string]any{"source": "hotline", "category": a.category(), "title": "路灯不亮", "location": map[string]any{"address": "江岸区沿江大道"}}
		key := fmt.Sprintf("call-%d", time.Now().UnixNano())
		first := a.must(201, "/api/v1/cases", body, dashboard.HeaderIdempotencyKey, key)
		again := a.must(201, "/api/v1/cases", body, dashboard.HeaderIdempotencyKey, key)
		if first.body["caseId"] != again.body["caseId"] || again.header.Get(dashboard.HeaderReplayed) != "true" {
			t.Fatalf("retried report: %v / %v", first.body, again.body)
		}
		id := first.body["caseId"].(string)
		a.must(200, "/api/v1/cases/"+id+"/verify", `{}`, dashboard.HeaderIdempotencyKey, key+"-v")
		a.must(200, "/api/v1/cases/"+id+"/verify", `{}`, dashboard.HeaderIdempotencyKey, key+"-v")
		if _, n := a.status(id); n != 2 {
			t.Fatalf("%d events after two retried requests", n)
		}
	})
	t.Run("concurrent commands on one case", func(t *testing.T) {
		a.t = t
		id := a.report("hotline")
		var wg sync.WaitGroup
		codes := make(chan int, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", a.url+"/api/v1/cases/"+id+"/supervise", strings.NewReader(`{"note":"督办"}`))
				req.Header.Set("Authorization", "Bearer "+a.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != 200 {
				t.Fatalf("a concurrent supervise got %d", c)
			}
		}
		if _, n := a.status(id); n != 17 {
			t.Fatalf("%d events, want 17", n)
		}
	})
	t.Run("reads", func(t *testing.T) {
		a.t = t
		if r := a.get("/api/v1/categories"); r.status != 200 || len(r.body["categories"].([]any)) < 50 {
			t.Fatalf("categories: %d", r.status)
		}
		if r := a.get("/api/v1/routing/suggest?category=" + a.category() + "&district=420106"); r.status != 200 || r.body["Department"] == "" {
			t.Fatalf("suggest: %d %v", r.status, r.body)
		}
		if r := a.get("/api/v1/cases/not-a-case"); r.status != 404 {
			t.Fatalf("GET unknown case: %d", r.status)
		}
	})
}

func TestHTTPCommandsEmbedded(t *testing.T) {
	s, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runHTTP(t, s)
}

func TestHTTPCommandsPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("cy_http_%d", time.Now().UnixNano()%1e9)
	defer func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		_ = conn.Close(context.Background())
	}()
	s, err := postgres.Open(ctx, url, postgres.Options{Schema: schema, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runHTTP(t, s)
}

type brokenBody struct{}

func (brokenBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// A body that cannot be read (a client gone mid-request) is a 400, not a 413.
func TestUnreadableBodyIsInvalid(t *testing.T) {
	s, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fsys, _ := cities.Open("wuhan")
	city, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	srv := dashboard.NewServer(s, dashboard.NewMetrics(), slog.New(slog.DiscardHandler), "test")
	srv.HandleCases(commands.NewHandler(s, city, time.Now), city.Catalog, city.Routing)
	useAccess(t, s, srv, time.Now, dashboard.AuthOptions{})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	token := loginAs(t, ts.URL, "admin", testAdminPassword)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/v1/cases", brokenBody{})
	req.Header.Set("Authorization", "Bearer "+token)
	srv.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"body"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}
