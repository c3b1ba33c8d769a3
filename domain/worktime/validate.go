package worktime

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Bounds on what a calendar file may claim. Listed years far from now are typos, and holiday
// ranges are days or weeks long; the range bound also caps the memory a file can ask for.
const (
	minYear, maxYear = 1900, 2999
	maxRangeDays     = 366
)

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// calendar validates the decoded file and builds the Calendar, naming the first bad field.
func (f *file) calendar() (*Calendar, error) {
	c := &Calendar{name: strings.TrimSpace(f.Name), special: map[int64]bool{}, first: math.MaxInt64, last: math.MinInt64}
	if c.name == "" {
		return nil, domain.Invalid("name", "must not be empty")
	}
	var err error
	if c.loc, err = location(f.Timezone); err != nil {
		return nil, err
	}
	if err = c.setWeekdays(f.Weekdays); err != nil {
		return nil, err
	}
	if err = c.setHours(f.Hours); err != nil {
		return nil, err
	}
	if err = c.setYears(f.Years); err != nil {
		return nil, err
	}
	off, err := c.addHolidays(f.Holidays)
	if err != nil {
		return nil, err
	}
	if err = c.addWorkdays(f.Workdays, off); err != nil {
		return nil, err
	}
	if len(c.years) > 0 && strings.TrimSpace(f.Source) == "" {
		return nil, domain.Invalid("source", "must say where the listed holidays come from")
	}
	for n := range c.special {
		c.first, c.last = min(c.first, n), max(c.last, n)
	}
	return c, nil
}

func location(name string) (*time.Location, error) {
	switch name {
	case "":
		return nil, domain.Invalid("timezone", "must name an IANA time zone, e.g. Asia/Shanghai")
	case "Local":
		return nil, domain.Invalid("timezone", "Local depends on the host; name the zone, e.g. Asia/Shanghai")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, domain.Invalid("timezone", "unknown time zone %q", name)
	}
	return loc, nil
}

func (c *Calendar) setWeekdays(names []string) error {
	if len(names) == 0 {
		return domain.Invalid("weekdays", "must list at least one regular workday, e.g. [mon, tue, wed, thu, fri]")
	}
	for i, s := range names {
		d, ok := dayNames[strings.ToLower(strings.TrimSpace(s))]
		if !ok {
			return domain.Invalid(fmt.Sprintf("weekdays[%d]", i), "unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", s)
		}
		if c.week[d] {
			return domain.Invalid(fmt.Sprintf("weekdays[%d]", i), "%s is listed twice", s)
		}
		c.week[d] = true
		c.perWeek++
	}
	return nil
}

func (c *Calendar) setHours(hours []string) error {
	if len(hours) == 0 {
		return domain.Invalid("hours", "must list at least one working period, e.g. \"08:30-12:00\"")
	}
	for i, s := range hours {
		at := fmt.Sprintf("hours[%d]", i)
		a, b, ok := strings.Cut(s, "-")
		start, ok1 := clockTime(strings.TrimSpace(a))
		end, ok2 := clockTime(strings.TrimSpace(b))
		switch {
		case !ok || !ok1 || !ok2:
			return domain.Invalid(at, "%q is not a period HH:MM-HH:MM, e.g. \"08:30-12:00\"", s)
		case end <= start:
			return domain.Invalid(at, "%q does not end after it starts", s)
		case i > 0 && start < c.periods[i-1].end:
			return domain.Invalid(at, "%q starts before hours[%d] ends: periods must be in order and not overlap", s, i-1)
		}
		c.periods = append(c.periods, period{start, end})
		c.dayLen += time.Duration(end-start) * time.Second
	}
	return nil
}

// clockTime parses HH:MM (00:00 to 24:00) into seconds after midnight.
func clockTime(s string) (int64, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int64(s[0]-'0')*10 + int64(s[1]-'0')
	m := int64(s[3]-'0')*10 + int64(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*3600 + m*60, true
}

func (c *Calendar) setYears(years []int) error {
	for i, y := range years {
		at := fmt.Sprintf("years[%d]", i)
		if y < minYear || y > maxYear {
			return domain.Invalid(at, "year %d is outside %d-%d", y, minYear, maxYear)
		}
		if slices.Contains(years[:i], y) {
			return domain.Invalid(at, "year %d is listed twice", y)
		}
	}
	c.years = slices.Sorted(slices.Values(years))
	return nil
}

// date parses a listed date (YYYY-MM-DD) into its day number; its year must be listed.
func (c *Calendar) date(field, s string) (int64, error) {
	if s == "" {
		return 0, domain.Invalid(field, "missing")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, domain.Invalid(field, "%q is not a date YYYY-MM-DD", s)
	}
	if !c.Covers(t.Year()) {
		return 0, domain.Invalid(field, "%s is in %d, which is not listed in years", s, t.Year())
	}
	return dayNumber(t.Date()), nil
}

// addHolidays marks the holidays off and returns, by day number, which entry made each day off.
func (c *Calendar) addHolidays(hs []holiday) (map[int64]string, error) {
	off := map[int64]string{}
	for i, h := range hs {
		at := fmt.Sprintf("holidays[%d]", i)
		if strings.TrimSpace(h.Name) == "" {
			return nil, domain.Invalid(at+".name", "must not be empty")
		}
		var from, to int64
		var err error
		switch {
		case h.Date != "" && (h.From != "" || h.To != ""):
			return nil, domain.Invalid(at+".date", "give either date or from and to, not both")
		case h.Date != "":
			from, err = c.date(at+".date", h.Date)
			to = from
		default:
			if from, err = c.date(at+".from", h.From); err == nil {
				to, err = c.date(at+".to", h.To)
			}
		}
		if err != nil {
			return nil, err
		}
		if to < from {
			return nil, domain.Invalid(at+".to", "%s is before from %s", h.To, h.From)
		}
		if to-from >= maxRangeDays {
			return nil, domain.Invalid(at+".to", "range of %d days; a holiday range is at most %d", to-from+1, maxRangeDays)
		}
		for n := from; n <= to; n++ {
			c.special[n] = false
			off[n] = at
		}
	}
	return off, nil
}

func (c *Calendar) addWorkdays(ws []makeup, off map[int64]string) error {
	for i, w := range ws {
		at := fmt.Sprintf("workdays[%d]", i)
		if strings.TrimSpace(w.Name) == "" {
			return domain.Invalid(at+".name", "must not be empty")
		}
		n, err := c.date(at+".date", w.Date)
		if err != nil {
			return err
		}
		if h, clash := off[n]; clash {
			return domain.Invalid(at+".date", "%s is also a holiday (%s)", w.Date, h)
		}
		if c.week[weekday(n)] {
			return domain.Invalid(at+".date", "%s is a %s, already a regular workday", w.Date, weekday(n))
		}
		c.special[n] = true
	}
	return nil
}
