package worktime

import (
	"math"
	"time"
)

// Working time is counted only from dawn (0001-01-01) up to horizon (10000-01-01), as day
// numbers. No deadline lies outside, and the bounds keep every loop finite and every day
// number far from overflow, whatever a calendar file or a caller asks for.
var (
	dawn    = dayNumber(1, time.January, 1)
	horizon = dayNumber(10000, time.January, 1)
)

// atHorizon is what Add and AddDays return for a deadline past the horizon: its first instant,
// or start if that is later.
func (c *Calendar) atHorizon(k *clock, start time.Time) time.Time {
	t := time.Unix(k.instant(horizon*day), 0)
	if t.Before(start) {
		t = start
	}
	return t.In(start.Location())
}

// Add returns the earliest instant t >= start with Between(start, t) == d: the deadline d of
// working time after start. A start outside working hours therefore first moves to the next
// working instant, and a deadline that uses up a period exactly falls at its end (12:00, not
// 14:00). Add(start, 0) is start; a negative d counts as 0. The result is in start's location.
// Nothing after the year 9999 counts: a deadline beyond it comes back as 10000-01-01 00:00.
// Whole days, and whole weeks after the listed years, are skipped by their length, so the cost
// grows with the number of holidays and clock changes crossed, not with d.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	k := newClock(c.loc)
	cur := start
	_, n := k.wall(start) // earlier days end before start
	for n = max(n, dawn); ; n++ {
		if n >= horizon {
			return c.atHorizon(&k, start)
		}
		if w := c.plainWeeks(&k, n, cur); w > 0 {
			weekLen := time.Duration(c.perWeek) * c.dayLen
			if w = min(w, int64((d-1)/weekLen)); w > 0 {
				d -= time.Duration(w) * weekLen
				n += 7*w - 1
				continue
			}
		}
		if !c.workday(n) {
			continue
		}
		if mid, ok := c.plainDay(&k, n); ok && !time.Unix(mid, 0).Before(cur) && d > c.dayLen {
			d -= c.dayLen
			continue
		}
		for _, p := range c.periods {
			s, e := c.span(&k, n, p)
			if s.Before(cur) {
				s = cur
			}
			if !e.After(s) {
				continue
			}
			seg := e.Sub(s)
			if seg >= d {
				return s.Add(d).In(start.Location())
			}
			d -= seg
			cur = e
		}
	}
}

// AddDays returns the same time of day n working days later. A start outside working hours
// first moves to the next working instant (whose time of day is then kept), so AddDays(start,
// 0), and any n <= 0, returns that instant. The result is in start's location; as with Add,
// nothing after the year 9999 counts.
func (c *Calendar) AddDays(start time.Time, n int) time.Time {
	k := newClock(c.loc)
	t, m := c.next(&k, start)
	if m >= horizon {
		return c.atHorizon(&k, start)
	}
	if n <= 0 {
		return t.In(start.Location())
	}
	w, _ := k.wall(t)
	tod := w - m*day // the time of day, kept on the target day
	for left := min(int64(n), 7*horizon); left > 0 && m < horizon; {
		// Where no listed date lies ahead, every week has the same workdays: jump whole
		// weeks, and still land on a workday.
		if weeks := min((left-1)/c.perWeek, c.unlistedWeeks(m+1)); weeks > 0 {
			m += 7 * weeks
			left -= weeks * c.perWeek
			continue
		}
		m++
		if c.workday(m) {
			left--
		}
	}
	if m >= horizon {
		return c.atHorizon(&k, start)
	}
	return time.Unix(k.instant(m*day+tod), int64(t.Nanosecond())).In(start.Location())
}

// Between returns the working time in [a, b); 0 if b <= a. Nothing after the year 9999 counts,
// and the sum saturates at the largest Duration (some 290 years of working time).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	k := newClock(c.loc)
	var sum time.Duration
	_, n := k.wall(a)
	for n = max(n, dawn); n < horizon; n++ {
		mid, plain := c.plainDay(&k, n)
		if !plain {
			mid = k.instant(n * day)
		}
		if !time.Unix(mid, 0).Before(b) {
			return sum // every later period starts at or after this midnight
		}
		if w := c.plainWeeks(&k, n, a); w > 0 {
			if w = min(w, (b.Unix()-mid)/(7*day)); w > 0 {
				sum = addSat(sum, time.Duration(w*c.perWeek), c.dayLen)
				n += 7*w - 1
				continue
			}
		}
		if !c.workday(n) {
			continue
		}
		if plain && !time.Unix(mid, 0).Before(a) && !time.Unix(mid+day, 0).After(b) {
			sum = addSat(sum, 1, c.dayLen)
			continue
		}
		for _, p := range c.periods {
			s, e := c.span(&k, n, p)
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				sum = addSat(sum, 1, e.Sub(s))
			}
		}
	}
	return sum
}

// next returns the earliest working instant at or after start, and the day it belongs to (the
// horizon if there is none before it).
func (c *Calendar) next(k *clock, start time.Time) (time.Time, int64) {
	_, n := k.wall(start)
	for n = max(n, dawn); n < horizon; n++ {
		if !c.workday(n) {
			continue
		}
		for _, p := range c.periods {
			s, e := c.span(k, n, p)
			if e.After(start) {
				if s.Before(start) {
					return start, n
				}
				return s, n
			}
		}
	}
	return start, horizon
}

// span returns the instants of period p on day n.
func (c *Calendar) span(k *clock, n int64, p period) (s, e time.Time) {
	return time.Unix(k.instant(n*day+p.start), 0), time.Unix(k.instant(n*day+p.end), 0)
}

// plainDay reports whether day n has no clock change (so its periods last what the wall clock
// says), and returns the instant of its midnight.
func (c *Calendar) plainDay(k *clock, n int64) (int64, bool) {
	if !k.linear(n*day, (n+1)*day) {
		return 0, false
	}
	return n*day - k.cur.off, true
}

// unlistedWeeks returns how many whole weeks from day n on hold no listed date (before the
// listed years or after them) and end by the horizon.
func (c *Calendar) unlistedWeeks(n int64) int64 {
	switch {
	case n > c.last:
		return (horizon - n) / 7
	case n < c.first:
		return (c.first - n) / 7
	}
	return 0
}

// plainWeeks returns how many whole weeks from day n on hold no listed date and no clock change
// and start no earlier than from: each of them has perWeek full workdays.
func (c *Calendar) plainWeeks(k *clock, n int64, from time.Time) int64 {
	w := c.unlistedWeeks(n)
	if w == 0 || !k.linear(n*day, n*day) {
		return 0
	}
	mid := n*day - k.cur.off
	if time.Unix(mid, 0).Before(from) {
		return 0
	}
	if k.cur.end != math.MaxInt64 {
		w = min(w, (k.cur.end-1-mid)/(7*day)) // mid + 7w days stays before the next change
	}
	return w
}

// addSat returns sum + n*d, saturating at the largest Duration.
func addSat(sum, n, d time.Duration) time.Duration {
	if d > 0 && n > (math.MaxInt64-sum)/d {
		return math.MaxInt64
	}
	return sum + n*d
}
