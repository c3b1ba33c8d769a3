package dashboard

import (
	"net/http"
	"strings"

	"github.com/chengyun/chengyun/dashboard/stream"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/indicators"
)

// HandleStream mounts the live-screen gateway (DESIGN.md §7) at GET /api/v1/stream. The
// connection is admitted like any request (session cookie, bearer token, API key, or the
// public screen); each subscription is then checked against the principal:
//
//	indicators:<scope>            indicator.read on the scope's area
//	cases, map:cases, alarms      case.read (geo.read for map:…) on the whole city: the frames
//	case:<id>                     are shared by every subscriber, so the feeds are for
//	                              city-wide principals (screens, the command center)
//	cases:<area>, map:cases:<area> case.read on the district, street or grid (or around it):
//	                              the feed of one area, for a district's or a street's screen
//
// origins are the browser origins allowed besides the server's own.
func (s *Server) HandleStream(h *stream.Hub, origins []string) {
	gate := stream.Gate{Origins: origins, Authorize: func(r *http.Request) (func(string) error, error) {
		p := PrincipalOf(r)
		return func(topic string) error { return authorizeTopic(p, topic, s.city) }, nil
	}}
	handler := h.Handler(gate, s.log, writeError)
	s.route("GET /api/v1/stream", Access{Perm: identity.PermStreamRead}, handler.ServeHTTP)
}

func authorizeTopic(p identity.Principal, topic string, areas *city.City) error {
	perm, area, err := identity.TopicPermission(topic)
	if err != nil {
		return err
	}
	if err := p.Check(identity.PermStreamRead, nil); err != nil {
		return err
	}
	if strings.HasPrefix(topic, "indicators:") {
		sc, err := stream.ScopeOf(topic)
		if err == nil {
			sc, err = parseScope(strings.TrimPrefix(topic, "indicators:"))
		}
		if err != nil {
			return domain.Invalid("topic", "%q: %v", topic, err)
		}
		if err := knownArea(topic, sc, areas); err != nil {
			return err
		}
		return canReadScope(p, sc, areas)
	}
	if area != nil { // an area's case feed: case.read on the area, placed in its parents
		sc := indicators.Scope{Dim: string(area.Kind), Code: area.Code}
		if err := knownArea(topic, sc, areas); err != nil {
			return err
		}
		return p.Check(perm, scopeTarget(sc, areas))
	}
	return p.Check(perm, identity.WholeCity)
}

// knownArea refuses a topic of an area the city model does not have at that level: each
// topic subscribed to is kept, so made-up codes would grow the hub without bound.
func knownArea(topic string, sc indicators.Scope, areas *city.City) error {
	if areas == nil || sc.Code == "" {
		return nil
	}
	if a := areas.Area(sc.Code); a == nil || string(a.Level) != sc.Dim {
		return domain.NotFound("topic", "%q: the city has no %s %s", topic, sc.Dim, sc.Code)
	}
	return nil
}
