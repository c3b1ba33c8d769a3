package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/projections"
)

var readModelRoutes = []string{"GET /api/v1/cases", "GET /api/v1/tasks", "GET /api/v1/map/cases", "GET /api/v1/projections"}

// readModelWorld is the matrix's city with the read models mounted on its servers (the
// screen's too), fed by a runner over the same store.
func readModelWorld(t *testing.T) (*matrixWorld, *projections.Runner) {
	w := newMatrixWorld(t)
	// The screen server shares the city server's read models, so that waiting on one runner
	// covers the answers of both.
	screen := dashboard.NewServer(w.cs.store, dashboard.NewMetrics(), nopLog(), "test")
	screen.HandleReadModels(w.cs.list, w.cs.runner)
	screen.UseAccess(w.cs.svc, dashboard.AuthOptions{PublicScreen: true})
	ts := httptest.NewServer(screen)
	t.Cleanup(ts.Close)
	for _, c := range w.callers {
		if c.role == "screen" {
			c.base = ts.URL
		}
	}
	return w, w.cs.runner
}

// TestReadModelsAuthorizationMatrix holds the read-model routes to their rows of routeMatrix
// for every caller (TestAuthorizationMatrix does it for the servers that mount them).
func TestReadModelsAuthorizationMatrix(t *testing.T) {
	w, _ := readModelWorld(t)
	anchor := w.dispatchedCase()
	for _, pattern := range readModelRoutes {
		row, ok := routeMatrix[pattern]
		if !ok {
			t.Fatalf("route %q has no row in the authorization matrix", pattern)
		}
		for _, c := range w.callers {
			method, path, body := w.request(pattern, c, anchor)
			code, got := c.send(method, path, body)
			w.check(pattern, c, allowedBy(row.allow, c.role) && (!row.scoped || c.inScope), code, got)
			if allowedBy(row.allow, c.role) && code != 200 {
				t.Errorf("%s as %s: %d %s", pattern, c, code, got)
			}
		}
	}
}

