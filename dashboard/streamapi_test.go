package dashboard

import (
	"errors"
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
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
		err := authorizeTopic(c.who, c.topic)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s on %q: %v, want %v", c.who.Login, c.topic, err, c.want)
		}
	}
}

var errForbidden = &domain.Error{Code: domain.CodeForbidden}
