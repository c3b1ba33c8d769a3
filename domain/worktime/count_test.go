package worktime

import (
	"testing"
	"time"
)

// at reads "2006-01-02 15:04" on the calendar's wall clock.
func at(c *Calendar, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, c.Location())
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddWuhan2026(t *testing.T) {
	c := load(t, "wuhan")
	h := time.Hour
	for _, tc := range []struct {
		why, start string
		d          time.Duration
		want       string
	}{
		{"within a morning", "2026-02-10 09:00", 2 * h, "2026-02-10 11:00"},
		{"across the lunch break", "2026-02-10 11:00", 2 * h, "2026-02-10 15:00"},
		{"uses up a period: due at its end, not after lunch", "2026-02-10 08:30", 3*h + 30*time.Minute, "2026-02-10 12:00"},
		{"before hours", "2026-02-10 07:00", h, "2026-02-10 09:30"},
		{"in the lunch break", "2026-02-10 12:30", 30 * time.Minute, "2026-02-10 14:30"},
		{"after hours", "2026-02-10 18:00", h, "2026-02-11 09:30"},
		{"regular Saturday", "2026-02-07 10:00", h, "2026-02-09 09:30"},
		{"into the make-up Saturday before 春节", "2026-02-13 16:00", 7 * h, "2026-02-14 16:00"},
		{"across the whole 春节 break", "2026-02-14 16:00", 3 * h, "2026-02-24 10:00"},
		{"starting on a holiday", "2026-02-16 10:00", h, "2026-02-24 09:30"},
		{"three full days around the break", "2026-02-13 08:30", 21 * h, "2026-02-24 17:30"},
		{"to the make-up Saturday after the break", "2026-02-27 17:00", h, "2026-02-28 09:00"},
		{"zero is start, even off hours", "2026-02-16 10:00", 0, "2026-02-16 10:00"},
		{"negative counts as zero", "2026-02-10 10:00", -h, "2026-02-10 10:00"},
		{"across 元旦 into its make-up Sunday", "2025-12-31 17:00", h, "2026-01-04 09:00"},
		{"across 国庆 to the day after", "2026-09-30 17:00", 8 * h, "2026-10-09 09:00"},
		{"to the make-up Saturday after 国庆", "2026-10-09 17:00", h, "2026-10-10 09:00"},
		{"an unlisted year: weekdays only", "2027-02-05 17:00", h, "2027-02-08 09:00"},
	} {
		got := c.Add(at(c, tc.start), tc.d)
		if want := at(c, tc.want); !got.Equal(want) {
			t.Errorf("%s: Add(%s, %v) = %v, want %v", tc.why, tc.start, tc.d, got, want)
		}
	}
}

func TestAddDaysWuhan2026(t *testing.T) {
	c := load(t, "wuhan")
	for _, tc := range []struct {
		why, start string
		n          int
		want       string
	}{
		{"next day", "2026-02-12 10:00", 1, "2026-02-13 10:00"},
		{"onto the make-up Saturday", "2026-02-12 10:00", 2, "2026-02-14 10:00"},
		{"over the break", "2026-02-12 10:00", 3, "2026-02-24 10:00"},
		{"after hours moves to the next morning first", "2026-02-13 18:00", 1, "2026-02-24 08:30"},
		{"lunch moves to 14:00 first", "2026-02-13 12:30", 1, "2026-02-14 14:00"},
		{"zero from a holiday is the next working instant", "2026-02-16 10:00", 0, "2026-02-24 08:30"},
		{"ten days ending on the make-up Saturday", "2026-02-09 09:00", 10, "2026-02-28 09:00"},
		{"thirty days", "2026-02-02 09:00", 30, "2026-03-20 09:00"},
		{"weeks past the listed years", "2027-01-04 09:00", 5 * 52, "2028-01-03 09:00"},
	} {
		got := c.AddDays(at(c, tc.start), tc.n)
		if want := at(c, tc.want); !got.Equal(want) {
			t.Errorf("%s: AddDays(%s, %d) = %v, want %v", tc.why, tc.start, tc.n, got, want)
		}
	}
}