type listReply struct {
	Cases    []projections.CaseRow    `json:"cases"`
	Tasks    []projections.CaseRow    `json:"tasks"`
	Features []projections.Feature    `json:"features"`
	Total    int                      `json:"total"`
	Counts   []projections.FacetCount `json:"counts"`
	Next     string                   `json:"next"`
	Position uint64                   `json:"position"`
	Error    struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"error"`
}

func getList(t *testing.T, c *caller, path string) (int, listReply, string) {
	t.Helper()
	code, body := c.send("GET", path, "")
	var r listReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("GET %s as %s: %d, not JSON: %s", path, c, code, body)
	}
	return code, r, string(body)
}

func callerNamed(w *matrixWorld, name string) *caller {
	for _, c := range w.callers {
		if c.name == name {
			return c
		}
	}
	panic("no caller " + name)
}

// TestReadModelsScopeAndMasking: an out-of-scope user sees none of the rows, in the list, the
// task queue and the map; a leader sees the reporter masked, a dispatcher unmasked.
func TestReadModelsScopeAndMasking(t *testing.T) {
	w, _ := readModelWorld(t)
	id := w.dispatchedCase()
	st, _ := w.cs.store.Stats(context.Background())
	pos := fmt.Sprint(st.LastPosition)
	paths := []string{"/api/v1/cases?position=" + pos, "/api/v1/tasks?department=" + w.target.Department + "&position=" + pos,
		"/api/v1/map/cases?position=" + pos}
	for _, name := range []string{"operator-out", "dispatcher-out", "handler-out", "street-out", "grid-out", "leader-out", "external-out"} {
		for _, path := range paths {
			code, r, body := getList(t, callerNamed(w, name), path)
			if code != 200 || r.Total != 0 || len(r.Cases)+len(r.Tasks)+len(r.Features) != 0 || strings.Contains(body, id) {
				t.Errorf("%s out of scope, %s: %d %s", name, path, code, body)
			}
		}
	}
	for _, name := range []string{"leader-in", "handler-in", "street-in", "grid-in", "external-in", "screen", "dispatcher-in", "operator-in", "admin"} {
		c := callerNamed(w, name)
		code, r, body := getList(t, c, paths[0])
		if code != 200 || !slices.ContainsFunc(r.Cases, func(row projections.CaseRow) bool { return row.ID == id }) {
			t.Fatalf("%s in scope: %d %s", name, code, body)
		}
		clear := strings.Contains(body, "13800138000") || strings.Contains(body, "李先生")
		masked := strings.Contains(body, "138****8000") && strings.Contains(body, "李**")
		if want := allowedBy(personalMatrix, c.role); clear != want || masked == want {
			t.Errorf("list as %s: clear=%v masked=%v, want clear=%v", name, clear, masked, want)
		}
		if _, r, _ := getList(t, c, paths[2]); len(r.Features) == 0 || strings.Contains(fmt.Sprint(r.Features), "1380013") {
			t.Errorf("map as %s: %+v", name, r.Features)
		}
	}
	if _, r, body := getList(t, callerNamed(w, "handler-in"), paths[1]); !slices.ContainsFunc(r.Tasks, func(row projections.CaseRow) bool { return row.ID == id }) ||
		strings.Contains(body, "13800138000") {
		t.Fatalf("the department's own queue: %s", body)
	}
	// The projections' status: the case list, live at the head.
	code, body := callerNamed(w, "leader-in").send("GET", "/api/v1/projections", "")
	var view dashboard.ProjectionsView
	if err := json.Unmarshal(body, &view); err != nil || code != 200 || len(view.Projections) != 1 ||
		view.Projections[0].Name != "cases" || view.Projections[0].Position < st.LastPosition {
		t.Fatalf("projections: %d %s", code, body)
	}
}

// TestReadModelsReadYourWrites: a report's position makes the list answer only once it holds
// the report.
func TestReadModelsReadYourWrites(t *testing.T) {
	w, _ := readModelWorld(t)
	admin := callerNamed(w, "admin")
	for i := range 5 {
		code, body := admin.send("POST", "/api/v1/cases", fmt.Sprintf(`{"source":"hotline","category":%q,"title":"读己之写 %d","location":{"point":{"lon":%v,"lat":%v}}}`,
			firstPartCategory(t), i, w.point.Lon, w.point.Lat))
		var res commands.Result
		if err := json.Unmarshal(body, &res); err != nil || code != 201 {
			t.Fatalf("report: %d %s", code, body)
		}
		last := res.Events[len(res.Events)-1].Position
		_, r, raw := getList(t, admin, "/api/v1/cases?text="+url.QueryEscape(fmt.Sprintf("读己之写 %d", i))+"&position="+fmt.Sprint(last))
		if len(r.Cases) != 1 || r.Cases[0].ID != res.CaseID || r.Position < last {
			t.Fatalf("list after writing at %d: %s", last, raw)
		}
	}
	// A position the log has not reached is 503 after the wait.
	start := time.Now()
	if code, r, _ := getList(t, admin, "/api/v1/cases?position=999999999"); code != 503 || r.Error.Code != "unavailable" || time.Since(start) < 4*time.Second {
		t.Fatalf("far position: %d %+v after %s", code, r.Error, time.Since(start))
	}
}

// TestReadModelsFiltersAndPaging runs the case list's filters and cursor over HTTP.
func TestReadModelsFiltersAndPaging(t *testing.T) {
	w, runner := readModelWorld(t)
	var made []string
	for range 7 {
		made = append(made, w.dispatchedCase())
	}
	st, _ := w.cs.store.Stats(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := runner.WaitFor(ctx, projections.CaseListName, st.LastPosition); err != nil {
		t.Fatal(err)
	}
	admin := callerNamed(w, "admin")
	var got []string
	next := ""
	for page := 0; page < 10; page++ {
		path := "/api/v1/cases?limit=3&status=dispatched,accepted&district=" + w.target.District + "&category=P&overdue=false&source=patrol&from=2026-01-01T00:00:00Z"
		if next != "" {
			path += "&cursor=" + next
		}
		code, r, body := getList(t, admin, path)
		if code != 200 || len(r.Cases) > 3 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		for _, row := range r.Cases {
			got = append(got, row.ID)
		}
		if next = r.Next; next == "" {
			break
		}
	}
	for _, id := range made {
		if !slices.Contains(got, id) {
			t.Fatalf("case %s not on any page: %v", id, got)
		}
	}
	if len(got) != len(slices.Compact(slices.Clone(got))) || !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("pages repeat a case or are not newest first: %v", got)
	}
	// The district's cases by category: one count holding the seven, with no page needed.
	if _, r, body := getList(t, admin, "/api/v1/cases?limit=1&facet=category&source=patrol&district="+w.target.District); len(r.Counts) != 1 ||
		r.Counts[0].Value != firstPartCategory(t) || r.Counts[0].Count != r.Total || r.Total < 7 {
		t.Fatalf("facet: %s", body)
	}
	// At an instant before the cases were dispatched, none of them is.
	if _, r, body := getList(t, admin, "/api/v1/cases?status=dispatched&district="+w.target.District+"&at=2026-03-02T01:59:59Z"); r.Total != 0 {
		t.Fatalf("dispatched before the clock's start: %s", body)
	}
	if _, r, body := getList(t, admin, "/api/v1/cases?status=dispatched&district="+w.target.District+"&at=2026-03-02T02:00:00Z"); r.Total < 7 {
		t.Fatalf("dispatched at the clock's instant: %s", body)
	}
	if _, r, _ := getList(t, admin, "/api/v1/cases?text="+url.QueryEscape("井盖")+"&status=closed"); r.Total != 0 {
		t.Fatalf("no closed case, got %d", r.Total)
	}
}

// TestReadModelsBadParameters: every bad parameter is a 400 naming it.
func TestReadModelsBadParameters(t *testing.T) {
	w, _ := readModelWorld(t)
	admin := callerNamed(w, "admin")
	for _, c := range []struct{ path, field string }{
		{"/api/v1/cases?status=lost", "status"},
		{"/api/v1/cases?status=reported,,closed", "status"},
		{"/api/v1/cases?limit=0", "limit"},
		{"/api/v1/cases?facet=colour", "facet"},
		{"/api/v1/cases?at=yesterday", "at"},
		{"/api/v1/cases?limit=201", "limit"},
		{"/api/v1/cases?limit=ten", "limit"},
		{"/api/v1/cases?limit=5&limit=6", "limit"},
		{"/api/v1/cases?overdue=maybe", "overdue"},
		{"/api/v1/cases?from=yesterday", "from"},
		{"/api/v1/cases?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "to"},
		{"/api/v1/cases?source=pigeon", "source"},
		{"/api/v1/cases?urgency=whenever", "urgency"},
		{"/api/v1/cases?cursor=not-a-cursor", "cursor"},
		{"/api/v1/cases?district=a%20b", "district"},
		{"/api/v1/cases?text=" + strings.Repeat("字", 101), "text"},
		{"/api/v1/cases?stauts=closed", "stauts"},
		{"/api/v1/cases?position=-1", "position"},
		{"/api/v1/tasks", "department"},
		{"/api/v1/tasks?department=a&handler=b", "department"},
		{"/api/v1/tasks?department=a&limit=1000", "limit"},
		{"/api/v1/map/cases?bbox=1,2,3", "bbox"},
		{"/api/v1/map/cases?bbox=115,31,114,30", "bbox"},
		{"/api/v1/map/cases?bbox=0,95,1,96", "bbox"},
		{"/api/v1/map/cases?status=closed", "status"},
		{"/api/v1/map/cases?limit=20001", "limit"},
		{"/api/v1/map/cases?at=yesterday", "at"},
		{"/api/v1/map/cases?district=a%20b", "district"},
		{"/api/v1/projections?x=1", "x"},
	} {
		code, r, body := getList(t, admin, c.path)
		if code != 400 || r.Error.Code != "invalid" || r.Error.Field != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.path, code, body, c.field)
		}
	}
}
