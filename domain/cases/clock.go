package cases

import (
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/worktime"
)

// schedule is how a case's time is counted: 24x7 for emergency classes and critical urgency,
// working time on the city's calendar otherwise.
func (env Env) schedule(category string, urgency catalog.Urgency) (worktime.Schedule, catalog.UrgencyPolicy, catalog.Category, error) {
	cat, ok := env.Catalog.Category(category)
	if !ok {
		return nil, catalog.UrgencyPolicy{}, cat, domain.Invalid("category", "%q is not in the category catalog", category)
	}
	pol, ok := env.Catalog.Urgency(urgency)
	if !ok {
		return nil, pol, cat, domain.Invalid("urgency", "%q is not an urgency (normal, urgent, critical)", urgency)
	}
	if cat.Continuous || pol.Continuous {
		return worktime.Continuous, pol, cat, nil
	}
	return env.Calendar, pol, cat, nil
}

// deadline is the time limit of stage for a case of category and urgency, counted from from.
// Limits in the catalog are working time; an urgency factor shortens them and critical cases
// count them around the clock.
func (env Env) deadline(stage catalog.Stage, category string, urgency catalog.Urgency, from time.Time) (Deadline, error) {
	sched, pol, cat, err := env.schedule(category, urgency)
	if err != nil {
		return Deadline{}, err
	}
	limit, ok := cat.Limits[stage]
	if !ok || limit.IsZero() {
		return Deadline{}, nil // the stage has no limit for this category
	}
	return env.deadlineAfter(stage, sched, limit, pol.Factor, from), nil
}

// deadlineAfter adds limit (scaled by factor) to from on sched.
func (env Env) deadlineAfter(stage catalog.Stage, sched worktime.Schedule, limit catalog.Limit, factor float64, from time.Time) Deadline {
	var due time.Time
	if factor == 1 && sched != worktime.Continuous {
		// Whole working days keep their time of day: "3d" from Monday 10:00 is Thursday 10:00.
		due = sched.Add(sched.AddDays(from, limit.Days), limit.Time)
	} else {
		total := time.Duration(limit.Days)*env.Calendar.DayLength() + limit.Time
		due = sched.Add(from, time.Duration(float64(total)*factor))
	}
	return env.withWarning(stage, sched, from, due)
}

// withWarning sets the warning point at the catalog's fraction of the counted time from..due.
func (env Env) withWarning(stage catalog.Stage, sched worktime.Schedule, from, due time.Time) Deadline {
	due = due.UTC().Round(0)
	warn := due
	if span := sched.Between(from, due); span > 0 {
		warn = sched.Add(from, time.Duration(float64(span)*env.Catalog.WarnFraction())).UTC().Round(0)
	}
	return Deadline{Stage: stage, Due: due, WarnAt: warn}
}

// parseExtra reads a requested time ("2d", "4h") for field.
func parseExtra(field, s string) (catalog.Limit, error) {
	l, err := catalog.ParseLimit(s)
	if err != nil {
		return l, domain.Invalid(field, "%q is not a time limit like 4h, 90m or 2d", s)
	}
	if l.IsZero() {
		return l, domain.Invalid(field, "must be more than zero")
	}
	if l.Days > 60 {
		return l, domain.Invalid(field, "%s is longer than 60 days", l)
	}
	return l, nil
}

// The stages whose time limits the catalog sets, by name.
const (
	StageVerify   catalog.Stage = "verify"   // report → registered (核实立案)
	StageDispatch catalog.Stage = "dispatch" // registered → dispatched (派遣)
	StageAccept   catalog.Stage = "accept"   // dispatched → accepted (签收)
	StageHandle   catalog.Stage = "handle"   // dispatched → handled (处置)
	StageInspect  catalog.Stage = "inspect"  // handled → inspected (核查)
	StageRevisit  catalog.Stage = "revisit"  // closed → revisited (回访)
)
