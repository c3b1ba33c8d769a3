package identity

import (
	"strings"

	"github.com/chengyun/chengyun/domain"
)

// Topic names of the live-screen protocol (DESIGN.md §7) and the permission each needs:
//
//	indicators:<scope>   indicator values of a scope ("indicators:city", "indicators:district:420102")
//	cases                the case feed, filtered per case to the subscriber's scopes
//	case:<id>            one case's timeline (the gateway resolves the case's target)
//	alarms               sensor alarms, filtered like the case feed
//	map:<layer>          map layer deltas
//
// TopicPermission says what subscribing to topic needs, and for an indicators topic the area
// it covers. Errors: invalid for a topic of no known shape.
func TopicPermission(topic string) (Permission, *Scope, error) {
	kind, rest, _ := strings.Cut(topic, ":")
	switch kind {
	case "indicators":
		sc, err := ParseScope("topic", rest)
		if err != nil || sc.Kind == ScopeDepartment {
			return "", nil, domain.Invalid("topic", "%q: want indicators:city or indicators:<district|street|community|grid>:<code>", topic)
		}
		return PermIndicators, &sc, nil
	case "cases", "alarms":
		if rest != "" || strings.Contains(topic, ":") {
			return "", nil, domain.Invalid("topic", "%q takes no argument", kind)
		}
		return PermCaseRead, nil, nil
	case "case":
		if rest == "" {
			return "", nil, domain.Invalid("topic", "%q: want case:<id>", topic)
		}
		return PermCaseRead, nil, nil
	case "map":
		if rest == "" {
			return "", nil, domain.Invalid("topic", "%q: want map:<layer>", topic)
		}
		return PermGeoRead, nil, nil
	}
	return "", nil, domain.Invalid("topic", "%q is not a topic (indicators:…, cases, case:<id>, alarms, map:<layer>)", topic)
}

// AuthorizeTopic decides a subscription. area is the area of an indicators topic as the city
// model knows it (its own code and the codes it lies in); target is the case of a case topic.
// Errors: invalid, unauthorized, forbidden.
func (p Principal) AuthorizeTopic(topic string, area, target *Target) error {
	perm, sc, err := TopicPermission(topic)
	if err != nil {
		return err
	}
	if err := p.Check(PermStreamRead, nil); err != nil {
		return err
	}
	switch {
	case sc != nil && sc.Kind == ScopeCity:
		return p.Check(perm, WholeCity) // the city's indicators are for city-wide principals only
	case sc != nil:
		if area == nil {
			return domain.NotFound("topic", "no area %s in this city", sc)
		}
		return p.Check(perm, area)
	case target != nil:
		return p.Check(perm, target)
	}
	return p.Check(perm, nil)
}
