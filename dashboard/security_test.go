package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// secured is a server with identity on, a clock the test moves and a log the test reads.
type secured struct {
	t     testing.TB
	srv   *dashboard.Server
	url   string
	svc   *access.Service
	store domain.EventStore
	clock *fakeClock
	logs  *bytes.Buffer
	admin identity.Principal
}

func newSecured(t testing.TB, o dashboard.AuthOptions) *secured {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	fsys, _ := cities.Open("wuhan")
	city, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := dashboard.NewServer(store, dashboard.NewMetrics(), log, "test")
	srv.HandleCases(commands.NewHandler(store, city, clock.Now), city.Catalog, city.Routing)
	svc := useAccess(t, store, srv, clock.Now, o)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &secured{t: t, srv: srv, url: ts.URL, svc: svc, store: store, clock: clock, logs: logs, admin: svc.Directory().UserByLogin("admin").Principal()}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *secured) user(login string, role identity.Role, oneTime bool) string {
	s.t.Helper()
	pw := "password of " + login
	if _, err := s.svc.CreateUser(context.Background(), s.admin, access.NewUser{Login: login, Name: login, Password: pw, OneTime: oneTime,
		Grants: []identity.Grant{{Role: role, Scope: identity.City}}}); err != nil {
		s.t.Fatal(err)
	}
	return pw
}

