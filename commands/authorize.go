package commands

import (
	"slices"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// authorizeBefore checks a command against its principal before the decision: the role must
// allow the command and the case must lie in one of the principal's scopes for it (a merge
// also needs the master in scope). It runs on the state the decision will use, before any
// validation, so a principal out of scope learns nothing about the case from the answer. A
// command on a case that does not exist is left to the decision (not found). Errors:
// unauthorized, forbidden.
func authorizeBefore(p *identity.Principal, cmd cases.Command, before *cases.State) error {
	if p == nil || cmd.Name() == "report" || before.Status == cases.StatusNone {
		return nil
	}
	perm := identity.CasePermission(cmd.Name())
	t := TargetOf(before)
	if err := p.Check(perm, &t); err != nil {
		return err
	}
	if m, ok := cmd.(cases.Merge); ok && m.Master != nil && m.Master.Status != cases.StatusNone {
		mt := TargetOf(m.Master)
		return p.Check(perm, &mt)
	}
	return nil
}

// authorizeAfter checks a report on where the decision located it, so a grid worker cannot
// file a case outside their grid. Errors: unauthorized, forbidden.
func authorizeAfter(p *identity.Principal, cmd cases.Command, before *cases.State, decided []cases.Event) error {
	if p == nil || cmd.Name() != "report" {
		return nil
	}
	after := before.Clone()
	for _, e := range decided {
		after.Apply(e)
	}
	perm := identity.CasePermission("report")
	t := TargetOf(after)
	if err := p.Check(perm, &t); err != nil {
		return err
	}
	// Area codes come from the point when the city locates it; without a point inside the
	// city they are the caller's own words, which only a city-wide grant may file.
	if l := after.Location; (l.Point == nil || l.OutOfJurisdiction) && !slices.Contains(p.Scopes(perm), identity.City) {
		return &domain.Error{Code: domain.CodeForbidden, Field: "location.point", Msg: "a report within a scope needs a point inside the city"}
	}
	return nil
}

// TargetOf is where a case lies and who is responsible for it, for scope checks.
func TargetOf(s *cases.State) identity.Target {
	l := s.Location
	return identity.Target{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, Department: s.Department}
}

// authorizeReplay checks a retried request against the case as it now stands. Errors:
// unauthorized, forbidden, internal for events that do not decode.
func authorizeReplay(p *identity.Principal, cmd cases.Command, recorded []domain.RecordedEvent) error {
	if p == nil {
		return nil
	}
	events, err := cases.DecodeAll(recorded)
	if err != nil {
		return err
	}
	st := cases.Fold("", events)
	t := TargetOf(st)
	return p.Check(identity.CasePermission(cmd.Name()), &t)
}
