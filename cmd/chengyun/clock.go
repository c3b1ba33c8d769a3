package main

import (
	"fmt"
	"time"
)

// newClock returns the server's clock: the wall clock, or, for demos and drills, a simulated
// one that starts at start and runs rate times faster. It is the only clock the write side
// and the scheduler read.
func newClock(start string, rate float64) (func() time.Time, error) {
	if rate <= 0 {
		return nil, fmt.Errorf("--clock-rate %v: must be above 0", rate)
	}
	if start == "" && rate == 1 {
		return time.Now, nil
	}
	origin := time.Now()
	if start != "" {
		t, err := time.Parse(time.RFC3339, start)
		if err != nil {
			return nil, fmt.Errorf("--clock-start %q: want an RFC 3339 instant like 2026-03-02T09:00:00+08:00", start)
		}
		origin = t
	}
	wall := time.Now()
	return func() time.Time {
		return origin.Add(time.Duration(float64(time.Since(wall)) * rate)).Round(0)
	}, nil
}
