package worktime

import (
	"os"
	"testing"
	"time"
)

// The shipped calendars, read where a city keeps them.
func load(t testing.TB, city string) *Calendar {
	t.Helper()
	data, err := os.ReadFile("../../geo/cities/" + city + "/calendar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", city, err)
	}
	return c
}

func date(c *Calendar, s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, c.Location())
	if err != nil {
		panic(err)
	}
	return t
}

func TestShippedCalendars(t *testing.T) {
	wuhan, nyc := load(t, "wuhan"), load(t, "nyc")
	for _, c := range []*Calendar{wuhan, nyc} {
		if !c.Covers(2025) || !c.Covers(2026) || c.Covers(2027) {
			t.Errorf("%s: years %v, want 2025 and 2026", c.Name(), c.Years())
		}
	}
	if wuhan.Location().String() != "Asia/Shanghai" || wuhan.DayLength() != 7*time.Hour {
		t.Errorf("wuhan: %v, %v", wuhan.Location(), wuhan.DayLength())
	}
	if nyc.Location().String() != "America/New_York" || nyc.DayLength() != 8*time.Hour {
		t.Errorf("nyc: %v, %v", nyc.Location(), nyc.DayLength())
	}
	for _, tc := range []struct {
		c    *Calendar
		date string
		want bool
	}{
		{wuhan, "2026-02-14", true},  // Saturday, make-up workday for 春节
		{wuhan, "2026-02-16", false}, // Monday inside 春节
		{wuhan, "2026-02-13", true},  // Friday before the break
		{wuhan, "2026-02-24", true},  // first day back
		{wuhan, "2026-02-28", true},  // Saturday, make-up workday
		{wuhan, "2026-02-21", false}, // Saturday inside the break
		{wuhan, "2026-01-04", true},  // Sunday, 元旦调休
		{wuhan, "2026-10-08", true},  // Thursday after 国庆
		{wuhan, "2026-10-07", false},
		{wuhan, "2025-02-08", true},
		{wuhan, "2025-10-08", false},
		{wuhan, "2027-02-08", true}, // 2027 not listed yet: weekday rule
		{nyc, "2026-07-03", false},  // Independence Day observed
		{nyc, "2026-07-06", true},
		{nyc, "2026-11-03", false}, // Election Day
		{nyc, "2026-02-12", true},  // Lincoln's Birthday: City offices open
		{nyc, "2026-02-16", false}, // Presidents' Day
		{nyc, "2026-03-07", false}, // Saturday
	} {
		if got := tc.c.IsWorkday(date(tc.c, tc.date)); got != tc.want {
			t.Errorf("%s IsWorkday(%s) = %v, want %v", tc.c.Name(), tc.date, got, tc.want)
		}
	}
	// IsWorkday reads the date in the calendar's zone: 2026-02-13 20:00 UTC is already the
	// 14th (a make-up Saturday) in Wuhan.
	if !wuhan.IsWorkday(time.Date(2026, 2, 13, 20, 0, 0, 0, time.UTC)) ||
		wuhan.IsWorkday(time.Date(2026, 2, 15, 20, 0, 0, 0, time.UTC)) {
		t.Error("IsWorkday does not use the calendar's zone")
	}
}
