package indicators

import "time"

// span is a window (from, to]: events after from and at or before to.
type span struct{ from, to time.Time }

// windowAt is window w ending at t, in the city's time zone.
func windowAt(w string, t time.Time, loc *time.Location) span {
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	before := func(s time.Time) time.Time { return s.Add(-time.Nanosecond) }
	switch w {
	case "today":
		return span{before(midnight), t}
	case "24h":
		return span{t.Add(-24 * time.Hour), t}
	case "7d":
		return span{before(midnight.AddDate(0, 0, -6)), t}
	case "30d":
		return span{before(midnight.AddDate(0, 0, -29)), t}
	case "mtd":
		return span{before(time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)), t}
	}
	panic("indicators: unknown window " + w) // windows are validated with the catalog
}

// previousEnd is where the previous period of window w ends (环比): yesterday at this time for
// today and 24 h, a week or 30 days earlier, the same day of last month.
func previousEnd(w string, t time.Time) time.Time {
	switch w {
	case "7d":
		return t.AddDate(0, 0, -7)
	case "30d":
		return t.AddDate(0, 0, -30)
	case "mtd":
		return t.AddDate(0, -1, 0)
	}
	return t.Add(-24 * time.Hour)
}

// yearEarlier is where the same window a year earlier ends (同比).
func yearEarlier(t time.Time) time.Time { return t.AddDate(-1, 0, 0) }
