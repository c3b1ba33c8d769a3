package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/cities"
)

// The authorization matrix: every route, by hand, with the roles that may use it. It is the
// specification the access model is checked against, so it is written out here rather than
// derived from the role table. A route mounted without a row here fails the test.
//
// Roles: admin operator dispatcher handler street grid leader external (an API key) screen
// (no login, public screen on) anonymous (no login). "scoped" rows are also refused to a role
// whose grant lies elsewhere in the city.
var routeMatrix = map[string]struct {
	allow  string
	scoped bool
}{
	"GET /{$}":                            {allow: "public"},
	"GET /status":                         {allow: "public"},
	"GET /assets/{file...}":               {allow: "public"},
	"GET /status.js":                      {allow: "public"},
	"GET /healthz":                        {allow: "public"},
	"GET /readyz":                         {allow: "public"},
	"GET /api/v1/auth/me":                 {allow: "public"},
	"POST /api/v1/auth/login":             {allow: "public"},
	"GET /api/v1/auth/oidc/login":         {allow: "public"},
	"GET /api/v1/auth/oidc/callback":      {allow: "public"},
	"POST /api/v1/auth/logout":            {allow: "admin operator dispatcher handler street grid leader external"},
	"POST /api/v1/auth/password":          {allow: "admin operator dispatcher handler street grid leader"},
	"GET /api/v1/status":                  {allow: "admin operator dispatcher handler street grid leader screen"},
	"GET /metrics":                        {allow: "admin external"},
	"GET /api/v1/geo/city":                {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/geo/layers/{layer}":      {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/geo/locate":              {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /tiles/{layer}/{z}/{x}/{y}":      {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/categories":              {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/departments":             {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/routing/suggest":         {allow: "admin operator dispatcher handler street grid leader external screen"},
	"POST /api/v1/cases":                  {allow: "admin operator street grid external", scoped: true},
	"GET /api/v1/cases/{id}":              {allow: "admin operator dispatcher handler street grid leader external screen", scoped: true},
	"POST /api/v1/cases/{id}/{command}":   {allow: "see commandMatrix", scoped: true},
	"GET /api/v1/cases":                   {allow: "admin operator dispatcher handler street grid leader external screen"}, // lists filter rows by scope (readmodels_test.go)
	"GET /api/v1/tasks":                   {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/map/cases":               {allow: "admin operator dispatcher handler street grid leader external screen"},
	"GET /api/v1/projections":             {allow: "admin operator dispatcher handler street grid leader screen"},
	"GET /api/v1/indicators":              {allow: "admin operator dispatcher leader screen", scoped: true}, // asked for the case's district
	"GET /api/v1/indicators/catalog":      {allow: "admin operator dispatcher handler street grid leader screen"},
	"GET /api/v1/indicators/{id}/ranking": {allow: "admin screen"}, // rankings compare the whole city: city-wide readers
	"GET /api/v1/indicators/{id}/series":  {allow: "admin operator dispatcher leader screen", scoped: true},
	"GET /api/v1/stream":                  {allow: "admin operator dispatcher handler street grid leader screen"}, // each topic is checked again (stream_test.go)
	"GET /api/v1/users":                   {allow: "admin"},
	"POST /api/v1/users":                  {allow: "admin"},
	"POST /api/v1/users/{id}/{action}":    {allow: "admin"},
	"GET /api/v1/apikeys":                 {allow: "admin"},
	"POST /api/v1/apikeys":                {allow: "admin"},
	"POST /api/v1/apikeys/{id}/revoke":    {allow: "admin"},
}

// commandMatrix is who runs each case command: intake and closing at the center, dispatch
// and its approvals by dispatchers, the work by departments and streets, patrols by grids.
// Leaders, screens and outside systems run none.
var commandMatrix = map[string]string{
	"verify":            "admin operator street grid",
	"void":              "admin operator",
	"register":          "admin operator dispatcher",
	"close-on-spot":     "admin street grid",
	"direct-answer":     "admin operator",
	"dispatch":          "admin dispatcher",
	"accept":            "admin handler street",
	"return":            "admin handler street",
	"request-extension": "admin handler street",
	"grant-extension":   "admin dispatcher",
	"deny-extension":    "admin dispatcher",
	"suspend":           "admin dispatcher",
	"resume":            "admin dispatcher",
	"handle":            "admin handler street",
	"inspect":           "admin operator street grid",
	"close":             "admin operator dispatcher",
	"revisit":           "admin operator",
	"reopen":            "admin operator dispatcher",
	"supervise":         "admin operator dispatcher",
	"escalate":          "admin operator dispatcher",
	"merge":             "admin operator dispatcher",
}

// personalMatrix is who sees reporters' names and phone numbers unmasked.
const personalMatrix = "admin operator dispatcher"

// caller is one principal of the matrix: a role with a grant in or out of the case's scope.
type caller struct {
	name, role string
	inScope    bool
	token, key string // session token or API key; neither for screen and anonymous
	login, pw  string
	base       string // the server it calls (the screen's has the public screen on)
}

func (c caller) String() string { return c.name }

// loggedIn tells callers with credentials from the screen and the anonymous, who are refused
// with 401 (log in) rather than 403.
func (c caller) loggedIn() bool { return c.token != "" || c.key != "" }

func (c *caller) send(method, path, body string) (int, []byte) {
	return c.sendHeaders(method, path, body, nil)
}

func (c *caller) sendHeaders(method, path, body string, headers []string) (int, []byte) {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	switch {
	case c.key != "":
		req.Header.Set(dashboard.HeaderAPIKey, c.key)
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// matrixWorld is the city the matrix runs in: one place where every scoped role has an
// in-scope and an out-of-scope user, and cases made there.
type matrixWorld struct {
	t       *testing.T
	cs      *cityServer
	admin   identity.Principal
	point   cases.Point
	target  identity.Target
	callers []*caller
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	cs := newCityServer(t, dashboard.AuthOptions{LoginsPerMinute: 1_000_000})
	screenSrv := httptest.NewServer(screenView(t, cs))
	t.Cleanup(screenSrv.Close)
	w := &matrixWorld{t: t, cs: cs, admin: cs.svc.Directory().UserByLogin("admin").Principal(), point: cases.Point{Lon: 114.30, Lat: 30.55}}
	anchor := w.dispatchedCase()
	st, err := cs.handler.Load(context.Background(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	w.target = commands.TargetOf(st)
	if w.target.Grid == "" || w.target.Department == "" {
		t.Fatalf("the anchor case is not located and dispatched: %+v", w.target)
	}
	other := w.elsewhere()
	in := map[string]identity.Scope{
		"operator": {Kind: identity.ScopeDistrict, Code: w.target.District}, "dispatcher": {Kind: identity.ScopeDistrict, Code: w.target.District},
		"leader": {Kind: identity.ScopeDistrict, Code: w.target.District}, "handler": {Kind: identity.ScopeDepartment, Code: w.target.Department},
		"street": {Kind: identity.ScopeStreet, Code: w.target.Street}, "grid": {Kind: identity.ScopeGrid, Code: w.target.Grid},
	}
	out := map[string]identity.Scope{
		"operator": {Kind: identity.ScopeDistrict, Code: other.District}, "dispatcher": {Kind: identity.ScopeDistrict, Code: other.District},
		"leader": {Kind: identity.ScopeDistrict, Code: other.District}, "handler": {Kind: identity.ScopeDepartment, Code: other.Department},
		"street": {Kind: identity.ScopeStreet, Code: other.Street}, "grid": {Kind: identity.ScopeGrid, Code: other.Grid},
	}
	if _, err := cs.svc.CreateUser(context.Background(), w.admin, access.NewUser{Login: "probe", Name: "probe", Password: "password of probe",
		Grants: []identity.Grant{{Role: identity.RoleLeader, Scope: identity.City}}}); err != nil {
		t.Fatal(err)
	}
	w.callers = append(w.callers, &caller{name: "admin", role: "admin", inScope: true, login: "admin", pw: testAdminPassword, base: cs.url})
	w.callers[0].token = loginAs(t, cs.url, "admin", testAdminPassword)
	for _, role := range []string{"operator", "dispatcher", "handler", "street", "grid", "leader"} {
		for _, inside := range []bool{true, false} {
			sc, name := in[role], role+"-in"
			if !inside {
				sc, name = out[role], role+"-out"
			}
			pw := "password of " + name
			_, err := cs.svc.CreateUser(context.Background(), w.admin, access.NewUser{Login: name, Name: name, Password: pw,
				Grants: []identity.Grant{{Role: identity.Role(role), Scope: sc}}})
			if err != nil {
				t.Fatal(err)
			}
			w.callers = append(w.callers, &caller{name: name, role: role, inScope: inside, login: name, pw: pw, base: cs.url, token: loginAs(t, cs.url, name, pw)})
		}
	}
	for _, inside := range []bool{true, false} {
		code, name := w.target.District, "external-in"
		if !inside {
			code, name = other.District, "external-out"
		}
		k, err := cs.svc.IssueKey(context.Background(), w.admin, identity.KeyIssued{Name: name, Channel: "open311", RatePerMinute: 1_000_000,
			Grants: []identity.Grant{{Role: identity.RoleExternal, Scope: identity.Scope{Kind: identity.ScopeDistrict, Code: code}}}})
		if err != nil {
			t.Fatal(err)
		}
		w.callers = append(w.callers, &caller{name: name, role: "external", inScope: inside, key: k.Secret, base: cs.url})
	}
	w.callers = append(w.callers, &caller{name: "screen", role: "screen", inScope: true, base: screenSrv.URL},
		&caller{name: "anonymous", role: "anonymous", inScope: true, base: cs.url})
	return w
}

// screenView is a second server over the same store and users with the public screen on.
func screenView(t *testing.T, cs *cityServer) http.Handler {
	srv := dashboard.NewServer(cs.store, dashboard.NewMetrics(), nopLog(), "test")
	fsys, _ := cities.Open("wuhan")
	cfg, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	srv.HandleCases(cs.handler, cfg.Catalog, cfg.Routing)
	srv.UseAccess(cs.svc, dashboard.AuthOptions{PublicScreen: true})
	return srv
}

// elsewhere is a district, street, grid and department that do not hold the case.
func (w *matrixWorld) elsewhere() identity.Target {
	var o identity.Target
	m := w.cs.model
	for _, a := range m.Districts {
		if a.Code != w.target.District {
			o.District = a.Code
			break
		}
	}
	for _, a := range m.Streets {
		if a.Parent == o.District {
			o.Street = a.Code
			break
		}
	}
	for _, a := range m.Grids {
		if strings.HasPrefix(a.Code, o.Street) {
			o.Grid = a.Code
			break
		}
	}
	o.Department = "no-such-department"
	return o
}

// dispatchedCase reports, registers and dispatches a case at the matrix's point, as the system.
func (w *matrixWorld) dispatchedCase() string {
	w.t.Helper()
	ctx, h := context.Background(), w.cs.handler
	meta := commands.Meta{Actor: "test", Channel: "test"}
	res, err := h.Execute(ctx, commands.NewCaseID(commands.Meta{}), cases.Report{Source: cases.SourcePatrol, Category: firstPartCategory(w.t), Title: "井盖缺失",
		Location: cases.Location{Point: &w.point, Address: "武昌区中北路"}, Reporter: &cases.Reporter{Name: "李先生", Phone: "13800138000"}}, meta)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range []cases.Command{cases.Verify{}, cases.Register{}, cases.Dispatch{}} {
		if _, err := h.Execute(ctx, res.CaseID, c, meta); err != nil {
			w.t.Fatal(err)
		}
	}
	return res.CaseID
}

func allowedBy(list, role string) bool {
	return list == "public" || slices.Contains(strings.Fields(list), role)
}

// check compares one answer with the matrix: an allowed call is neither 401 nor 403; a refused
// one is 401 without credentials and 403 with them.
func (w *matrixWorld) check(what string, c *caller, allow bool, code int, body []byte) {
	w.t.Helper()
	denied := code == 401 || code == 403
	switch {
	case allow && denied:
		w.t.Errorf("%s as %s: %d %s, want allowed", what, c, code, body)
	case !allow && !c.loggedIn() && code != 401:
		w.t.Errorf("%s as %s: %d %s, want 401", what, c, code, body)
	case !allow && c.loggedIn() && code != 403:
		w.t.Errorf("%s as %s: %d %s, want 403", what, c, code, body)
	}
}

// TestAuthorizationMatrix walks every route × role × scope (and every case command) and holds
// each answer to the matrix above.
func TestAuthorizationMatrix(t *testing.T) {
	w := newMatrixWorld(t)
	mounted := map[string]bool{}
	for _, r := range w.cs.srv.Routes() {
		mounted[r.Pattern] = true
		if _, ok := routeMatrix[r.Pattern]; !ok {
			t.Errorf("route %q (%s) has no row in the authorization matrix", r.Pattern, r.Access)
		}
	}
	anchor := w.dispatchedCase()
	for pattern, row := range routeMatrix {
		if !mounted[pattern] {
			continue // the OpenID Connect routes are mounted only with a provider (oidc_test.go)
		}
		if pattern == "POST /api/v1/cases/{id}/{command}" {
			continue // below, per command
		}
		for _, c := range w.callers {
			allow := allowedBy(row.allow, c.role) && (!row.scoped || c.inScope)
			method, path, body := w.request(pattern, c, anchor)
			sender := c
			if pattern == "POST /api/v1/auth/logout" && c.token != "" {
				// A session of its own, so the caller's stays for the next rows.
				fresh := *c
				fresh.token = loginAs(t, w.cs.url, c.login, c.pw)
				sender = &fresh
			}
			code, got := sender.send(method, path, body)
			w.check(pattern, c, allow, code, got)
		}
	}
	for cmd, roles := range commandMatrix {
		for _, c := range w.callers {
			id := w.dispatchedCase()
			code, got := c.send("POST", "/api/v1/cases/"+id+"/"+cmd, commandBody(cmd, w))
			w.check("case command "+cmd, c, allowedBy(roles, c.role) && c.inScope, code, got)
		}
	}
	if got, want := identity.AllCaseCommands(), sortedKeys(commandMatrix, "report"); !slices.Equal(got, want) {
		t.Errorf("the access model knows commands %v, the matrix %v", got, want)
	}
	for _, name := range commands.Names() {
		if _, ok := commandMatrix[name]; !ok && name != "report" {
			t.Errorf("case command %q has no row in the command matrix", name)
		}
	}
}

// TestPersonalDataMasking reads one case as every role: names and phones show only to the
// roles of personalMatrix, in the case and in its timeline.
func TestPersonalDataMasking(t *testing.T) {
	w := newMatrixWorld(t)
	id := w.dispatchedCase()
	for _, c := range w.callers {
		code, body := c.send("GET", "/api/v1/cases/"+id, "")
		if code != 200 {
			continue // refused: the matrix test holds that to the table
		}
		clear := strings.Contains(string(body), "13800138000") || strings.Contains(string(body), "李先生")
		masked := strings.Contains(string(body), "138****8000") && strings.Contains(string(body), "李**")
		if want := allowedBy(personalMatrix, c.role); clear != want || masked == want {
			t.Errorf("case as %s: clear=%v masked=%v, want clear=%v", c, clear, masked, want)
		}
	}
}

// request builds a valid request for a route pattern, so that what decides the answer is the
// caller, not the input.
func (w *matrixWorld) request(pattern string, c *caller, anchor string) (method, path, body string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	switch pattern {
	case "POST /api/v1/auth/login":
		return method, path, `{"login":"probe","password":"password of probe"}`
	case "POST /api/v1/auth/password":
		next := c.pw + "!"
		body = fmt.Sprintf(`{"oldPassword":%q,"password":%q}`, c.pw, next)
		if allowedBy(routeMatrix[pattern].allow, c.role) {
			c.pw = next
		}
		return method, path, body
	case "POST /api/v1/cases":
		return method, path, fmt.Sprintf(`{"source":"patrol","category":%q,"title":"井盖缺失","location":{"point":{"lon":%v,"lat":%v}}}`,
			firstPartCategory(w.t), w.point.Lon, w.point.Lat)
	case "GET /api/v1/cases":
		return method, path + "?limit=10&status=dispatched", ""
	case "GET /api/v1/tasks":
		return method, path + "?department=" + w.target.Department, ""
	case "GET /api/v1/map/cases":
		return method, path + "?bbox=113.6,29.9,115.1,31.4", ""
	case "GET /api/v1/cases/{id}":
		return method, "/api/v1/cases/" + anchor, ""
	case "GET /api/v1/geo/layers/{layer}":
		return method, "/api/v1/geo/layers/districts", ""
	case "GET /api/v1/geo/locate":
		return method, "/api/v1/geo/locate?lon=114.30&lat=30.55", ""
	case "GET /tiles/{layer}/{z}/{x}/{y}":
		return method, "/tiles/districts/8/209/105.pbf", ""
	case "GET /api/v1/routing/suggest":
		return method, "/api/v1/routing/suggest?category=" + firstPartCategory(w.t) + "&district=" + w.target.District, ""
	case "GET /api/v1/indicators":
		return method, "/api/v1/indicators?scope=district:" + w.target.District, ""
	case "GET /api/v1/indicators/{id}/ranking":
		return method, "/api/v1/indicators/reported/ranking?by=district&window=30d", ""
	case "GET /api/v1/indicators/{id}/series":
		return method, "/api/v1/indicators/reported/series?points=3&scope=district:" + w.target.District, ""
	case "POST /api/v1/users":
		return method, path, fmt.Sprintf(`{"login":"made-by-%s","name":"新用户","password":"a long password","grants":[{"role":"leader","scope":{"kind":"city"}}]}`, c.name)
	case "POST /api/v1/users/{id}/{action}":
		return method, "/api/v1/users/" + access.UserID("leader-in") + "/unlock", `{}`
	case "POST /api/v1/apikeys":
		return method, path, `{"name":"hotline system","channel":"hotline"}`
	case "POST /api/v1/apikeys/{id}/revoke":
		k, err := w.cs.svc.IssueKey(context.Background(), w.admin, identity.KeyIssued{Name: "to revoke"})
		if err != nil {
			w.t.Fatal(err)
		}
		return method, "/api/v1/apikeys/" + k.Key.KeyID + "/revoke", `{}`
	}
	return method, path, ""
}

// commandBody is a body each command accepts: fields are checked after authorization, so
// an empty body is enough for all but merge, whose master is checked for scope too.
func commandBody(cmd string, w *matrixWorld) string {
	if cmd == "merge" {
		return fmt.Sprintf(`{"into":%q}`, w.dispatchedCase())
	}
	return `{}`
}

func sortedKeys[V any](m map[string]V, extra ...string) []string {
	out := slices.Clone(extra)
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func nopLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// firstPartCategory is a component (部件) category of Wuhan's catalog.
func firstPartCategory(t testing.TB) string {
	fsys, _ := cities.Open("wuhan")
	cfg, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Catalog.Categories() {
		if c.Kind == "part" && !c.Continuous {
			return c.Code
		}
	}
	t.Fatal("no part category")
	return ""
}
