package sim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Stats counts the simulator's requests and keeps their latencies, measured from when each
// request was due (not when it was sent), so a server that falls behind shows in the
// percentiles instead of slowing the load down unseen.
type Stats struct {
	mu       sync.Mutex
	start    time.Time
	lat      []time.Duration // of the current interval
	all      []time.Duration
	ok, fail int
	refused  int // the domain said no (a conflict: someone else moved the case first)
	byCode   map[string]int
	cmds     map[string]int
}

// NewStats starts counting now.
func NewStats() *Stats {
	return &Stats{start: time.Now(), byCode: map[string]int{}, cmds: map[string]int{}}
}

func (s *Stats) record(cmd string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, d)
	s.cmds[cmd]++
	switch e, _ := err.(*APIError); {
	case err == nil:
		s.ok++
	case e != nil && e.Status == 409:
		s.refused++
	default:
		s.fail++
		code := "transport"
		if e != nil {
			code = fmt.Sprint(e.Status, " ", e.Code)
		}
		s.byCode[code]++
	}
}

// Summary is a stretch of the run.
type Summary struct {
	Requests, OK, Refused, Failed int
	Elapsed                       time.Duration
	Rate                          float64 // requests per second
	P50, P90, P99, Max            time.Duration
	Failures                      map[string]int
	Commands                      map[string]int
}

// Interval summarizes the requests since the last call and starts a new interval.
func (s *Stats) Interval(since time.Time) Summary {
	s.mu.Lock()
	lat := s.lat
	s.all = append(s.all, lat...)
	s.lat = nil
	s.mu.Unlock()
	return summarize(lat, time.Since(since))
}

// Total summarizes the whole run.
func (s *Stats) Total() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := append(slices.Clone(s.all), s.lat...)
	sum := summarize(all, time.Since(s.start))
	sum.OK, sum.Refused, sum.Failed = s.ok, s.refused, s.fail
	sum.Failures, sum.Commands = maps(s.byCode), maps(s.cmds)
	return sum
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func summarize(lat []time.Duration, elapsed time.Duration) Summary {
	sum := Summary{Requests: len(lat), Elapsed: elapsed}
	if elapsed > 0 {
		sum.Rate = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) == 0 {
		return sum
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	sum.P50, sum.P90, sum.P99, sum.Max = q(0.50), q(0.90), q(0.99), lat[len(lat)-1]
	return sum
}

// String is one line of a report.
func (s Summary) String() string {
	return fmt.Sprintf("%d requests in %.1fs: %.0f/s, latency p50 %s p90 %s p99 %s max %s",
		s.Requests, s.Elapsed.Seconds(), s.Rate, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
