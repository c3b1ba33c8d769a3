package dashboard

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// Credentials a request may carry, in the order they are looked for.
const (
	HeaderAPIKey  = "X-API-Key"    // outside systems; "Authorization: Bearer cy_…" also works
	HeaderCSRF    = "X-CSRF-Token" // with a session cookie, on every unsafe method
	SessionCookie = "cy_session"
)

// AuthOptions configure authentication.
type AuthOptions struct {
	// PublicScreen lets a request without credentials read as the big screen does (the
	// screen role: read-only, personal data masked), for a demo wall without login.
	PublicScreen bool
	// SecureCookies marks the session cookie Secure even on plain HTTP (behind a TLS proxy).
	SecureCookies bool
	// LoginsPerMinute bounds login attempts per client address (default 10).
	LoginsPerMinute int
	// OIDC, when set, offers login through the city's identity provider.
	OIDC *OIDC
}

// auth is the server's authentication: the identity service, CSRF checks and rate limits.
type auth struct {
	svc    *access.Service
	opts   AuthOptions
	origin *http.CrossOriginProtection
	logins *limiters // per client address, on the login routes
	keys   *limiters // per API key
}

type principalKey struct{}

// request is what authentication learned about a request.
type request struct {
	principal identity.Principal
	sessionID string
	viaCookie bool
	token     string // the session token, for deriving the CSRF token
	credErr   error  // a credential was presented but is not valid
}

func requestOf(r *http.Request) *request {
	if v, ok := r.Context().Value(principalKey{}).(*request); ok {
		return v
	}
	return &request{principal: identity.Anonymous}
}

// PrincipalOf returns the principal authentication established for r.
func PrincipalOf(r *http.Request) identity.Principal { return requestOf(r).principal }

// UseAccess turns on authentication through svc. Until it is called every route that needs a
// principal answers 401.
func (s *Server) UseAccess(svc *access.Service, o AuthOptions) {
	if o.LoginsPerMinute == 0 {
		o.LoginsPerMinute = 10
	}
	s.auth = &auth{svc: svc, opts: o, origin: http.NewCrossOriginProtection(), logins: newLimiters(), keys: newLimiters()}
	s.handleAuthRoutes()
}

// authenticate finds the request's principal from its API key, bearer token or cookie.
func (a *auth) authenticate(r *http.Request) *request {
	req := &request{principal: identity.Anonymous}
	if a == nil {
		return req
	}
	bearer, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	key := r.Header.Get(HeaderAPIKey)
	switch {
	case key != "" || (hasBearer && strings.HasPrefix(bearer, access.KeyPrefix)):
		if key == "" {
			key = bearer
		}
		p, perMinute, err := a.svc.KeyPrincipal(strings.TrimSpace(key))
		if err != nil {
			req.credErr = err
			return req
		}
		// A key may burst a tenth of its minute's worth: a system catching up after an
		// outage spreads its backlog instead of flooding.
		if !a.keys.allow(p.ID, perMinute, perMinute/10) {
			req.credErr = &domain.Error{Code: domain.CodeRateLimited, Field: "apiKey", Msg: "rate limit of this API key reached; slow down"}
			return req
		}
		req.principal = p
	case hasBearer:
		req.token = strings.TrimSpace(bearer)
	default:
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			req.token, req.viaCookie = c.Value, true
		}
	}
	if req.token != "" {
		p, sid, err := a.svc.Session(req.token)
		if err != nil {
			req.credErr = err
			return req
		}
		req.principal, req.sessionID = p, sid
	}
	return req
}

// guard checks CSRF for cookie sessions: browsers send cookies on cross-site requests, so an
// unsafe method needs both a same-origin request (Sec-Fetch-Site or Origin) and the session's
// CSRF token in a header, which another site cannot read.
func (a *auth) guard(r *http.Request, req *request) error {
	if a == nil || isSafe(r.Method) {
		return nil
	}
	if err := a.origin.Check(r); err != nil {
		return &domain.Error{Code: domain.CodeForbidden, Field: "origin", Msg: "cross-origin request refused"}
	}
	if req.viaCookie && req.credErr == nil {
		got := []byte(r.Header.Get(HeaderCSRF))
		if subtle.ConstantTimeCompare(got, []byte(csrfToken(req.token))) != 1 {
			return &domain.Error{Code: domain.CodeForbidden, Field: HeaderCSRF, Msg: "missing or wrong CSRF token; read it from GET /api/v1/auth/me"}
		}
	}
	return nil
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// csrfToken derives a session's CSRF token from its secret token, so nothing more is stored.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("chengyun-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// limiters hands out one token bucket per name (client address or key id).
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func newLimiters() *limiters { return &limiters{m: map[string]*rate.Limiter{}} }

// allow takes one token from name's bucket, refilled at perMinute a minute and holding burst.
func (l *limiters) allow(name string, perMinute, burst int) bool {
	l.mu.Lock()
	lim := l.m[name]
	if lim == nil {
		if len(l.m) >= 100_000 { // bounded: an address flood starts the table over
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(1, burst))
		l.m[name] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}

// clientAddr is the address a rate limit counts against: the peer's IP, with IPv6 grouped by
// /64 (one host usually holds a whole /64, so per-address buckets would be free to multiply).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

func withRequest(r *http.Request, req *request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, req))
}

// sessionCookie is the cookie of a started session: HttpOnly so scripts cannot read it,
// SameSite=Strict so other sites' links do not carry it.
// Its lifetime is relative (Max-Age), so it matches the session on any clock.
func (a *auth) sessionCookie(r *http.Request, token string, expires time.Time) *http.Cookie {
	maxAge := int(a.svc.SessionTTL() / time.Second)
	return &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: a.opts.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode}
}
