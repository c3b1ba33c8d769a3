package worktime

import (
	"os"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must fail only with invalid or
// too_large, and any calendar it accepts must answer Add, AddDays and Between in finite time,
// with Add and Between agreeing.
func FuzzParse(f *testing.F) {
	for _, city := range []string{"wuhan", "nyc"} {
		if data, err := os.ReadFile("../../geo/cities/" + city + "/calendar.yaml"); err == nil {
			f.Add(data, int64(0), uint32(7*3600))
		}
	}
	f.Add([]byte(valid), int64(86400*40), uint32(60))
	f.Add([]byte(everyDay("America/New_York", `"00:00-24:00"`)), int64(86400*66), uint32(100000))
	f.Add([]byte(everyDay("Pacific/Apia", `"00:00-00:01"`)), int64(-86400*5*365), uint32(3600))
	f.Add([]byte("name: x\ntimezone: UTC\nweekdays: [sun]\nhours: [\"23:59-24:00\"]\n"), int64(0), uint32(1<<20))
	f.Add([]byte("name: [\n"), int64(0), uint32(0))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, offset int64, seconds uint32) {
		c, err := Parse(data)
		if err != nil {
			if code := domain.CodeOf(err); code != domain.CodeInvalid && code != domain.CodeTooLarge {
				t.Fatalf("code %s: %v", code, err)
			}
			return
		}
		// Starts within about ±30 years, and up to ~1200 h of working time.
		start := base.Add(time.Duration(offset%(1e9)) * time.Second)
		d := time.Duration(seconds%(1<<22)) * time.Second
		end := c.Add(start, d)
		if got := c.Between(start, end); got != d {
			t.Fatalf("Between(%v, Add(.., %v) = %v) = %v", start, d, end, got)
		}
		if next := c.AddDays(start, 30); next.Before(start) {
			t.Fatalf("AddDays(%v, 30) = %v", start, next)
		}
		_ = c.IsWorking(start)
		_ = c.IsWorkday(start)
	})
}
