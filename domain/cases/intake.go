package cases

import (
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
)

// maxReportAge bounds how far back a report's occurredAt may lie: old enough for a call
// logged late, young enough that a typo in the year is caught.
const maxReportAgeDays = 31

func decideReport(s *State, c Report, env Env) ([]Payload, error) {
	if !c.Source.Valid() {
		return nil, domain.Invalid("source", "%q is not a source (hotline, patrol, video, sensor, open311, higher-level, media, enterprise)", c.Source)
	}
	if c.Urgency == "" {
		c.Urgency = catalog.Urgency("normal")
	}
	if err := checkText("title", c.Title, true, maxShortText); err != nil {
		return nil, err
	}
	if err := checkText("description", c.Description, false, maxLongText); err != nil {
		return nil, err
	}
	if err := c.Location.Validate("location"); err != nil {
		return nil, err
	}
	loc, err := c.Location.normalized("location", env.Locate)
	if err != nil {
		return nil, err
	}
	if err := checkPhotos("photos", c.Photos); err != nil {
		return nil, err
	}
	if err := checkText("externalId", c.ExternalID, false, maxShortText); err != nil {
		return nil, err
	}
	if c.Reporter != nil {
		if err := checkText("reporter.name", c.Reporter.Name, false, maxShortText); err != nil {
			return nil, err
		}
		if err := checkText("reporter.phone", c.Reporter.Phone, false, 40); err != nil {
			return nil, err
		}
	}
	at := env.Now
	if c.OccurredAt != nil {
		if c.OccurredAt.After(env.Now) {
			return nil, domain.Invalid("occurredAt", "%s lies in the future", c.OccurredAt.Format("2006-01-02T15:04:05Z07:00"))
		}
		if env.Now.Sub(*c.OccurredAt).Hours() > 24*maxReportAgeDays {
			return nil, domain.Invalid("occurredAt", "lies more than %d days back", maxReportAgeDays)
		}
		at = *c.OccurredAt
	}
	// The verification clock starts when the city learnt of it, not when the operator typed it.
	due, err := env.deadline(StageVerify, c.Category, c.Urgency, at)
	if err != nil {
		return nil, err
	}
	return []Payload{Reported{CaseID: s.ID, Source: c.Source, Category: c.Category, Urgency: c.Urgency,
		Title: c.Title, Description: c.Description, Location: loc, Reporter: c.Reporter,
		Photos: c.Photos, ExternalID: c.ExternalID, VerifyDue: due}}, nil
}

func decideVerify(c Verify) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	return []Payload{Verified(c)}, nil
}

func decideVoid(c Void) ([]Payload, error) {
	if err := checkText("reason", c.Reason, true, maxLongText); err != nil {
		return nil, err
	}
	return []Payload{Voided(c)}, nil
}

// registration resolves the category, urgency and location a registration files.
func registration(s *State, category string, urgency catalog.Urgency, loc *Location, env Env) (Registered, error) {
	r := Registered{Category: s.Category, Urgency: s.Urgency, Location: s.Location}
	if category != "" {
		r.Category = category
	}
	if urgency != "" {
		r.Urgency = urgency
	}
	if loc != nil {
		if err := loc.Validate("location"); err != nil {
			return r, err
		}
		located, err := loc.normalized("location", env.Locate)
		if err != nil {
			return r, err
		}
		r.Location = located
	}
	if _, _, _, err := env.schedule(r.Category, r.Urgency); err != nil {
		return r, err
	}
	return r, nil
}

func decideRegister(s *State, c Register, env Env) ([]Payload, error) {
	if err := checkText("note", c.Note, false, maxLongText); err != nil {
		return nil, err
	}
	r, err := registration(s, c.Category, c.Urgency, c.Location, env)
	if err != nil {
		return nil, err
	}
	r.Note = c.Note
	if r.DispatchDue, err = env.deadline(StageDispatch, r.Category, r.Urgency, env.Now); err != nil {
		return nil, err
	}
	return []Payload{r}, nil
}

func decideCloseOnSpot(s *State, c CloseOnSpot, env Env) ([]Payload, error) {
	if s.Source != SourcePatrol {
		return nil, domain.Conflict("source", "only a patrol collector closes on the spot; this case came from %s", s.Source)
	}
	p, err := checkHandling(c.Feedback, c.Photos, c.Point)
	if err != nil {
		return nil, err
	}
	r, err := registration(s, "", "", nil, env)
	if err != nil {
		return nil, err
	}
	return []Payload{r,
		Handled{Feedback: c.Feedback, Photos: c.Photos, Point: p, ByReporter: true},
		Closed{How: ClosedOnTheSpot}}, nil
}

func decideDirectAnswer(s *State, c DirectAnswer, env Env) ([]Payload, error) {
	if s.Source != SourceHotline {
		return nil, domain.Conflict("source", "only hotline cases are answered at intake; this case came from %s", s.Source)
	}
	if err := checkText("answer", c.Answer, true, maxLongText); err != nil {
		return nil, err
	}
	closed := Closed{How: ClosedDirectReply}
	if err := env.revisitDue(s, &closed); err != nil {
		return nil, err
	}
	return []Payload{Answered(c), closed}, nil
}

// revisitDue gives a closure the revisit deadline when there is a reporter to call back.
func (env Env) revisitDue(s *State, c *Closed) error {
	if s.Reporter == nil || s.Reporter.Phone == "" {
		return nil
	}
	d, err := env.deadline(StageRevisit, s.Category, s.Urgency, env.Now)
	if err != nil || d.Due.IsZero() {
		return err
	}
	c.RevisitDue = &d
	return nil
}

// checkHandling checks a handler's feedback and returns its position in WGS84.
func checkHandling(feedback string, photos []string, p *Point) (*Point, error) {
	if err := checkText("feedback", feedback, true, maxLongText); err != nil {
		return nil, err
	}
	if err := checkPhotos("photos", photos); err != nil {
		return nil, err
	}
	return p.normalized("point")
}
