// Package worktime counts the time limits of cases (SLA deadlines) in working time: working hours
// on working days, skipping weekends and public holidays and counting make-up workdays (调休),
// or around the clock for emergencies.
//
// Calendars come from data files (geo/cities/<city>/calendar.yaml) that a city edits when its
// government announces the next year's holidays; see Parse for the format. Nothing here reads
// the wall clock: every function is given the instants it works on.
package worktime

import "time"

// Schedule is how elapsed time is counted for a deadline.
type Schedule interface {
	// Add returns the instant at which d of counted time has elapsed after start: the earliest
	// t >= start with Between(start, t) == d. A start outside counted time therefore first moves
	// to the next counted instant; Add(start, 0) is start itself. A negative d counts as 0.
	Add(start time.Time, d time.Duration) time.Time
	// AddDays returns the instant n counted days after start (for a working calendar: the same
	// time of day n working days later, where a start outside working hours first moves to the
	// next working instant; for 24x7: start.AddDate(0, 0, n)).
	AddDays(start time.Time, n int) time.Time
	// Between returns counted time in [a, b); 0 if b <= a.
	Between(a, b time.Time) time.Duration
	// DayLength is the counted time of one full day (e.g. 7h for 08:30-12:00,14:00-17:30; 24h
	// for 24x7).
	DayLength() time.Duration
}

// Continuous is the 24x7 schedule of emergencies: every instant counts. Add is start.Add(d),
// AddDays is start.AddDate(0, 0, n), Between is b.Sub(a) and DayLength is 24h.
var Continuous Schedule = continuous{}

type continuous struct{}

func (continuous) Add(start time.Time, d time.Duration) time.Time {
	if d < 0 {
		d = 0 // same contract as a calendar: Add never goes back
	}
	return start.Add(d)
}

func (continuous) AddDays(start time.Time, n int) time.Time { return start.AddDate(0, 0, n) }

func (continuous) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	return b.Sub(a)
}

func (continuous) DayLength() time.Duration { return 24 * time.Hour }
