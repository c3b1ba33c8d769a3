package worktime

import (
	"errors"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

const valid = `name: test
timezone: Asia/Shanghai
weekdays: [mon, tue, wed, thu, fri]
hours: ["08:30-12:00", "14:00-17:30"]
years: [2026]
holidays:
  - {name: 春节, from: 2026-02-15, to: 2026-02-23}
  - {name: 元旦, date: 2026-01-01}
workdays:
  - {name: 春节调休, date: 2026-02-14}
source: test
`

func TestParseValid(t *testing.T) {
	c := mustParse(t, valid)
	if c.Name() != "test" || c.DayLength() != 7*3600e9 || !c.Covers(2026) || c.Covers(2025) {
		t.Errorf("parsed %+v", c)
	}
	if y := c.Years(); len(y) != 1 || y[0] != 2026 {
		t.Errorf("Years = %v", y)
	}
	// Years returns a copy: the calendar is immutable.
	c.Years()[0] = 1999
	if !c.Covers(2026) {
		t.Error("Years exposes internal state")
	}
	// Touching periods, a period to midnight, and unordered years are fine.
	mustParse(t, strings.Replace(valid, `hours: ["08:30-12:00", "14:00-17:30"]`, `hours: ["08:00-12:00", "12:00-24:00"]`, 1))
	mustParse(t, strings.Replace(valid, "years: [2026]", "years: [2026, 2025]", 1))
}

func TestParseErrors(t *testing.T) {
	set := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("%q not in the valid file", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	for _, tc := range []struct {
		why, yaml, field string
	}{
		{"empty file", "", "file"},
		{"two documents", valid + "---\nname: x\n", "file"},
		{"not a mapping", "[1, 2]", "file"},
		{"syntax error", "name: [unclosed\n", "file"},
		{"unknown top-level field", valid + "colour: red\n", "colour"},
		{"unknown nested field", set("{name: 元旦, date: 2026-01-01}", "{name: 元旦, date: 2026-01-01, days: 1}"), "holidays[1].days"},
		{"wrong type", set("years: [2026]", "years: [2026, soon]"), "years[1]"},
		{"mapping for a string", set("name: test", "name: {a: b}"), "name"},
		{"no name", set("name: test", "name: \" \""), "name"},
		{"no timezone", set("timezone: Asia/Shanghai", "timezone: \"\""), "timezone"},
		{"unknown timezone", set("timezone: Asia/Shanghai", "timezone: Asia/Wuhan"), "timezone"},
		{"host-dependent timezone", set("timezone: Asia/Shanghai", "timezone: Local"), "timezone"},
		{"no weekdays", set("weekdays: [mon, tue, wed, thu, fri]", "weekdays: []"), "weekdays"},
		{"bad weekday", set("weekdays: [mon, tue, wed, thu, fri]", "weekdays: [mon, tues]"), "weekdays[1]"},
		{"duplicate weekday", set("weekdays: [mon, tue, wed, thu, fri]", "weekdays: [mon, Mon]"), "weekdays[1]"},
		{"no hours", set(`hours: ["08:30-12:00", "14:00-17:30"]`, "hours: []"), "hours"},
		{"hours missing", set(`hours: ["08:30-12:00", "14:00-17:30"]`, ""), "hours"},
		{"malformed period", set(`"14:00-17:30"`, `"14:00 to 17:30"`), "hours[1]"},
		{"malformed time", set(`"14:00-17:30"`, `"14:00-17:60"`), "hours[1]"},
		{"past midnight", set(`"14:00-17:30"`, `"14:00-24:30"`), "hours[1]"},
		{"empty period", set(`"14:00-17:30"`, `"14:00-14:00"`), "hours[1]"},
		{"end before start", set(`"08:30-12:00"`, `"12:00-08:30"`), "hours[0]"},
		{"overlapping periods", set(`"14:00-17:30"`, `"11:00-17:30"`), "hours[1]"},
		{"unsorted periods", set(`hours: ["08:30-12:00", "14:00-17:30"]`, `hours: ["14:00-17:30", "08:30-12:00"]`), "hours[1]"},
		{"year out of range", set("years: [2026]", "years: [2026, 20260]"), "years[1]"},
		{"duplicate year", set("years: [2026]", "years: [2026, 2026]"), "years[1]"},
		{"bad date", set("date: 2026-01-01", "date: 2026-1-1"), "holidays[1].date"},
		{"impossible date", set("date: 2026-01-01", "date: 2026-02-30"), "holidays[1].date"},
		{"bad from", set("from: 2026-02-15", "from: Feb 15"), "holidays[0].from"},
		{"to missing", set(", to: 2026-02-23", ""), "holidays[0].to"},
		{"to before from", set("to: 2026-02-23", "to: 2026-02-13"), "holidays[0].to"},
		{"range too long", strings.Replace(set("years: [2026]", "years: [2026, 2027]"), "to: 2026-02-23", "to: 2027-02-23", 1), "holidays[0].to"},
		{"both date and range", set("{name: 元旦, date: 2026-01-01}", "{name: 元旦, date: 2026-01-01, from: 2026-01-01, to: 2026-01-02}"), "holidays[1].date"},
		{"holiday outside years", set("date: 2026-01-01", "date: 2027-01-01"), "holidays[1].date"},
		{"range ends outside years", set("to: 2026-02-23", "to: 2027-01-02"), "holidays[0].to"},
		{"holiday without name", set("{name: 元旦, date", "{date"), "holidays[1].name"},
		{"make-up day outside years", set("date: 2026-02-14", "date: 2025-02-08"), "workdays[0].date"},
		{"make-up day that is a holiday", set("date: 2026-02-14", "date: 2026-02-15"), "workdays[0].date"},
		{"make-up day already a workday", set("date: 2026-02-14", "date: 2026-02-13"), "workdays[0].date"},
		{"make-up day without date", set("{name: 春节调休, date: 2026-02-14}", "{name: 春节调休}"), "workdays[0].date"},
		{"no source for listed years", set("source: test", ""), "source"},
	} {
		_, err := Parse([]byte(tc.yaml))
		var e *domain.Error
		if !errors.As(err, &e) || !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: err = %v, want an invalid domain error", tc.why, err)
			continue
		}
		if e.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.why, e.Field, tc.field, err)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse([]byte(valid + "# " + strings.Repeat("x", maxFileBytes) + "\n"))
	if domain.CodeOf(err) != domain.CodeTooLarge {
		t.Errorf("err = %v, want too_large", err)
	}
}
