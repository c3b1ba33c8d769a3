package dashboard_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
)

const (
	idpClientID     = "chengyun"
	idpClientSecret = "idp-secret"
)

// fakeIdP is an OpenID Connect provider on httptest whose user consents at once. The test sets
// whom it vouches for and how it misbehaves.
type fakeIdP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey // published in /jwks

	mu          sync.Mutex
	redirectURL string
	subject     string
	login       string
	signWith    *rsa.PrivateKey // when set, id_tokens are signed by this key instead
	nonce       string          // when set, id_tokens carry this nonce instead
	state       *string         // when set, the callback carries this state ("" for none)
	deny        bool            // answer error=access_denied
	codes       map[string]grant
}

// grant is what /authorize remembered for a code.
type grant struct{ challenge, nonce string }

func newFakeIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeIdP{t: t, key: key, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// vouch sets the identity the provider vouches for on the next logins.
func (p *fakeIdP) vouch(subject, login string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subject, p.login = subject, login
}

func (p *fakeIdP) set(f func(p *fakeIdP)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *fakeIdP) discovery(w http.ResponseWriter, r *http.Request) {
	u := p.srv.URL
	writeTestJSON(w, map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"}})
}

func (p *fakeIdP) jwks(w http.ResponseWriter, r *http.Request) {
	writeTestJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (p *fakeIdP) authorize(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := r.URL.Query()
	if q.Get("client_id") != idpClientID || q.Get("redirect_uri") != p.redirectURL || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		!strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		p.t.Errorf("authorize: unexpected request %s", r.URL.RawQuery)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	if p.state != nil {
		back.Set("state", *p.state)
	}
	if p.deny {
		back.Set("error", "access_denied")
	} else {
		code := rand.Text()
		p.codes[code] = grant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
		back.Set("code", code)
	}
	http.Redirect(w, r, p.redirectURL+"?"+back.Encode(), http.StatusFound)
}

func (p *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	code := r.PostFormValue("code")
	g, known := p.codes[code]
	delete(p.codes, code) // a code is good once
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != idpClientID || secret != idpClientSecret:
		w.WriteHeader(http.StatusUnauthorized)
		writeTestJSON(w, map[string]string{"error": "invalid_client"})
		return
	case !known || r.PostFormValue("grant_type") != "authorization_code" || r.PostFormValue("redirect_uri") != p.redirectURL ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		p.t.Errorf("token: refused code %t, grant_type %q, PKCE verifier", known, r.PostFormValue("grant_type"))
		w.WriteHeader(http.StatusBadRequest)
		writeTestJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	nonce, key := g.nonce, p.key
	if p.nonce != "" {
		nonce = p.nonce
	}
	if p.signWith != nil {
		key = p.signWith
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": p.srv.URL, "aud": idpClientID, "sub": p.subject, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": nonce, "preferred_username": p.login})
	// The kid is always the published one, so a foreign key is a forgery, not an unknown key.
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		p.t.Fatal(err)
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		p.t.Fatal(err)
	}
	idToken, _ := jws.CompactSerialize()
	writeTestJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func writeTestJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// oidcWorld is a Chengyun server that logs in through a fake provider.
type oidcWorld struct {
	t     *testing.T
	idp   *fakeIdP
	url   string
	svc   *access.Service
	admin identity.Principal
}

func newOIDCWorld(t *testing.T) *oidcWorld {
	idp := newFakeIdP(t)
	fsys, err := cities.Open("wuhan")
	if err != nil {
		t.Fatal(err)
	}
	city, err := commands.LoadCity(fsys)
	if err != nil {
		t.Fatal(err)
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	// Unstarted, so its address is known for the redirect URL before the OIDC is made.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	idp.set(func(p *fakeIdP) { p.redirectURL = base + "/api/v1/auth/oidc/callback" })
	o, err := dashboard.NewOIDC(context.Background(), dashboard.OIDCConfig{Issuer: idp.srv.URL, ClientID: idpClientID,
		ClientSecret: idpClientSecret, RedirectURL: base + "/api/v1/auth/oidc/callback"})
	if err != nil {
		t.Fatal(err)
	}
	srv := dashboard.NewServer(store, dashboard.NewMetrics(), slog.New(slog.DiscardHandler), "test")
	srv.HandleCases(commands.NewHandler(store, city, time.Now), city.Catalog, city.Routing)
	svc := useAccess(t, store, srv, time.Now, dashboard.AuthOptions{OIDC: o})
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &oidcWorld{t: t, idp: idp, url: ts.URL, svc: svc, admin: svc.Directory().UserByLogin("admin").Principal()}
}

func (w *oidcWorld) createUser(login string) *identity.User {
	w.t.Helper()
	u, err := w.svc.CreateUser(context.Background(), w.admin, access.NewUser{Login: login, Name: "Test " + login,
		Password: testAdminPassword, Grants: []identity.Grant{{Role: identity.RoleLeader, Scope: identity.City}}})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// browser is a client with its own cookies, as one browser is.
func (w *oidcWorld) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// login runs the whole flow in b and returns the status and body of the callback's answer.
func (w *oidcWorld) login(b *http.Client) (int, string) {
	w.t.Helper()
	resp, err := b.Get(w.url + "/api/v1/auth/oidc/login")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Request.URL.Path != "/api/v1/auth/oidc/callback" {
		w.t.Fatalf("the flow ended at %s, not the callback", resp.Request.URL)
	}
	return resp.StatusCode, string(body)
}

// me is the login of the browser's principal, "" when it has no session.
func (w *oidcWorld) me(b *http.Client) string {
	w.t.Helper()
	resp, err := b.Get(w.url + "/api/v1/auth/me")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m dashboard.Me
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
		w.t.Fatalf("me: %d %v", resp.StatusCode, err)
	}
	if m.Principal.Authenticated() != (m.Principal.Login != "") || !m.OIDC {
		w.t.Fatalf("me: %+v", m)
	}
	return m.Principal.Login
}

// refused runs the flow and wants 401 naming want, and no session.
func (w *oidcWorld) refused(what, want string) {
	w.t.Helper()
	b := w.browser()
	if code, body := w.login(b); code != http.StatusUnauthorized || !strings.Contains(body, want) {
		w.t.Errorf("%s: %d %s, want 401 naming %q", what, code, body, want)
	}
	if got := w.me(b); got != "" {
		w.t.Errorf("%s: a session for %q", what, got)
	}
}

func TestOIDCLoginLinksAndFindsTheUser(t *testing.T) {
	w := newOIDCWorld(t)
	w.createUser("zhang.wei")
	w.idp.vouch("sub-1", "Zhang.Wei")
	b := w.browser()
	code, body := w.login(b)
	if code != 200 || !strings.Contains(body, `<meta http-equiv="refresh" content="0;url=/">`) {
		t.Fatalf("callback: %d %s", code, body)
	}
	if got := w.me(b); got != "zhang.wei" {
		t.Fatalf("first login: principal %q, want zhang.wei", got)
	}
	// Linked now: the subject finds the user even when the provider renames them.
	w.idp.vouch("sub-1", "someone.else")
	b2 := w.browser()
	if code, body := w.login(b2); code != 200 || w.me(b2) != "zhang.wei" {
		t.Fatalf("second login: %d %s", code, body)
	}
	// Another subject of the provider claiming the linked login is not let in as that user.
	w.idp.vouch("sub-2", "zhang.wei")
	b3 := w.browser()
	if code, body := w.login(b3); code != http.StatusConflict || w.me(b3) != "" {
		t.Fatalf("another subject: %d %s, want 409 and no session", code, body)
	}
}

func TestOIDCCookies(t *testing.T) {
	w := newOIDCWorld(t)
	w.createUser("li.na")
	w.idp.vouch("sub-li", "li.na")
	b := w.browser()
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Get(w.url + "/api/v1/auth/oidc/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), w.idp.srv.URL+"/authorize?") ||
		loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("state") == "" || loc.Query().Get("nonce") == "" {
		t.Fatalf("login: %d to %s", resp.StatusCode, loc)
	}
	c := cookieNamed(resp, "cy_oidc")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/api/v1/auth/oidc/" || c.MaxAge != 600 ||
		strings.Contains(c.Value, loc.Query().Get("code_challenge")) {
		t.Fatalf("cy_oidc cookie: %+v", c)
	}
	resp, err = b.Get(loc.String()) // the provider sends the browser back
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = b.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s, gone := cookieNamed(resp, dashboard.SessionCookie), cookieNamed(resp, "cy_oidc")
	if resp.StatusCode != 200 || s == nil || !s.HttpOnly || s.SameSite != http.SameSiteStrictMode || s.Path != "/" ||
		gone == nil || gone.MaxAge >= 0 {
		t.Fatalf("callback: %d, session cookie %+v, cy_oidc %+v", resp.StatusCode, s, gone)
	}
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestOIDCRefusals: each way a login can go wrong answers 401 naming it, and starts no session.
func TestOIDCRefusals(t *testing.T) {
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, none := "forged-state", ""
	for _, c := range []struct {
		name, want string
		setup      func(w *oidcWorld)
	}{
		{"unknown login", "no Chengyun user nobody.here", func(w *oidcWorld) { w.idp.vouch("sub-x", "nobody.here") }},
		{"no login claim", "no Chengyun user", func(w *oidcWorld) { w.idp.vouch("sub-y", "") }},
		{"wrong state", `"field":"state"`, func(w *oidcWorld) { w.idp.set(func(p *fakeIdP) { p.state = &forged }) }},
		{"missing state", `"field":"state"`, func(w *oidcWorld) { w.idp.set(func(p *fakeIdP) { p.state = &none }) }},
		{"foreign key", `"field":"idToken"`, func(w *oidcWorld) { w.idp.set(func(p *fakeIdP) { p.signWith = rogue }) }},
		{"wrong nonce", `"field":"nonce"`, func(w *oidcWorld) { w.idp.set(func(p *fakeIdP) { p.nonce = "replayed" }) }},
		{"access denied", "access_denied", func(w *oidcWorld) { w.idp.set(func(p *fakeIdP) { p.deny = true }) }},
		{"disabled user", "unauthorized", func(w *oidcWorld) {
			u := w.svc.Directory().UserByLogin("wang.fang")
			if err := w.svc.SetEnabled(context.Background(), w.admin, u.ID, false, "left"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newOIDCWorld(t)
			w.createUser("wang.fang")
			w.idp.vouch("sub-w", "wang.fang")
			// The login works first (and links the user), so each refusal is the change's doing.
			if b := w.browser(); func() bool { code, _ := w.login(b); return code != 200 || w.me(b) != "wang.fang" }() {
				t.Fatal("the user could not log in before the change")
			}
			c.setup(w)
			w.refused(c.name, c.want)
		})
	}
}

// TestOIDCCallbackWithoutLogin: a callback in a browser that started no login (no cy_oidc
// cookie) is refused before the code is redeemed.
func TestOIDCCallbackWithoutLogin(t *testing.T) {
	w := newOIDCWorld(t)
	b := w.browser()
	resp, err := b.Get(w.url + "/api/v1/auth/oidc/callback?code=abc&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "no login in progress") || w.me(b) != "" {
		t.Fatalf("callback without a login: %d %s", resp.StatusCode, body)
	}
}

func TestOIDCConfigErrors(t *testing.T) {
	idp := newFakeIdP(t)
	good := dashboard.OIDCConfig{Issuer: idp.srv.URL, ClientID: idpClientID, RedirectURL: "https://chengyun.example/api/v1/auth/oidc/callback"}
	for want, change := range map[string]func(c *dashboard.OIDCConfig){
		"Issuer":      func(c *dashboard.OIDCConfig) { c.Issuer = "" },
		"https":       func(c *dashboard.OIDCConfig) { c.Issuer = "http://idp.example" },
		"discovery":   func(c *dashboard.OIDCConfig) { c.Issuer = idp.srv.URL + "/other" },
		"ClientID":    func(c *dashboard.OIDCConfig) { c.ClientID = "" },
		"RedirectURL": func(c *dashboard.OIDCConfig) { c.RedirectURL = "https://chengyun.example/callback" },
		"Scopes":      func(c *dashboard.OIDCConfig) { c.Scopes = []string{"profile"} },
	} {
		c := good
		change(&c)
		if _, err := dashboard.NewOIDC(context.Background(), c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	if _, err := dashboard.NewOIDC(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	// A provider whose discovery document never ends is cut off, not read into memory.
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, io.LimitReader(zeros{}, 4<<20))
	}))
	defer huge.Close()
	good.Issuer = huge.URL
	if _, err := dashboard.NewOIDC(context.Background(), good); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("huge discovery document: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
