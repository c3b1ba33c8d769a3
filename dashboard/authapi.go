package dashboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// maxAuthBody bounds the bodies of the identity routes (a login, a user, a key).
const maxAuthBody = 16 << 10

// handleAuthRoutes mounts the app hub's routes:
//
//	POST /api/v1/auth/login             {login, password} → session token, CSRF token; sets the cookie
//	POST /api/v1/auth/logout            ends the session
//	GET  /api/v1/auth/me                the principal (anonymous or screen when not logged in)
//	POST /api/v1/auth/password          {oldPassword, password}: change one's own password
//	GET  /api/v1/users                  users (user.manage)
//	POST /api/v1/users                  create a user
//	POST /api/v1/users/{id}/{action}    grants, disable, enable, unlock, password
//	GET  /api/v1/apikeys                API keys (apikey.manage)
//	POST /api/v1/apikeys                issue a key: the secret is in this answer only
//	POST /api/v1/apikeys/{id}/revoke    revoke a key
func (s *Server) handleAuthRoutes() {
	public, loggedIn := Access{Public: true}, Access{Authenticated: true}
	s.route("POST /api/v1/auth/login", public, s.login)
	s.route("POST /api/v1/auth/logout", loggedIn, s.logout)
	s.route("GET /api/v1/auth/me", public, s.me)
	s.route("POST /api/v1/auth/password", loggedIn, s.changePassword)
	users, keys := Access{Perm: identity.PermUserManage}, Access{Perm: identity.PermKeyManage}
	s.route("GET /api/v1/users", users, s.listUsers)
	s.route("POST /api/v1/users", users, s.createUser)
	s.route("POST /api/v1/users/{id}/{action}", users, s.userAction)
	s.route("GET /api/v1/apikeys", keys, s.listKeys)
	s.route("POST /api/v1/apikeys", keys, s.issueKey)
	s.route("POST /api/v1/apikeys/{id}/revoke", keys, s.revokeKey)
	if s.auth.opts.OIDC != nil {
		s.route("GET /api/v1/auth/oidc/login", public, s.oidcLogin)
		s.route("GET /api/v1/auth/oidc/callback", public, s.oidcCallback)
	}
}

// decodeBody reads a JSON body into v, refusing unknown fields. Errors: invalid naming the
// problem, too_large.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAuthBody))
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		return domain.TooLarge("body", "at most %d bytes", maxAuthBody)
	} else if err != nil {
		return domain.Invalid("body", "could not be read: %v", err)
	}
	return decodeJSON(body, v)
}

// decodeJSON is the strict decoder of the identity routes' bodies (fuzzed).
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}") // an action without fields may be sent without a body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return domain.Invalid("body", "not the expected JSON: %v", err)
	}
	if dec.More() {
		return domain.Invalid("body", "more than one JSON value")
	}
	return nil
}

type loginBody struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// LoginReply is the body of a successful login.
type LoginReply struct {
	access.Login
	CSRFToken string `json:"csrfToken"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.throttled(w, r, "login") {
		return
	}
	var b loginBody
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	l, err := s.auth.svc.PasswordLogin(r.Context(), b.Login, b.Password)
	if err != nil {
		s.log.Info("login refused", "addr", clientAddr(r), "code", domain.CodeOf(err)) // never the login or password
		writeError(w, err)
		return
	}
	s.startSession(w, r, l)
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, l access.Login) {
	http.SetCookie(w, s.auth.sessionCookie(r, l.Token, l.ExpiresAt))
	s.log.Info("session started", "actor", l.Principal.Actor(), "session", l.SessionID)
	writeJSON(w, http.StatusOK, LoginReply{Login: l, CSRFToken: csrfToken(l.Token)})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	req := requestOf(r)
	if req.sessionID != "" {
		if err := s.auth.svc.Logout(r.Context(), req.principal, req.sessionID); err != nil {
			writeError(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]bool{"loggedOut": true})
}

// Me is the body of GET /api/v1/auth/me.
type Me struct {
	Principal    identity.Principal `json:"principal"`
	CSRFToken    string             `json:"csrfToken,omitempty"`
	PublicScreen bool               `json:"publicScreen"`
	OIDC         bool               `json:"oidc"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	req := requestOf(r)
	m := Me{Principal: req.principal, PublicScreen: s.auth.opts.PublicScreen, OIDC: s.auth.opts.OIDC != nil}
	if req.viaCookie && req.credErr == nil {
		m.CSRFToken = csrfToken(req.token)
	}
	if m.Principal.Grants == nil {
		m.Principal.Grants = []identity.Grant{}
	}
	writeJSON(w, http.StatusOK, m)
}

type passwordBody struct {
	OldPassword string `json:"oldPassword"`
	Password    string `json:"password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if s.throttled(w, r, "oldPassword") { // a password check is a login attempt
		return
	}
	var b passwordBody
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	req := requestOf(r)
	if err := s.auth.svc.ChangePassword(r.Context(), req.principal, req.sessionID, b.OldPassword, b.Password); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"changed": true})
}

// throttled takes a login attempt from the client address's bucket and answers 429 naming
// field when it is empty. An address may try a minute's worth at once (a mistyped password or
// two), then waits; password logins, password changes and provider callbacks share it.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, field string) bool {
	if s.auth.logins.allow(clientAddr(r), s.auth.opts.LoginsPerMinute, s.auth.opts.LoginsPerMinute) {
		return false
	}
	writeError(w, &domain.Error{Code: domain.CodeRateLimited, Field: field, Msg: "too many login attempts from this address; wait a minute"})
	return true
}