// do sends a request; headers come in name, value pairs.
func (s *secured) do(client *http.Client, method, path, body string, headers ...string) (int, http.Header, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (s *secured) login(login, pw string) (int, string) {
	code, _, body := s.do(nil, "POST", "/api/v1/auth/login", `{"login":"`+login+`","password":"`+pw+`"}`)
	var l dashboard.LoginReply
	_ = json.Unmarshal([]byte(body), &l)
	return code, l.Token
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

func TestSessionExpiresAndEnds(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	pw := s.user("zhang", identity.RoleLeader, false)
	_, token := s.login("zhang", pw)
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 200 {
		t.Fatalf("fresh session: %d", code)
	}
	s.clock.Add(12*time.Hour - time.Second)
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 200 {
		t.Fatalf("session just before its end: %d", code)
	}
	s.clock.Add(time.Second)
	if code, _, body := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 401 || !strings.Contains(body, "expired") {
		t.Fatalf("expired session: %d %s", code, body)
	}
	_, token = s.login("zhang", pw)
	if code, _, _ := s.do(nil, "POST", "/api/v1/auth/logout", "", bearer(token)...); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 401 {
		t.Fatalf("session after logout: %d", code)
	}
	// A disabled user's live session stops at once.
	_, token = s.login("zhang", pw)
	if err := s.svc.SetEnabled(context.Background(), s.admin, access.UserID("zhang"), false, "left the job"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 401 {
		t.Fatalf("disabled user's session: %d", code)
	}
	if code, _ := s.login("zhang", pw); code != 401 {
		t.Fatalf("disabled user's login: %d", code)
	}
}

// Users and sessions live in the log: a new directory folded from the same store (a restart,
// or another node) knows them.
func TestIdentitySurvivesRestart(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	pw := s.user("li", identity.RoleOperator, false)
	_, token := s.login("li", pw)
	dir := access.NewDirectory()
	if err := dir.CatchUp(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	again := access.NewService(s.store, dir, s.clock.Now, access.Options{})
	p, _, err := again.Session(token)
	if err != nil || p.Login != "li" || p.Grants[0].Role != identity.RoleOperator {
		t.Fatalf("session after restart: %+v %v", p, err)
	}
	if dir.Admins() != 1 || dir.UserByLogin("li") == nil {
		t.Fatalf("users after restart: %d admins", dir.Admins())
	}
	if _, created, err := again.EnsureAdmin(context.Background(), "admin", ""); created || err != nil {
		t.Fatalf("a second start made another admin: %v %v", created, err)
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{LoginsPerMinute: 1000})
	pw := s.user("wang", identity.RoleDispatcher, false)
	for i := 0; i < identity.DefaultLockPolicy.MaxFailures; i++ {
		if code, _ := s.login("wang", "wrong password!"); code != 401 {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	code, _, body := s.do(nil, "POST", "/api/v1/auth/login", `{"login":"wang","password":"`+pw+`"}`)
	if code != 401 || !strings.Contains(body, "locked") {
		t.Fatalf("right password while locked: %d %s", code, body)
	}
	// While locked, attempts write nothing: an attacker cannot grow the user's stream.
	before, _ := s.store.ReadStream(context.Background(), identity.UserStreamPrefix+access.UserID("wang"), 1, 1000)
	for i := 0; i < 5; i++ {
		s.login("wang", "wrong password!")
	}
	after, _ := s.store.ReadStream(context.Background(), identity.UserStreamPrefix+access.UserID("wang"), 1, 1000)
	if len(after) != len(before) {
		t.Fatalf("locked attempts wrote %d events", len(after)-len(before))
	}
	s.clock.Add(identity.DefaultLockPolicy.Lock)
	if code, _ := s.login("wang", pw); code != 200 {
		t.Fatalf("after the lock: %d", code)
	}
	// An unknown login is refused with the same message as a wrong password.
	_, _, unknown := s.do(nil, "POST", "/api/v1/auth/login", `{"login":"nobody","password":"whatever it is"}`)
	_, _, wrong := s.do(nil, "POST", "/api/v1/auth/login", `{"login":"wang","password":"whatever it is"}`)
	if unknown != wrong {
		t.Fatalf("unknown login %s differs from wrong password %s", unknown, wrong)
	}
	// An admin ends a lockout early.
	for i := 0; i < identity.DefaultLockPolicy.MaxFailures; i++ {
		s.login("wang", "wrong password!")
	}
	if code, _ := s.login("wang", pw); code != 401 {
		t.Fatalf("locked again: %d", code)
	}
	_, admin := s.login("admin", testAdminPassword)
	if code, _, body := s.do(nil, "POST", "/api/v1/users/"+access.UserID("wang")+"/unlock", "", bearer(admin)...); code != 200 {
		t.Fatalf("unlock: %d %s", code, body)
	}
	if code, _ := s.login("wang", pw); code != 200 {
		t.Fatalf("after unlock: %d", code)
	}
}

func TestLoginThrottledPerAddress(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{LoginsPerMinute: 3})
	var codes []int
	for i := 0; i < 5; i++ {
		code, _ := s.login("nobody", "a wrong password")
		codes = append(codes, code)
	}
	if codes[0] != 401 || codes[4] != 429 {
		t.Fatalf("codes %v: want 401 first and 429 once the address is over its rate", codes)
	}
}

func TestAPIKeys(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	k, err := s.svc.IssueKey(context.Background(), s.admin, identity.KeyIssued{Name: "12345 热线系统", Channel: "hotline", RatePerMinute: 60})
	if err != nil {
		t.Fatal(err)
	}
	report := `{"source":"hotline","category":"` + firstPartCategory(t) + `","title":"路灯不亮","location":{"address":"江岸区","district":"420102"},"reporter":{"name":"王女士","phone":"13912345678"}}`
	code, _, body := s.do(nil, "POST", "/api/v1/cases", report, dashboard.HeaderAPIKey, k.Secret)
	if code != 201 {
		t.Fatalf("report with key: %d %s", code, body)
	}
	var res commands.Result
	_ = json.Unmarshal([]byte(body), &res)
	// The event says who sent it, through the channel the key was issued for.
	md := res.Events[0].Metadata
	if md.Actor != "apikey:"+k.Key.KeyID || md.Channel != "hotline" {
		t.Fatalf("metadata %+v", md)
	}
	// The key may read the case it filed, but not the caller's phone number.
	code, _, body = s.do(nil, "GET", "/api/v1/cases/"+res.CaseID, "", bearer(k.Secret)...)
	if code != 200 || strings.Contains(body, "13912345678") || !strings.Contains(body, "139****5678") {
		t.Fatalf("read with key: %d %s", code, body)
	}
	// A key may be narrowed to some of its role's permissions.
	narrow, _ := s.svc.IssueKey(context.Background(), s.admin, identity.KeyIssued{Name: "metrics scraper", Only: []identity.Permission{identity.PermMetricsRead}})
	if code, _, _ := s.do(nil, "GET", "/metrics", "", bearer(narrow.Secret)...); code != 200 {
		t.Fatalf("narrow key on its permission: %d", code)
	}
	if code, _, _ := s.do(nil, "POST", "/api/v1/cases", report, bearer(narrow.Secret)...); code != 403 {
		t.Fatalf("narrow key beyond its permission: %d", code)
	}
	// 60 a minute allows bursts of 6; the rest of a burst is refused with 429.
	var limited int
	for i := 0; i < 10; i++ {
		if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", dashboard.HeaderAPIKey, k.Secret); code == 429 {
			limited++
		}
	}
	if limited < 3 {
		t.Fatalf("%d of 10 burst requests limited, want at least 3", limited)
	}
	if err := s.svc.RevokeKey(context.Background(), s.admin, narrow.Key.KeyID, "rotated"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := s.do(nil, "GET", "/metrics", "", bearer(narrow.Secret)...); code != 401 {
		t.Fatalf("revoked key: %d", code)
	}
	forged := narrow.Secret[:len(narrow.Secret)-2] + "xx"
	if code, _, _ := s.do(nil, "GET", "/metrics", "", bearer(forged)...); code != 401 {
		t.Fatalf("forged key: %d", code)
	}
}

// A cookie session needs the CSRF token on unsafe methods, and a cross-site request is refused;
// a bearer token, which a browser never sends by itself, needs neither.
func TestCSRFAndCookies(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	pw := s.user("zhao", identity.RoleOperator, false)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	code, hdr, body := s.do(browser, "POST", "/api/v1/auth/login", `{"login":"zhao","password":"`+pw+`"}`)
	if code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	cookie := hdr.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Fatalf("session cookie %q lacks %s", cookie, attr)
		}
	}
	var l dashboard.LoginReply
	_ = json.Unmarshal([]byte(body), &l)
	report := `{"source":"hotline","category":"` + firstPartCategory(t) + `","title":"噪音扰民","location":{"address":"江岸区","district":"420102"}}`
	if code, _, body := s.do(browser, "POST", "/api/v1/cases", report); code != 403 || !strings.Contains(body, "CSRF") {
		t.Fatalf("cookie without CSRF token: %d %s", code, body)
	}
	if code, _, body := s.do(browser, "POST", "/api/v1/cases", report, dashboard.HeaderCSRF, "forged"); code != 403 {
		t.Fatalf("cookie with a wrong CSRF token: %d %s", code, body)
	}
	if code, _, body := s.do(browser, "POST", "/api/v1/cases", report, dashboard.HeaderCSRF, l.CSRFToken, "Sec-Fetch-Site", "cross-site"); code != 403 {
		t.Fatalf("cross-site request: %d %s", code, body)
	}
	if code, _, body := s.do(browser, "POST", "/api/v1/cases", report, dashboard.HeaderCSRF, l.CSRFToken, "Sec-Fetch-Site", "same-origin"); code != 201 {
		t.Fatalf("same-origin request with the token: %d %s", code, body)
	}
	// The page reads the token from /me with its cookie.
	_, _, me := s.do(browser, "GET", "/api/v1/auth/me", "")
	if !strings.Contains(me, l.CSRFToken) || !strings.Contains(me, `"login":"zhao"`) {
		t.Fatalf("me: %s", me)
	}
	if code, _, body := s.do(nil, "POST", "/api/v1/cases", report, bearer(l.Token)...); code != 201 {
		t.Fatalf("bearer without CSRF token: %d %s", code, body)
	}
}

func TestSecurityBasics(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	_, hdr, _ := s.do(nil, "GET", "/", "")
	for name, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
		if !strings.Contains(hdr.Get(name), want) {
			t.Errorf("%s = %q, want %q", name, hdr.Get(name), want)
		}
	}
	_, hdr, _ = s.do(nil, "GET", "/api/v1/auth/me", "")
	if hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("API answers are cacheable: %q", hdr.Get("Cache-Control"))
	}
	_, admin := s.login("admin", testAdminPassword)
	huge := `{"login":"x","name":"` + strings.Repeat("长", dashboard.MaxBodyBytes) + `"}`
	if code, _, body := s.do(nil, "POST", "/api/v1/users", huge, bearer(admin)...); code != 413 {
		t.Fatalf("oversized body: %d %s", code, body)
	}
	if code, _, body := s.do(nil, "POST", "/api/v1/users", `{"login":"x","nmae":"typo"}`, bearer(admin)...); code != 400 || !strings.Contains(body, "nmae") {
		t.Fatalf("unknown field: %d %s", code, body)
	}
	// A one-time password allows nothing but changing it.
	pw := s.user("sun", identity.RoleLeader, true)
	_, token := s.login("sun", pw)
	if code, _, body := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 403 || !strings.Contains(body, "one-time") {
		t.Fatalf("one-time password user reads: %d %s", code, body)
	}
	if code, _, body := s.do(nil, "POST", "/api/v1/auth/password", `{"oldPassword":"`+pw+`","password":"short"}`, bearer(token)...); code != 400 || !strings.Contains(body, "password") {
		t.Fatalf("weak new password: %d %s", code, body)
	}
	if code, _, _ := s.do(nil, "POST", "/api/v1/auth/password", `{"oldPassword":"`+pw+`","password":"a much longer password"}`, bearer(token)...); code != 200 {
		t.Fatalf("change password: %d", code)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 200 {
		t.Fatalf("after the change: %d", code)
	}
	// A password change ends the user's other sessions; an admin's reset ends them all.
	_, other := s.login("sun", "a much longer password")
	if code, _, _ := s.do(nil, "POST", "/api/v1/auth/password", `{"oldPassword":"a much longer password","password":"yet another password"}`, bearer(token)...); code != 200 {
		t.Fatalf("second change: %d", code)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(other)...); code != 401 {
		t.Fatalf("other session after a password change: %d", code)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 200 {
		t.Fatalf("the changing session: %d", code)
	}
	if code, _, body := s.do(nil, "POST", "/api/v1/users/"+access.UserID("sun")+"/password", `{"password":"reset by the admin"}`, bearer(admin)...); code != 200 {
		t.Fatalf("reset: %d %s", code, body)
	}
	if code, _, _ := s.do(nil, "GET", "/api/v1/categories", "", bearer(token)...); code != 401 {
		t.Fatalf("session after a reset: %d", code)
	}
	// No secret and no personal data reaches the log.
	for _, secret := range []string{testAdminPassword, pw, admin, token, "a much longer password"} {
		if strings.Contains(s.logs.String(), secret) {
			t.Fatalf("the log holds a secret: %s", s.logs.String())
		}
	}
}

// The last admin can be neither disabled nor demoted, so a city never locks itself out.
func TestLastAdminStays(t *testing.T) {
	s := newSecured(t, dashboard.AuthOptions{})
	id := access.UserID("admin")
	s.user("deputy", identity.RoleOperator, false)
	deputy := s.svc.Directory().UserByLogin("deputy").Principal()
	if err := s.svc.SetEnabled(context.Background(), deputy, id, false, ""); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("an operator disabling the admin: %v", err)
	}
	err := s.svc.SetGrants(context.Background(), s.admin, id, []identity.Grant{{Role: identity.RoleLeader, Scope: identity.City}})
	if domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := s.svc.SetEnabled(context.Background(), s.admin, id, false, ""); domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("disabling oneself: %v", err)
	}
}
