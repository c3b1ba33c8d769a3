package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
)

// oidcCookie carries one login's state, nonce and PKCE verifier from the redirect to the
// provider until the browser comes back; nothing is kept on the server, so any replica may
// take the callback.
const (
	oidcCookie       = "cy_oidc"
	oidcCookiePath   = "/api/v1/auth/oidc/"
	oidcCallbackPath = "/api/v1/auth/oidc/callback"
	oidcLoginTTL     = 10 * time.Minute
	// maxProviderBody bounds discovery documents and key sets; the token response is bounded
	// by oauth2 itself.
	maxProviderBody = 1 << 20
)

// OIDCConfig is the client registration at the city's OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string // the provider's issuer URL; discovery reads Issuer/.well-known/openid-configuration
	ClientID     string
	ClientSecret string // empty for a public client, which PKCE alone protects
	RedirectURL  string // this server's …/api/v1/auth/oidc/callback as the browser reaches it
	LoginClaim   string // the id_token claim that names the Chengyun login; default preferred_username
	Scopes       []string
}

// OIDC is login through the city's OpenID Connect identity provider: the authorization code
// flow with PKCE, a nonce, and an id_token verified for signature, issuer, audience and expiry.
type OIDC struct {
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	client     *http.Client
	loginClaim string
}

// NewOIDC reads the provider's discovery document and prepares the login. Errors name the
// setting at fault: a missing or malformed Issuer, ClientID or RedirectURL, Scopes without
// openid, or an issuer whose discovery fails or names another issuer.
func NewOIDC(ctx context.Context, c OIDCConfig) (*OIDC, error) {
	if c.LoginClaim == "" {
		c.LoginClaim = "preferred_username"
	}
	if len(c.Scopes) == 0 {
		c.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if err := checkOIDCURL("Issuer", c.Issuer, true); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return nil, errors.New("oidc: ClientID is required")
	}
	if err := checkOIDCURL("RedirectURL", c.RedirectURL, false); err != nil {
		return nil, err
	}
	if u, _ := url.Parse(c.RedirectURL); u.Path != oidcCallbackPath {
		return nil, fmt.Errorf("oidc: RedirectURL %q: the path must be %s, where the callback is served", c.RedirectURL, oidcCallbackPath)
	}
	if !slices.Contains(c.Scopes, oidc.ScopeOpenID) {
		return nil, fmt.Errorf("oidc: Scopes %q must include %q", c.Scopes, oidc.ScopeOpenID)
	}
	// The provider's answers are bounded and timed: a broken or hostile provider must not
	// fill memory or hang a login. The provider keeps this client for its key set, too.
	client := &http.Client{Timeout: 15 * time.Second, Transport: boundedTransport{http.DefaultTransport}}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: Issuer %q: discovery failed: %w", c.Issuer, err)
	}
	return &OIDC{
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: c.RedirectURL, Scopes: c.Scopes},
		verifier:   p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		client:     client,
		loginClaim: c.LoginClaim,
	}, nil
}

// checkOIDCURL requires an absolute http(s) URL. The issuer must be https, except on the
// loopback, because the client secret and the tokens travel to it.
func checkOIDCURL(setting, raw string, httpsOnly bool) error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("oidc: %s %q: an absolute http(s) URL is required", setting, raw)
	}
	if httpsOnly && u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("oidc: %s %q: https is required (http only on the loopback)", setting, raw)
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// boundedTransport fails a provider's answer that runs past maxProviderBody instead of
// reading it all.
type boundedTransport struct{ base http.RoundTripper }

func (t boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = &boundedBody{ReadCloser: resp.Body, left: maxProviderBody}
	}
	return resp, err
}

