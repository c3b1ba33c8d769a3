package cases

import (
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
)

func decideDispatch(s *State, c Dispatch, env Env) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	d := Dispatched{Note: c.Note}
	loc := catalog.Location{District: s.Location.District, Street: s.Location.Street, Grid: s.Location.Grid}
	if route, err := env.Routing.Suggest(s.Category, loc); err == nil {
		d.Suggested, d.SuggestedReason = route.Department, route.Reason
	}
	d.Department = c.Department
	switch {
	case c.Department == "" && d.Suggested == "":
		return nil, domain.Invalid("department", "the routing table has no department for category %s here; name one", s.Category)
	case c.Department == "":
		d.Department = d.Suggested
	default:
		if _, ok := env.Routing.Department(c.Department); !ok {
			return nil, domain.Invalid("department", "%q is not a department of this city", c.Department)
		}
		d.Overridden = c.Department != d.Suggested
	}
	var err error
	if d.AcceptDue, err = env.deadline(StageAccept, s.Category, s.Urgency, env.Now); err != nil {
		return nil, err
	}
	if c.Deadline != nil {
		if !c.Deadline.After(env.Now) {
			return nil, domain.Invalid("deadline", "%s is not in the future", c.Deadline.Format(time.RFC3339))
		}
		sched, _, _, err := env.schedule(s.Category, s.Urgency)
		if err != nil {
			return nil, err
		}
		d.HandleDue, d.DeadlineSet = env.withWarning(StageHandle, sched, env.Now, *c.Deadline), true
	} else if d.HandleDue, err = env.deadline(StageHandle, s.Category, s.Urgency, env.Now); err != nil {
		return nil, err
	}
	return []Payload{d}, nil
}

func decideAccept(s *State, env Env) ([]Payload, error) {
	return []Payload{Accepted{Department: s.Department, Handler: env.Actor}}, nil
}

func decideReturn(s *State, c Return, env Env) ([]Payload, error) {
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	due, err := env.deadline(StageDispatch, s.Category, s.Urgency, env.Now)
	if err != nil {
		return nil, err
	}
	return []Payload{Returned{Department: s.Department, Reason: c.Reason, DispatchDue: due}}, nil
}

func decideRequestExtension(s *State, c RequestExtension) ([]Payload, error) {
	if s.Extension != nil {
		return nil, domain.Conflict("extension", "an extension of %s is already pending", s.Extension.Extra)
	}
	extra, err := parseExtra("extra", c.Extra)
	if err != nil {
		return nil, err
	}
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	return []Payload{ExtensionRequested{Extra: extra, Reason: c.Reason}}, nil
}

func decideGrantExtension(s *State, c GrantExtension, env Env) ([]Payload, error) {
	if s.Extension == nil {
		return nil, domain.Conflict("extension", "no extension is pending")
	}
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	sched, _, _, err := env.schedule(s.Category, s.Urgency)
	if err != nil {
		return nil, err
	}
	old, ok := s.Deadlines[StageHandle]
	if !ok {
		return nil, domain.Conflict("extension", "the case has no handling deadline to extend")
	}
	// The deadline moves by exactly the time granted, even when it has already passed.
	extra := s.Extension.Extra
	due := sched.Add(sched.AddDays(old.Due, extra.Days), extra.Time)
	from := env.Now
	if old.Due.After(from) {
		from = old.Due
	}
	return []Payload{ExtensionGranted{Extra: extra, Note: c.Note, HandleDue: env.withWarning(StageHandle, sched, from, due)}}, nil
}

func decideDenyExtension(s *State, c DenyExtension) ([]Payload, error) {
	if s.Extension == nil {
		return nil, domain.Conflict("extension", "no extension is pending")
	}
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	return []Payload{ExtensionDenied(c)}, nil
}

func decideSuspend(s *State, c Suspend, env Env) ([]Payload, error) {
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	sched, _, _, err := env.schedule(s.Category, s.Urgency)
	if err != nil {
		return nil, err
	}
	var remaining time.Duration
	if d, ok := s.Deadlines[StageHandle]; ok {
		remaining = sched.Between(env.Now, d.Due)
	}
	return []Payload{Suspended{Reason: c.Reason, Remaining: remaining}}, nil
}

func decideResume(s *State, c Resume, env Env) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	sched, _, _, err := env.schedule(s.Category, s.Urgency)
	if err != nil {
		return nil, err
	}
	// The clock stopped while suspended (缓办): the case gets back exactly what it had left.
	var remaining time.Duration
	if s.Suspended != nil {
		remaining = s.Suspended.Remaining
	}
	due := sched.Add(env.Now, remaining)
	return []Payload{Resumed{Note: c.Note, HandleDue: env.withWarning(StageHandle, sched, env.Now, due)}}, nil
}
