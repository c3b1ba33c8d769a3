package commands

import (
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
	t := TargetOf(after)
	return p.Check(identity.CasePermission("report"), &t)
}

// TargetOf is where a case lies and who is responsible for it, for scope checks.
func TargetOf(s *cases.State) identity.Target {
	l := s.Location
	return identity.Target{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, Department: s.Department}
}
