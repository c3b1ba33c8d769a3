package worktime

import (
	"fmt"
	"strings"
	"testing"
)

func mustParse(t testing.TB, yaml string) *Calendar {
	t.Helper()
	c, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	return c
}

// everyDay is a seven-day calendar in zone with the given hours and no listed years.
func everyDay(zone string, hours ...string) string {
	return fmt.Sprintf("name: every day\ntimezone: %s\nweekdays: [mon, tue, wed, thu, fri, sat, sun]\nhours: [%s]\n",
		zone, strings.Join(hours, ", "))
}

func (c *Calendar) hoursString() string {
	var b strings.Builder
	for _, p := range c.periods {
		fmt.Fprintf(&b, "%02d:%02d-%02d:%02d ", p.start/3600, p.start%3600/60, p.end/3600, p.end%3600/60)
	}
	return strings.TrimSpace(b.String())
}
