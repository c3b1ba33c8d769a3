package dashboard

import (
	"errors"
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/indicators"
)

// TestStreamTopicsAreAuthorized: the shared feeds are for city-wide readers, indicator topics
// for readers of their area; a bad topic is invalid, not forbidden.
func TestStreamTopicsAreAuthorized(t *testing.T) {
	screen := identity.Principal{Kind: identity.KindUser, Login: "wall", Grants: []identity.Grant{{Role: identity.RoleScreen, Scope: identity.City}}}
	district := identity.Principal{Kind: identity.KindUser, Login: "jiangan", Grants: []identity.Grant{{Role: identity.RoleLeader,
		Scope: identity.Scope{Kind: identity.ScopeDistrict, Code: "420102"}}}}
	key := identity.Principal{Kind: identity.KindKey, Login: "hotline", Grants: []identity.Grant{{Role: identity.RoleExternal, Scope: identity.City}}}
	for _, c := range []struct {
		who   identity.Principal
		topic string
		want  error
	}{
		{screen, "cases", nil}, {screen, "map:cases", nil}, {screen, "alarms", nil}, {screen, "indicators:city", nil},
		{screen, "indicators:district:420102", nil}, {screen, "case:abc", nil},
		{district, "indicators:district:420102", nil},
		{district, "indicators:district:420103", errForbidden}, {district, "indicators:city", errForbidden},
		{district, "cases", errForbidden}, {district, "map:cases", errForbidden},
		{key, "cases", errForbidden},
		{screen, "everything", domain.ErrInvalid}, {screen, "indicators:planet:3", domain.ErrInvalid}, {screen, "cases:x", domain.ErrInvalid},
	} {
		err := authorizeTopic(c.who, c.topic, nil)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s on %q: %v, want %v", c.who.Login, c.topic, err, c.want)
		}
	}
}

var errForbidden = &domain.Error{Code: domain.CodeForbidden}

// TestAreaScopesCoverTheirChildren: a grant on an area reads the indicators of the areas
// inside it (a district's streets and grids), placed by the city model, and not those of its
// neighbours or of the area around it.
func TestAreaScopesCoverTheirChildren(t *testing.T) {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		t.Fatal(err)
	}
	model, err := city.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	street := model.Layer(city.Street)[0]
	var grid *city.Area
	for _, g := range model.Layer(city.Grid) {
		if c := model.Area(g.Parent); c != nil && c.Parent == street.Code {
			grid = g
			break
		}
	}
	var otherStreet *city.Area
	for _, s := range model.Layer(city.Street) {
		if s.Parent != street.Parent {
			otherStreet = s
			break
		}
	}
	leader := identity.Principal{Kind: identity.KindUser, Login: "leader", Grants: []identity.Grant{{Role: identity.RoleLeader,
		Scope: identity.Scope{Kind: identity.ScopeDistrict, Code: street.Parent}}}}
	streetLeader := identity.Principal{Kind: identity.KindUser, Login: "street", Grants: []identity.Grant{{Role: identity.RoleLeader,
		Scope: identity.Scope{Kind: identity.ScopeStreet, Code: street.Code}}}}
	for _, c := range []struct {
		who   identity.Principal
		scope indicators.Scope
		model *city.City
		allow bool
	}{
		{leader, indicators.Scope{Dim: "district", Code: street.Parent}, model, true},
		{leader, indicators.Scope{Dim: "street", Code: street.Code}, model, true},
		{leader, indicators.Scope{Dim: "grid", Code: grid.Code}, model, true},
		{leader, indicators.Scope{Dim: "street", Code: otherStreet.Code}, model, false},
		{leader, indicators.Scope{Dim: "street", Code: "999999999"}, model, false},
		{leader, indicators.Scope{Dim: "street", Code: street.Code}, nil, false}, // no model: no parents
		{leader, indicators.Scope{Dim: "city"}, model, false},
		{streetLeader, indicators.Scope{Dim: "grid", Code: grid.Code}, model, true},
		{streetLeader, indicators.Scope{Dim: "district", Code: street.Parent}, model, false},
	} {
		err := canReadScope(c.who, c.scope, c.model)
		if (err == nil) != c.allow || (err != nil && domain.CodeOf(err) != domain.CodeForbidden) {
			t.Errorf("%s on %+v (model %v): %v, want allowed %v", c.who.Login, c.scope, c.model != nil, err, c.allow)
		}
	}
	// The areas' case feeds follow the same rule, with case.read.
	for _, c := range []struct {
		who   identity.Principal
		topic string
		allow bool
	}{
		{leader, "cases:district:" + street.Parent, true},
		{leader, "cases:street:" + street.Code, true},
		{leader, "map:cases:grid:" + grid.Code, true},
		{leader, "cases:district:" + otherStreet.Parent, false},
		{leader, "map:cases:street:" + otherStreet.Code, false},
		{leader, "cases", false},
		{streetLeader, "cases:street:" + street.Code, true},
		{streetLeader, "cases:district:" + street.Parent, false},
	} {
		err := authorizeTopic(c.who, c.topic, model)
		if (err == nil) != c.allow || (err != nil && domain.CodeOf(err) != domain.CodeForbidden) {
			t.Errorf("%s on %s: %v, want allowed %v", c.who.Login, c.topic, err, c.allow)
		}
	}
	// Areas the city does not have, or not at that level, are not found, even for the screen.
	for _, topic := range []string{"cases:district:nope", "cases:district:" + street.Code, "indicators:street:" + street.Parent,
		"map:cases:grid:" + street.Code, "indicators:grid:999"} {
		if err := authorizeTopic(identity.Screen, topic, model); domain.CodeOf(err) != domain.CodeNotFound {
			t.Errorf("screen on %s: %v, want not found", topic, err)
		}
	}
}
