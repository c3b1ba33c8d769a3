package worktime

import (
	"testing"
	"time"
)

// BenchmarkAdd30Days measures a deadline of 30 working days (210 h), crossing the Spring
// Festival break and its make-up Saturdays in Wuhan, or a clock change in New York.
func BenchmarkAdd30Days(b *testing.B) {
	for _, tc := range []struct{ name, city, start string }{
		{"wuhan", "wuhan", "2026-02-02 09:00"},
		{"nyc", "nyc", "2026-02-23 09:00"},
		{"wuhan-2030", "wuhan", "2030-02-04 09:00"}, // unlisted year: whole weeks are skipped
	} {
		c := load(b, tc.city)
		start := at(c, tc.start)
		d := 30 * c.DayLength()
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var end time.Time
			for b.Loop() {
				end = c.Add(start, d)
			}
			if c.Between(start, end) != d {
				b.Fatal("Add and Between disagree")
			}
		})
	}
}

func BenchmarkBetween30Days(b *testing.B) {
	c := load(b, "wuhan")
	start := at(c, "2026-02-02 09:00")
	end := c.Add(start, 30*c.DayLength())
	b.ReportAllocs()
	for b.Loop() {
		c.Between(start, end)
	}
}