type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("oidc: the provider's answer exceeds %d bytes", maxProviderBody)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// oidcLogin sends the browser to the provider with a fresh state (against login CSRF), nonce
// (against id_token replay) and PKCE challenge (against a stolen code), all remembered in a
// short-lived cookie.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	o := s.auth.opts.OIDC
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	http.SetCookie(w, s.oidcStateCookie(r, state+"."+nonce+"."+verifier, int(oidcLoginTTL/time.Second)))
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcStateCookie is SameSite=Lax, not Strict: the provider's redirect back is a cross-site
// top-level navigation, on which Lax cookies are still sent. Its path keeps it off every other
// request.
func (s *Server) oidcStateCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: oidcCookie, Value: value, Path: oidcCookiePath, MaxAge: maxAge, HttpOnly: true,
		Secure: s.auth.opts.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode}
}

// oauthErrorCode is the shape of an OAuth error code; anything else is not echoed.
var oauthErrorCode = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

// oidcCallback finishes a login when the provider sends the browser back. Errors:
// unauthorized naming the state, the provider's error, the code, the idToken or the nonce,
// or as ExternalLogin refuses the identity; invalid without a code; unavailable when the
// provider cannot be reached.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	// The login in progress is single-use: whatever happens now, its cookie goes.
	http.SetCookie(w, s.oidcStateCookie(r, "", -1))
	if s.throttled(w, r, "login") { // callbacks count like password logins
		return
	}
	l, err := s.oidcFinish(r)
	if err != nil {
		s.log.Info("oidc login refused", "addr", clientAddr(r), "code", domain.CodeOf(err), "field", fieldOf(err))
		writeError(w, err)
		return
	}
	http.SetCookie(w, s.auth.sessionCookie(r, l.Token, l.ExpiresAt))
	s.log.Info("session started", "actor", l.Principal.Actor(), "session", l.SessionID, "via", "oidc")
	// A page, not a redirect: the session cookie is SameSite=Strict, and a redirect chain
	// that began at the provider is cross-site, so the browser would not send it to "/". The
	// refresh is a new, same-site navigation. No inline script: the CSP forbids it.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, loggedInPage)
}

const loggedInPage = `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><title>Chengyun</title></head>
<body><p>Logged in. <a href="/">Continue</a></p></body></html>
`

func fieldOf(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Field
	}
	return ""
}

func unauthorized(field, msg string) *domain.Error {
	return &domain.Error{Code: domain.CodeUnauthorized, Field: field, Msg: msg}
}

// oidcFinish checks the callback against the login's cookie, redeems the code and verifies
// the id_token, then starts the session of the user it names.
func (s *Server) oidcFinish(r *http.Request) (l access.Login, err error) {
	o := s.auth.opts.OIDC
	q := r.URL.Query()
	c, cerr := r.Cookie(oidcCookie)
	parts := []string{}
	if cerr == nil {
		parts = strings.Split(c.Value, ".")
	}
	if len(parts) != 3 {
		return l, unauthorized("state", "no login in progress in this browser, or it took over 10 minutes; start again")
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return l, unauthorized("state", "the answer does not belong to the login started in this browser; start again")
	}
	if e := q.Get("error"); e != "" {
		if !oauthErrorCode.MatchString(e) {
			e = "unknown"
		}
		return l, unauthorized("error", "the identity provider refused the login: "+e)
	}
	code := q.Get("code")
	if code == "" {
		return l, domain.Invalid("code", "the identity provider sent no code")
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		// The provider's answer is not echoed: it may say anything.
		if re := new(oauth2.RetrieveError); errors.As(err, &re) {
			return l, unauthorized("code", "the identity provider did not accept the code")
		}
		return l, domain.Unavailable("the identity provider cannot be reached", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return l, unauthorized("idToken", "the identity provider sent no id_token")
	}
	idToken, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return l, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "not valid", Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(nonce)) != 1 {
		return l, unauthorized("nonce", "the id_token was not issued for this login")
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return l, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "claims not readable", Err: err}
	}
	login, _ := claims[o.loginClaim].(string) // absent or not a string: only a linked subject logs in
	return s.auth.svc.ExternalLogin(r.Context(), idToken.Issuer, idToken.Subject, login)
}
