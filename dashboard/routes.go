package dashboard

import (
	"net/http"
	"slices"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// Access is what a route needs of its caller. The handler narrows it further where the
// answer depends on one case's scope (reading or commanding a case).
type Access struct {
	Public        bool                // anyone, no credentials
	Authenticated bool                // any logged-in user or key, even one that must change its password
	Perm          identity.Permission // this permission in some scope
	ByCommand     bool                // case.<command> from the {command} path value
}

func (a Access) String() string {
	switch {
	case a.Public:
		return "public"
	case a.Authenticated:
		return "authenticated"
	case a.ByCommand:
		return "case.{command}"
	}
	return string(a.Perm)
}

// Route is a mounted route and what it needs.
type Route struct {
	Pattern string
	Access  Access
}

// Routes lists every mounted route, for the authorization matrix test and the docs.
func (s *Server) Routes() []Route {
	out := slices.Clone(s.routes)
	slices.SortFunc(out, func(a, b Route) int {
		if a.Pattern < b.Pattern {
			return -1
		}
		if a.Pattern > b.Pattern {
			return 1
		}
		return 0
	})
	return out
}

// route mounts a handler behind its access rule. Every route of the server goes through here,
// so none can be reachable without a rule.
func (s *Server) route(pattern string, acc Access, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Access: acc})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := allowed(acc, r); err != nil {
			writeError(w, err)
			return
		}
		h(w, r)
	})
}

func allowed(acc Access, r *http.Request) error {
	if acc.Public {
		return nil
	}
	req := requestOf(r)
	if req.credErr != nil {
		return req.credErr
	}
	p := req.principal
	switch {
	case acc.Authenticated:
		if !p.Authenticated() {
			return &domain.Error{Code: domain.CodeUnauthorized, Msg: "log in or send a token or API key"}
		}
		return nil
	case acc.ByCommand:
		name := r.PathValue("command")
		if !commands.Known(name) {
			return nil // the handler answers 404 naming the command
		}
		return p.Check(identity.CasePermission(name), nil)
	}
	return p.Check(acc.Perm, nil)
}

// ServeHTTP runs every request through the security basics before the routes: headers, a body
// limit, authentication and the CSRF guard.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header(), r)
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	req := s.auth.authenticate(r)
	if s.auth != nil && !req.principal.Authenticated() && req.credErr == nil && s.auth.opts.PublicScreen {
		req.principal = identity.Screen
	}
	if err := s.auth.guard(r, req); err != nil {
		writeError(w, err)
		return
	}
	s.mux.ServeHTTP(w, withRequest(r, req))
}
