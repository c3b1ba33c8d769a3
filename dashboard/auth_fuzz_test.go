package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/dashboard"
)

// FuzzAuthHeaders: any credential headers (bearer token, API key, session cookie, CSRF token)
// are accepted or refused with 401, 403 or 429, and never panic the server.
func FuzzAuthHeaders(f *testing.F) {
	s := newSecured(f, dashboard.AuthOptions{})
	for _, seed := range [][4]string{{"Bearer x", "", "", ""}, {"Bearer cy_0123456789abcdef0123456789abcdef_x", "", "", ""},
		{"", "cy_", "", ""}, {"", "", "abc", "def"}, {"Basic Zm9vOmJhcg==", "", "", ""}} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, authorization, apiKey, cookie, csrf string) {
		for _, method := range []string{"GET", "POST"} {
			req := httptest.NewRequest(method, "/api/v1/cases", strings.NewReader(`{}`))
			req.Header.Set("Authorization", authorization)
			req.Header.Set(dashboard.HeaderAPIKey, apiKey)
			req.Header.Set(dashboard.HeaderCSRF, csrf)
			req.AddCookie(&http.Cookie{Name: dashboard.SessionCookie, Value: sanitizeCookie(cookie)})
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, req)
			if c := rec.Code; c != 401 && c != 403 && c != 429 && c != 405 {
				t.Fatalf("%s with forged credentials: %d %s", method, c, rec.Body.String())
			}
		}
	})
}

// FuzzAuthBodies: any body sent to the identity routes is answered with a clear error or
// handled, and never panics the server.
func FuzzAuthBodies(f *testing.F) {
	s := newSecured(f, dashboard.AuthOptions{LoginsPerMinute: 1 << 30})
	_, admin := s.login("admin", testAdminPassword)
	for _, seed := range []string{`{"login":"admin","password":"x"}`, `{"login":"a","name":"b","password":"cccccccccc","grants":[{"role":"leader","scope":{"kind":"city"}}]}`,
		`{"name":"k","scopes":[{"kind":"district","code":"1"}],"only":["case.report"]}`, `[]`, `{"grants":null}`, "\xff", `{"login":1}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/auth/login", "/api/v1/users", "/api/v1/apikeys", "/api/v1/auth/password", "/api/v1/users/x/grants"} {
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+admin)
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body.String())
			}
		}
	})
}

// sanitizeCookie keeps the bytes a cookie value may carry, so the fuzzer tests the server
// rather than net/http's cookie writer.
func sanitizeCookie(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == '"' || r == ';' || r == '\\' || r == ',' {
			return -1
		}
		return r
	}, s)
}