func TestBetweenWuhan2026(t *testing.T) {
	c := load(t, "wuhan")
	h := time.Hour
	for _, tc := range []struct {
		a, b string
		want time.Duration
	}{
		{"2026-02-13 08:30", "2026-02-24 17:30", 21 * h},
		{"2026-02-10 11:00", "2026-02-10 15:00", 2 * h},
		{"2026-02-15 00:00", "2026-02-24 00:00", 0},
		{"2026-02-24 00:00", "2026-02-15 00:00", 0},
		{"2026-02-10 12:10", "2026-02-10 13:50", 0},
		// February 2026: 20 weekdays, 6 of them in 春节, plus the two make-up Saturdays.
		{"2026-02-01 00:00", "2026-03-01 00:00", 16 * 7 * h},
		// 2027 is not listed: 52 weeks of five days from Monday 4 January.
		{"2027-01-04 00:00", "2028-01-03 00:00", 52 * 5 * 7 * h},
	} {
		if got := c.Between(at(c, tc.a), at(c, tc.b)); got != tc.want {
			t.Errorf("Between(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestIsWorking(t *testing.T) {
	c := load(t, "wuhan")
	for s, want := range map[string]bool{
		"2026-02-10 08:29": false, "2026-02-10 08:30": true, "2026-02-10 11:59": true,
		"2026-02-10 12:00": false, "2026-02-10 14:00": true, "2026-02-10 17:30": false,
		"2026-02-14 10:00": true, "2026-02-16 10:00": false, "2026-02-21 10:00": false,
	} {
		if got := c.IsWorking(at(c, s)); got != want {
			t.Errorf("IsWorking(%s) = %v, want %v", s, got, want)
		}
	}
}

// New York's clocks change on Sundays at 02:00, outside 09:00-17:00, but the offset to UTC
// still differs across the weekend: counting must use the wall clock of each date.
func TestNewYorkDST(t *testing.T) {
	c := load(t, "nyc")
	utc := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04", s); return t }
	for _, tc := range []struct {
		why  string
		got  time.Time
		want time.Time
	}{
		{"spring forward", c.Add(at(c, "2026-03-06 16:00"), 2*time.Hour), utc("2026-03-09 14:00")},       // 10:00 EDT
		{"fall back", c.Add(at(c, "2026-10-30 16:00"), 2*time.Hour), utc("2026-11-02 15:00")},            // 10:00 EST
		{"days, spring forward", c.AddDays(at(c, "2026-03-06 10:00"), 1), utc("2026-03-09 14:00")},       // 10:00 EDT
		{"days, fall back", c.AddDays(at(c, "2026-10-30 10:00"), 1), utc("2026-11-02 15:00")},            // 10:00 EST
		{"after hours across DST", c.Add(at(c, "2026-03-06 17:30"), time.Hour), utc("2026-03-09 14:00")}, // 10:00 EDT
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.why, tc.got.UTC(), tc.want)
		}
	}
	if got := c.Between(at(c, "2026-03-06 09:00"), at(c, "2026-03-09 17:00")); got != 16*time.Hour {
		t.Errorf("Between across spring forward = %v, want 16h", got)
	}
	if got := c.Between(at(c, "2026-10-30 09:00"), at(c, "2026-11-02 17:00")); got != 16*time.Hour {
		t.Errorf("Between across fall back = %v, want 16h", got)
	}
	if got := c.Add(at(c, "2026-07-02 16:00"), 2*time.Hour); !got.Equal(at(c, "2026-07-06 10:00")) {
		t.Errorf("Independence Day observed: got %v", got)
	}
	// The result keeps the location of start, as time.Add does.
	if got := c.Add(at(c, "2026-03-06 16:00").UTC(), time.Hour); got.Location() != time.UTC {
		t.Errorf("location %v, want UTC", got.Location())
	}
}

// Periods that contain the change itself last what the clock really did: 23 h and 25 h days.
func TestPeriodsAcrossClockChanges(t *testing.T) {
	allDay := mustParse(t, everyDay("America/New_York", `"00:00-24:00"`))
	night := mustParse(t, everyDay("America/New_York", `"01:00-03:00"`))
	for _, tc := range []struct {
		c    *Calendar
		day  string
		want time.Duration
	}{
		{allDay, "2026-03-08", 23 * time.Hour},
		{allDay, "2026-11-01", 25 * time.Hour},
		{allDay, "2026-03-09", 24 * time.Hour},
		{night, "2026-03-08", time.Hour},     // 01:00-02:00 EST, then it is 03:00 EDT
		{night, "2026-11-01", 3 * time.Hour}, // 01:00 EDT to 03:00 EST
		{night, "2026-03-09", 2 * time.Hour},
		// Past its tables (2037) Go computes New York's changes from the zone's rule, and
		// reports odd zone bounds on the last day of a leap year.
		{allDay, "2040-03-11", 23 * time.Hour},
		{allDay, "2040-11-04", 25 * time.Hour},
		{allDay, "2040-12-31", 24 * time.Hour},
		{night, "2040-11-04", 3 * time.Hour},
	} {
		a := date(tc.c, tc.day)
		if got := tc.c.Between(a, a.AddDate(0, 0, 1)); got != tc.want {
			t.Errorf("%s on %s: %v, want %v", tc.c.hoursString(), tc.day, got, tc.want)
		}
		if got := allDay.Add(a, tc.want); tc.c == allDay && !got.Equal(a.AddDate(0, 0, 1)) {
			t.Errorf("all day on %s: Add = %v, want the next midnight", tc.day, got)
		}
	}
	// 02:00-03:00 does not exist on 8 March: the night period is 01:00-02:00 EST, ending at the
	// change (which the wall clock reads as 03:00 EDT).
	if night.IsWorking(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)) || !night.IsWorking(time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC)) {
		t.Error("night period on spring-forward day")
	}
}

func TestContinuous(t *testing.T) {
	s := time.Date(2026, 3, 7, 22, 0, 0, 0, time.UTC)
	if Continuous.Add(s, 30*time.Hour) != s.Add(30*time.Hour) || Continuous.AddDays(s, 3) != s.AddDate(0, 0, 3) ||
		Continuous.Between(s, s.Add(time.Minute)) != time.Minute || Continuous.Between(s, s.Add(-time.Minute)) != 0 ||
		Continuous.DayLength() != 24*time.Hour || Continuous.Add(s, -time.Hour) != s {
		t.Error("Continuous is not plain time")
	}
}
