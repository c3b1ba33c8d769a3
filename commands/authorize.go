package commands

import (
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// authorize checks a decided command against its principal: the role must allow the command,
// and the case must lie in one of the principal's scopes for it. A report is checked on where
// the decision located it, so a grid worker cannot file a case outside their grid; a merge
// also needs the master in scope. It runs after Decide so that the check sees exactly the
// state the decision used. Errors: unauthorized, forbidden.
func authorize(p *identity.Principal, cmd cases.Command, before *cases.State, decided []cases.Event) error {
	if p == nil {
		return nil
	}
	perm := identity.CasePermission(cmd.Name())
	subject := before
	if cmd.Name() == "report" {
		after := before.Clone()
		for _, e := range decided {
			after.Apply(e)
		}
		subject = after
	}
	t := TargetOf(subject)
	if err := p.Check(perm, &t); err != nil {
		return err
	}
	if m, ok := cmd.(cases.Merge); ok && m.Master != nil {
		mt := TargetOf(m.Master)
		return p.Check(perm, &mt)
	}
	return nil
}

// TargetOf is where a case lies and who is responsible for it, for scope checks.
func TargetOf(s *cases.State) identity.Target {
	l := s.Location
	return identity.Target{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, Department: s.Department}
}
