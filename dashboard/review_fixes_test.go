package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// Two callers who send the same Idempotency-Key make two requests: neither reads the other's
// result (with its caller's phone) nor pre-empts it.
func TestIdempotencyKeysAreTheCallers(t *testing.T) {
	w := newMatrixWorld(t)
	var hotline, grid *caller
	for _, c := range w.callers {
		switch c.name {
		case "admin":
			hotline = c
		case "grid-out":
			grid = c
		}
	}
	body := func(lon, lat float64) string {
		return fmt.Sprintf(`{"source":"hotline","category":%q,"title":"噪音","location":{"point":{"lon":%v,"lat":%v}},"reporter":{"name":"王女士","phone":"13912345678"}}`,
			firstPartCategory(t), lon, lat)
	}
	key := []string{"Idempotency-Key", "ticket-0001"}
	req := func(c *caller, b string) (int, map[string]any) {
		code, raw := c.sendWith("POST", "/api/v1/cases", b, key...)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return code, out
	}
	code, first := req(hotline, body(w.point.Lon, w.point.Lat))
	if code != 201 {
		t.Fatalf("first report: %d %v", code, first)
	}
	// The grid worker's point is in their own grid, so the report is theirs to file.
	st := w.gridPoint(t, grid)
	code, second := req(grid, body(st.Lon, st.Lat))
	if code != 201 || second["caseId"] == first["caseId"] || second["replayed"] == true {
		t.Fatalf("the same key from another caller: %d %v (first %v)", code, second, first["caseId"])
	}
	if code, again := req(hotline, body(w.point.Lon, w.point.Lat)); code != 201 || again["caseId"] != first["caseId"] || again["replayed"] != true {
		t.Fatalf("the first caller's retry: %d %v", code, again)
	}
}

// A retried merge links the master its first run named, not the one in the retry's body.
func TestMergeReplayKeepsItsMaster(t *testing.T) {
	w := newMatrixWorld(t)
	admin := w.callers[0]
	dup, m1, m2 := w.dispatchedCase(), w.dispatchedCase(), w.dispatchedCase()
	key := []string{"Idempotency-Key", "merge-1"}
	if code, b := admin.sendWith("POST", "/api/v1/cases/"+dup+"/merge", `{"into":"`+m1+`"}`, key...); code != 200 {
		t.Fatalf("merge: %d %s", code, b)
	}
	if code, b := admin.sendWith("POST", "/api/v1/cases/"+dup+"/merge", `{"into":"`+m2+`"}`, key...); code != 200 {
		t.Fatalf("retried merge: %d %s", code, b)
	}
	st, err := w.cs.handler.Load(context.Background(), m2)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Duplicates) != 0 {
		t.Fatalf("the retry's body linked %v to %s", st.Duplicates, m2)
	}
}

// Within a scope a report needs a point inside the city: area codes the caller types are not
// proof of where a case is.
func TestScopedReportNeedsAPoint(t *testing.T) {
	w := newMatrixWorld(t)
	var grid *caller
	for _, c := range w.callers {
		if c.name == "grid-in" {
			grid = c
		}
	}
	b := fmt.Sprintf(`{"source":"patrol","category":%q,"title":"井盖","location":{"address":"别处","district":"420102","grid":%q}}`, firstPartCategory(t), w.target.Grid)
	if code, body := grid.send("POST", "/api/v1/cases", b); code != 403 || !strings.Contains(string(body), "point") {
		t.Fatalf("a grid worker's report without a point: %d %s", code, body)
	}
}

// A password check is throttled like a login and counts towards the lockout.
func TestPasswordChangeIsThrottled(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{LoginsPerMinute: 1000})
	pw := s.user("qian", identity.RoleLeader, false)
	_, token := s.login("qian", pw)
	for i := 0; i < identity.DefaultLockPolicy.MaxFailures; i++ {
		s.do(nil, "POST", "/api/v1/auth/password", `{"oldPassword":"a wrong guess","password":"whatever new one"}`, bearer(token)...)
	}
	if code, _ := s.login("qian", pw); code != 401 {
		t.Fatalf("login after five wrong old passwords: %d, want locked", code)
	}
	u := s.svc.Directory().UserByLogin("qian")
	if u == nil || !u.Locked(s.clock.Now()) {
		t.Fatal("not locked")
	}
}

// sendWith sends with extra headers in name, value pairs.
func (c *caller) sendWith(method, path, body string, headers ...string) (int, []byte) {
	return c.sendHeaders(method, path, body, headers)
}

// gridPoint is a point inside the caller's grid.
func (w *matrixWorld) gridPoint(t *testing.T, c *caller) cases.Point {
	u := w.cs.svc.Directory().UserByLogin(c.login)
	code := u.Grants[0].Scope.Code
	for _, a := range w.cs.model.Grids {
		if a.Code == code {
			p := a.Geometry.Bound().Center()
			return cases.Point{Lon: p[0], Lat: p[1]}
		}
	}
	t.Fatalf("no grid %s", code)
	return cases.Point{}
}
