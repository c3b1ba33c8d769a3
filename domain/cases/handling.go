package cases

import (
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/worktime"
)

func decideHandle(s *State, c Handle, env Env) ([]Payload, error) {
	p, err := checkHandling(c.Feedback, c.Photos, c.Point)
	if err != nil {
		return nil, err
	}
	h := Handled{Feedback: c.Feedback, Photos: c.Photos, Point: p}
	if d, ok := s.Deadlines[StageHandle]; ok && env.Now.After(d.Due) {
		h.Late = true
	}
	if h.InspectDue, err = env.deadline(StageInspect, s.Category, s.Urgency, env.Now); err != nil {
		return nil, err
	}
	return []Payload{h}, nil
}

func decideInspect(s *State, c Inspect, env Env) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	if c.Pass {
		if c.Rework != "" {
			return nil, domain.Invalid("rework", "a passed inspection orders no rework")
		}
		return []Payload{Inspected{Pass: true, Note: c.Note}}, nil
	}
	if err := checkText("note", c.Note, true, maxLongText); err != nil {
		return nil, domain.Invalid("note", "a failed inspection must say what is wrong")
	}
	rework := ReworkOrdered{Reason: c.Note}
	var err error
	if c.Rework == "" {
		rework.HandleDue, err = env.deadline(StageHandle, s.Category, s.Urgency, env.Now)
	} else {
		var limit catalog.Limit
		if limit, err = parseExtra("rework", c.Rework); err == nil {
			var sched worktime.Schedule
			if sched, _, _, err = env.schedule(s.Category, s.Urgency); err == nil {
				rework.HandleDue = env.deadlineAfter(StageHandle, sched, limit, 1, env.Now)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return []Payload{Inspected{Pass: false, Note: c.Note}, rework}, nil
}

func decideClose(s *State, c Close, env Env) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	closed := Closed{How: ClosedInspected, Note: c.Note}
	if err := env.revisitDue(s, &closed); err != nil {
		return nil, err
	}
	return []Payload{closed}, nil
}

func decideRevisit(s *State, c Revisit) ([]Payload, error) {
	if s.Revisited {
		return nil, domain.Conflict("revisit", "the case was already revisited since it was closed")
	}
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	switch {
	case !c.Reached && (c.Satisfaction != "" || c.Solved):
		return nil, domain.Invalid("satisfaction", "a reporter who was not reached gives no verdict")
	case c.Reached && c.Satisfaction != Satisfied && c.Satisfaction != BasicSatisfied && c.Satisfaction != Unsatisfied:
		return nil, domain.Invalid("satisfaction", "%q is not satisfied, basically_satisfied or unsatisfied", c.Satisfaction)
	}
	return []Payload{Revisited(c)}, nil
}

func decideReopen(s *State, c Reopen, env Env) ([]Payload, error) {
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	due, err := env.deadline(StageDispatch, s.Category, s.Urgency, env.Now)
	if err != nil {
		return nil, err
	}
	return []Payload{Reopened{Reason: c.Reason, DispatchDue: due}}, nil
}
