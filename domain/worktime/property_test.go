package worktime

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// calendars returns the shipped calendars and two synthetic ones whose periods contain clock
// changes, so that the properties are checked on 23 h and 25 h days too.
func calendars(t *testing.T) map[string]*Calendar {
	return map[string]*Calendar{
		"wuhan":  load(t, "wuhan"),
		"nyc":    load(t, "nyc"),
		"allday": mustParse(t, everyDay("America/New_York", `"00:00-24:00"`)),
		"night":  mustParse(t, everyDay("America/New_York", `"00:30-01:30"`, `"01:30-03:00"`, `"22:00-24:00"`)),
	}
}

// instant draws an instant from mid-2024 to 2045: the listed years, the unlisted years after
// them (where whole weeks are skipped), and clock changes both from the tables and, after
// 2037, from the zone's rule.
func instant(t *rapid.T, label string) time.Time {
	lo, hi := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2045, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	sec := rapid.Int64Range(lo, hi).Draw(t, label)
	if rapid.Bool().Draw(t, label+" on a minute") {
		return time.Unix(sec-sec%60, 0) // period boundaries are whole minutes
	}
	return time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, label+" ns"))
}

func duration(t *rapid.T, label string) time.Duration {
	if rapid.Bool().Draw(t, label+" long") {
		return time.Duration(rapid.Int64Range(0, int64(3000*time.Hour)).Draw(t, label))
	}
	return time.Duration(rapid.Int64Range(0, 20).Draw(t, label+" quarters")) * 15 * time.Minute
}

// The contract of Add: for any start, Add(start, d) is the earliest t >= start with
// Between(start, t) == d.
func TestAddIsTheInverseOfBetween(t *testing.T) {
	for name, c := range calendars(t) {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				start, d := instant(t, "start"), duration(t, "d")
				end := c.Add(start, d)
				if end.Before(start) {
					t.Fatalf("Add(%v, %v) = %v, before start", start, d, end)
				}
				if got := c.Between(start, end); got != d {
					t.Fatalf("Between(%v, Add(.., %v) = %v) = %v", start, d, end, got)
				}
				if d > 0 {
					if got := c.Between(start, end.Add(-time.Nanosecond)); got != d-time.Nanosecond {
						t.Fatalf("Add(%v, %v) = %v is not the earliest: a ns before counts %v", start, d, end, got)
					}
					if !c.IsWorking(end.Add(-time.Nanosecond)) {
						t.Fatalf("the last counted nanosecond before %v is not working", end)
					}
				}
			})
		})
	}
}

func TestAddIsMonotonicAndAdditive(t *testing.T) {
	for name, c := range calendars(t) {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				start, d1, d2 := instant(t, "start"), duration(t, "d1"), duration(t, "d2")
				a, b := c.Add(start, d1), c.Add(start, d1+d2)
				if b.Before(a) {
					t.Fatalf("Add(%v, %v) = %v is before Add(.., %v) = %v", start, d1+d2, b, d1, a)
				}
				if got := c.Add(a, d2); !got.Equal(b) {
					t.Fatalf("Add(Add(%v, %v), %v) = %v, want %v", start, d1, d2, got, b)
				}
			})
		})
	}
}

// Between agrees with a naive count that builds every period with time.Date, day by day
// (right for calendars whose periods avoid the hour a clock change skips).
func TestBetweenMatchesNaiveCount(t *testing.T) {
	for _, name := range []string{"wuhan", "nyc", "allday"} {
		c := calendars(t)[name]
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				a := instant(t, "a")
				b := a.Add(time.Duration(rapid.Int64Range(0, int64(400*24*time.Hour)).Draw(t, "span")))
				if got, want := c.Between(a, b), naiveBetween(c, a, b); got != want {
					t.Fatalf("Between(%v, %v) = %v, naive count %v", a, b, got, want)
				}
			})
		})
	}
}

func naiveBetween(c *Calendar, a, b time.Time) time.Duration {
	var sum time.Duration
	y, m, d := a.In(c.Location()).Date()
	for day := time.Date(y, m, d-1, 12, 0, 0, 0, c.Location()); day.Before(b.Add(48 * time.Hour)); day = day.AddDate(0, 0, 1) {
		if !c.IsWorkday(day) {
			continue
		}
		y, m, d := day.Date()
		for _, p := range c.periods {
			s := time.Date(y, m, d, 0, 0, int(p.start), 0, c.Location())
			e := time.Date(y, m, d, 0, 0, int(p.end), 0, c.Location())
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				sum += e.Sub(s)
			}
		}
	}
	return sum
}

// AddDays keeps the time of day of the first working instant and lands on a working instant
// exactly n full days of working time later.
func TestAddDaysCountsWholeDays(t *testing.T) {
	for _, name := range []string{"wuhan", "nyc"} {
		c := calendars(t)[name]
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				start, n := instant(t, "start"), rapid.IntRange(0, 400).Draw(t, "n")
				first, got := c.AddDays(start, 0), c.AddDays(start, n)
				if !c.IsWorking(first) || c.Between(start, first) != 0 || !first.Equal(c.Add(start, time.Nanosecond).Add(-time.Nanosecond)) {
					t.Fatalf("AddDays(%v, 0) = %v is not the next working instant", start, first)
				}
				if !c.IsWorking(got) {
					t.Fatalf("AddDays(%v, %d) = %v is not working", start, n, got)
				}
				if between := c.Between(first, got); between != time.Duration(n)*c.DayLength() {
					t.Fatalf("AddDays(%v, %d) = %v: %v of working time, want %d days", start, n, got, between, n)
				}
				if h, m, _ := got.In(c.Location()).Clock(); h*60+m != clockMinutes(first.In(c.Location())) {
					t.Fatalf("AddDays(%v, %d) = %v changed the time of day from %v", start, n, got, first)
				}
			})
		})
	}
}

func clockMinutes(t time.Time) int { h, m, _ := t.Clock(); return h*60 + m }

func TestContinuousIsPlainTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, d := instant(t, "a"), duration(t, "d")
		n := rapid.IntRange(-400, 400).Draw(t, "n")
		if !Continuous.Add(a, d).Equal(a.Add(d)) || Continuous.Between(a, a.Add(d)) != d ||
			!Continuous.AddDays(a, n).Equal(a.AddDate(0, 0, n)) || Continuous.Between(a.Add(d), a) != 0 && d > 0 {
			t.Fatalf("Continuous differs from plain time at %v, %v, %d", a, d, n)
		}
	})
}
