package identity

import (
	"strings"

	"github.com/chengyun/chengyun/domain"
)

// Topic names of the live-screen protocol (DESIGN.md §7) and the permission each needs:
//
//	indicators:<scope>   indicator values of a scope ("indicators:city", "indicators:district:420102")
//	cases                the case feed of the whole city
//	cases:<area>         the case feed of one district, street or grid ("cases:district:420102")
//	case:<id>            one case's timeline (the gateway resolves the case's target)
//	alarms               sensor alarms
//	map:<layer>          map layer deltas; map:cases:<area> is one area's case points
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
	case "cases":
		if rest == "" {
			return PermCaseRead, nil, nil
		}
		return areaFeed(topic, rest)
	case "alarms":
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
		if area, ok := strings.CutPrefix(rest, "cases:"); ok {
			return areaFeed(topic, area)
		}
		return PermGeoRead, nil, nil
	}
	return "", nil, domain.Invalid("topic", "%q is not a topic (indicators:…, cases, case:<id>, alarms, map:<layer>)", topic)
}

// areaFeed reads the area of an area's case feed: a district, street or grid. Its cards are
// cases, so it needs case.read on the area.
func areaFeed(topic, area string) (Permission, *Scope, error) {
	sc, err := ParseScope("topic", area)
	if err != nil || (sc.Kind != ScopeDistrict && sc.Kind != ScopeStreet && sc.Kind != ScopeGrid) {
		return "", nil, domain.Invalid("topic", "%q: want an area after the feed, as in cases:district:<code>, cases:street:<code> or cases:grid:<code>", topic)
	}
	return PermCaseRead, &sc, nil
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
