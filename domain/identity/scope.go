package identity

import (
	"strings"

	"github.com/chengyun/chengyun/domain"
)

// ScopeKind is the kind of area or unit a grant is limited to.
type ScopeKind string

// Scope kinds, from the widest to the narrowest area, plus departments.
const (
	ScopeCity       ScopeKind = "city"
	ScopeDistrict   ScopeKind = "district"
	ScopeStreet     ScopeKind = "street"
	ScopeCommunity  ScopeKind = "community"
	ScopeGrid       ScopeKind = "grid"
	ScopeDepartment ScopeKind = "department"
)

// Scope limits a grant to the whole city, one area, or one department's cases.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	Code string    `json:"code,omitempty"` // empty for the city
}

// City is the scope of the whole city.
var City = Scope{Kind: ScopeCity}

// String is "city" or "kind:code".
func (s Scope) String() string {
	if s.Kind == ScopeCity {
		return string(ScopeCity)
	}
	return string(s.Kind) + ":" + s.Code
}

// ParseScope reads "city" or "kind:code". Errors: invalid naming the field.
func ParseScope(field, s string) (Scope, error) {
	if s == string(ScopeCity) {
		return City, nil
	}
	kind, code, ok := strings.Cut(s, ":")
	sc := Scope{Kind: ScopeKind(kind), Code: code}
	if !ok {
		return Scope{}, domain.Invalid(field, "%q is not a scope: want city or kind:code (district, street, community, grid, department)", s)
	}
	return sc, sc.Validate(field)
}

// Validate checks a scope. Errors: invalid naming the field.
func (s Scope) Validate(field string) error {
	switch s.Kind {
	case ScopeCity:
		if s.Code != "" {
			return domain.Invalid(field+".code", "the city scope has no code")
		}
		return nil
	case ScopeDistrict, ScopeStreet, ScopeCommunity, ScopeGrid, ScopeDepartment:
	default:
		return domain.Invalid(field+".kind", "%q is not a scope kind (city, district, street, community, grid, department)", s.Kind)
	}
	if s.Code == "" || len(s.Code) > 64 || strings.ContainsAny(s.Code, " \t\r\n:") {
		return domain.Invalid(field+".code", "%q is not an area or department code", s.Code)
	}
	return nil
}

// Target is what a scope is checked against: where a case is and who is responsible for it.
type Target struct {
	District, Street, Community, Grid string
	Department                        string
}

// Covers reports whether the scope includes the target. Area codes nest by prefix (grid codes
// start with their community's, communities with their street's) but the check compares each
// level's own code, so it holds for cities whose codes do not nest.
func (s Scope) Covers(t Target) bool {
	switch s.Kind {
	case ScopeCity:
		return true
	case ScopeDistrict:
		return t.District == s.Code
	case ScopeStreet:
		return t.Street == s.Code
	case ScopeCommunity:
		return t.Community == s.Code
	case ScopeGrid:
		return t.Grid == s.Code
	case ScopeDepartment:
		return t.Department == s.Code
	}
	return false
}

// CoversArea reports whether the scope includes a whole area (for topics and lists by area):
// an area is covered when it lies inside the scope, judged by its own level and code and the
// codes of the areas it lies in (a).
func (s Scope) CoversArea(a Target) bool {
	if s.Kind == ScopeDepartment {
		return false
	}
	return s.Covers(a)
}
