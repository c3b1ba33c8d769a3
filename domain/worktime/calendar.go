package worktime

import (
	"slices"
	"time"
)

// Calendar is a working calendar: working periods of the day on regular weekdays, minus public
// holidays, plus make-up workdays. It implements Schedule. A Calendar is immutable once parsed
// and safe for concurrent use.
type Calendar struct {
	name    string
	loc     *time.Location
	week    [7]bool  // regular workdays, by time.Weekday
	perWeek int64    // number of regular workdays in a week
	periods []period // working periods of a workday, sorted and disjoint
	dayLen  time.Duration
	// special holds the listed dates, by day number (days since 1970-01-01): false for a
	// holiday, true for a make-up workday. first and last bound its keys, so that days outside
	// the listed years skip the map.
	special     map[int64]bool
	first, last int64
	years       []int // sorted
}

// period is a working period of a day, in seconds after local midnight: [start, end).
type period struct{ start, end int64 }

// Name returns the calendar's name, as given in its file.
func (c *Calendar) Name() string { return c.name }

// Location returns the time zone whose wall clock the calendar's hours and dates are read in.
func (c *Calendar) Location() *time.Location { return c.loc }

// Years returns, ascending, the years whose official holidays the calendar lists.
func (c *Calendar) Years() []int { return slices.Clone(c.years) }

// Covers reports whether the calendar lists that year's official holidays. For other years
// only the weekday rule applies, which a caller may want to flag (e.g. "2027 not published").
func (c *Calendar) Covers(year int) bool {
	_, ok := slices.BinarySearch(c.years, year)
	return ok
}

// DayLength returns the working time of one full workday, the sum of its periods as read on
// the wall clock (a day with a clock change inside a period counts its real length instead).
func (c *Calendar) DayLength() time.Duration { return c.dayLen }

// IsWorkday reports whether the date of date, read in the calendar's zone, is a working day.
func (c *Calendar) IsWorkday(date time.Time) bool {
	y, m, d := date.In(c.loc).Date()
	return c.workday(dayNumber(y, m, d))
}

// IsWorking reports whether t is inside working hours on a working day. It agrees with Between:
// t is working exactly when Between(t, t+1ns) > 0.
func (c *Calendar) IsWorking(t time.Time) bool {
	return c.Between(t, t.Add(time.Nanosecond)) > 0
}

// workday reports whether day number n is a working day: a listed date decides, otherwise the
// weekday rule.
func (c *Calendar) workday(n int64) bool {
	if n >= c.first && n <= c.last {
		if w, ok := c.special[n]; ok {
			return w
		}
	}
	return c.week[weekday(n)]
}

// weekday returns the weekday of day number n (1970-01-01 was a Thursday).
func weekday(n int64) time.Weekday {
	return time.Weekday(((n % 7) + 7 + 4) % 7)
}

// dayNumber returns the days from 1970-01-01 to the given civil date.
func dayNumber(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), day)
}
