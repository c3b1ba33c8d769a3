package identity

import (
	"strconv"

	"github.com/chengyun/chengyun/domain"
)

// Grant gives a role within a scope. A user holds one or more.
type Grant struct {
	Role  Role  `json:"role"`
	Scope Scope `json:"scope"`
}

// ValidateGrants checks a user's or key's grants. Errors: invalid naming the field.
func ValidateGrants(field string, gs []Grant) error {
	if len(gs) == 0 {
		return domain.Invalid(field, "at least one role is needed")
	}
	if len(gs) > 64 {
		return domain.TooLarge(field, "%d grants, at most 64", len(gs))
	}
	for i, g := range gs {
		f := field + "[" + itoa(i) + "]"
		if _, err := ParseRole(f+".role", string(g.Role)); err != nil {
			return err
		}
		if err := g.Scope.Validate(f + ".scope"); err != nil {
			return err
		}
		if g.Role == RoleAdmin && g.Scope.Kind != ScopeCity {
			// An admin manages users and keys of the whole city: a district admin could
			// otherwise grant itself the city.
			return domain.Invalid(f+".scope", "the admin role is city-wide only")
		}
	}
	return nil
}

// PrincipalKind tells users, API keys and the anonymous screen apart.
type PrincipalKind string

// Principal kinds.
const (
	KindUser      PrincipalKind = "user"
	KindKey       PrincipalKind = "apikey"
	KindAnonymous PrincipalKind = "anonymous"
)

// Principal is whoever sends a request, as authentication established it.
type Principal struct {
	Kind   PrincipalKind `json:"kind"`
	ID     string        `json:"id"`    // user id, key id, or "" for anonymous
	Login  string        `json:"login"` // login name or key name
	Name   string        `json:"name,omitempty"`
	Grants []Grant       `json:"grants"`
	// Only, when set, limits a key to these permissions (a subset of its role's).
	Only []Permission `json:"only,omitempty"`
	// MustChangePassword is set for a one-time password: nothing but changing it is allowed.
	MustChangePassword bool   `json:"mustChangePassword,omitempty"`
	Channel            string `json:"channel,omitempty"` // the intake channel a key reports through
}

// Anonymous is the principal of a request without credentials: it may do nothing.
var Anonymous = Principal{Kind: KindAnonymous}

// Screen is the anonymous principal of a big screen opened read-only without login.
var Screen = Principal{Kind: KindAnonymous, Login: "screen", Grants: []Grant{{Role: RoleScreen, Scope: City}}}

// Authenticated reports whether the principal proved an identity.
func (p Principal) Authenticated() bool { return p.Kind == KindUser || p.Kind == KindKey }

// Actor is the principal's name in event metadata: "user:<login>" or "apikey:<id>".
func (p Principal) Actor() string {
	switch p.Kind {
	case KindUser:
		return "user:" + p.Login
	case KindKey:
		return "apikey:" + p.ID
	}
	return "anonymous"
}

func (p Principal) allows(g Grant, perm Permission) bool {
	if p.MustChangePassword || !RoleHas(g.Role, perm) {
		return false
	}
	if p.Only == nil {
		return true
	}
	for _, o := range p.Only {
		if o == perm {
			return true
		}
	}
	return false
}

// Can reports whether the principal holds perm in any scope.
func (p Principal) Can(perm Permission) bool {
	for _, g := range p.Grants {
		if p.allows(g, perm) {
			return true
		}
	}
	return false
}

// CanOn reports whether the principal holds perm in a scope covering the target.
func (p Principal) CanOn(perm Permission, t Target) bool {
	for _, g := range p.Grants {
		if p.allows(g, perm) && g.Scope.Covers(t) {
			return true
		}
	}
	return false
}

// Scopes returns the scopes in which the principal holds perm (for filtering lists).
func (p Principal) Scopes(perm Permission) []Scope {
	var out []Scope
	for _, g := range p.Grants {
		if p.allows(g, perm) {
			out = append(out, g.Scope)
		}
	}
	return out
}

// Check is CanOn as an error. Errors: unauthorized for an anonymous principal without the
// permission (log in), forbidden for a known one (the role or scope does not allow it).
func (p Principal) Check(perm Permission, t *Target) error {
	ok := p.Can(perm)
	if ok && t != nil {
		ok = p.CanOn(perm, *t)
	}
	switch {
	case ok:
		return nil
	case !p.Authenticated():
		return &domain.Error{Code: domain.CodeUnauthorized, Msg: "log in or send a token or API key"}
	case p.MustChangePassword:
		return &domain.Error{Code: domain.CodeForbidden, Field: "password", Msg: "change the one-time password first"}
	case t != nil && p.Can(perm):
		return &domain.Error{Code: domain.CodeForbidden, Msg: string(perm) + " is outside your scope"}
	}
	return &domain.Error{Code: domain.CodeForbidden, Msg: "your role does not allow " + string(perm)}
}

func itoa(i int) string { return strconv.Itoa(i) }

// WholeCity is the target of acts on the city as a whole (users, keys): only a city-wide grant
// covers it.
var WholeCity = &Target{District: "\x00", Street: "\x00", Community: "\x00", Grid: "\x00", Department: "\x00"}
