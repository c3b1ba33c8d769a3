package cases

import (
	"github.com/chengyun/chengyun/domain"
)

// maxEscalation is the highest level a case can be raised to (street, district, city, province,
// state council would be five; a city platform stops at its own top).
const maxEscalation = 5

func decideSupervise(c Supervise) ([]Payload, error) {
	if err := checkText("note", c.Note, true, maxLongText); err != nil {
		return nil, err
	}
	return []Payload{Supervised(c)}, nil
}

func decideEscalate(s *State, c Escalate) ([]Payload, error) {
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	if err := checkText("to", c.To, false, maxShortText); err != nil {
		return nil, err
	}
	level := c.Level
	if level == 0 {
		level = s.Escalation + 1
	}
	switch {
	case level <= s.Escalation:
		return nil, domain.Invalid("level", "%d is not above the current level %d", level, s.Escalation)
	case level > maxEscalation:
		return nil, domain.Invalid("level", "%d is above the highest level %d", level, maxEscalation)
	}
	return []Payload{Escalated{Level: level, To: c.To, Reason: c.Reason}}, nil
}

func decideMerge(s *State, c Merge) ([]Payload, error) {
	if err := checkText("reason", c.Reason, false, maxLongText); err != nil {
		return nil, err
	}
	switch {
	case c.Into == "":
		return nil, domain.Invalid("into", "is required: the master case's id")
	case c.Into == s.ID:
		return nil, domain.Invalid("into", "a case cannot be merged into itself")
	case c.Master == nil || c.Master.Status == StatusNone:
		return nil, domain.NotFound("into", "master case %s does not exist", c.Into)
	case c.Master.Status.Final():
		return nil, domain.Conflict("into", "master case %s is %s and takes no duplicates", c.Into, c.Master.Status)
	}
	return []Payload{Merged{Into: c.Into, Reason: c.Reason}}, nil
}

func decideLinkDuplicate(s *State, c LinkDuplicate) ([]Payload, error) {
	for _, d := range s.Duplicates {
		if d == c.Duplicate {
			return nil, nil // already linked: a retried merge writes nothing new
		}
	}
	return []Payload{DuplicateLinked(c)}, nil
}

func decideMarkDeadline(s *State, c MarkDeadline, env Env) ([]Payload, error) {
	d, ok := s.Deadlines[c.Stage]
	if !ok || !d.Due.Equal(c.Due) {
		return nil, nil // the stage ended or its deadline moved: nothing to say
	}
	if c.Overdue {
		if s.Overdue[d.Key()] || env.Now.Before(d.Due) {
			return nil, nil
		}
		return []Payload{Overdue{Stage: d.Stage, Due: d.Due}}, nil
	}
	if s.Warned[d.Key()] || s.Overdue[d.Key()] || env.Now.Before(d.WarnAt) {
		return nil, nil
	}
	return []Payload{DeadlineWarned{Stage: d.Stage, Due: d.Due}}, nil
}
