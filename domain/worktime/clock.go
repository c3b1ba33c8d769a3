package worktime

import (
	"math"
	"time"
)

// Wall-clock arithmetic. A calendar's hours are local wall-clock times, and across a daylight
// saving change the same wall-clock time is not a fixed offset from UTC, so every period is
// turned into instants per date. Local wall-clock times are counted as "wall seconds": seconds
// since 1970-01-01 00:00 on the calendar's own clock, so day n starts at wall second n*day.

const (
	day = 86400 // seconds in a wall-clock day
	// margin is more than any difference between two real UTC offsets (-12h..+14h): a wall
	// second this far into a zone period cannot also be reached in an earlier period.
	margin = 2 * day
)

// zone is a stretch of time with one UTC offset: off seconds east on [start, end), in Unix
// seconds. It may be shorter than the real zone period, never longer.
type zone struct{ off, start, end int64 }

// clock maps wall seconds to instants (Unix seconds) for one location. It caches the zone
// last used, so that on the ordinary days between two clock changes a wall second is turned
// into an instant by one subtraction; that is what lets Add skip whole days cheaply. A few
// zones looked up recently are remembered too, since the days around a change ask for the
// same two zones over and over.
//
// The mapping, instant(w), is the earliest instant whose wall-clock reading is at least w. It
// never goes backwards (unlike time.Date, which moves 02:30 on a spring-forward night to
// 01:30): a wall time skipped by a spring-forward becomes the instant of the change, and a wall
// time repeated by a fall-back is its first occurrence, so a period 01:00-03:00 on a
// fall-back night really lasts three hours. Because it is a pure function of w, the caches
// change only speed, never results.
type clock struct {
	loc    *time.Location
	cur    zone
	lo     int64 // instant(w) == w-cur.off whenever lo <= w-cur.off < cur.end
	loaded bool
	memo   [4]zone
	nmemo  int
}

func newClock(loc *time.Location) clock { return clock{loc: loc} }

// linear reports whether instant(w) == w-k.cur.off for every w in [w0, w1], loading the zone
// around w0 if the cached one does not say so.
func (k *clock) linear(w0, w1 int64) bool {
	if k.loaded && w0-k.cur.off >= k.lo && w1-k.cur.off < k.cur.end {
		return true
	}
	k.cur, k.loaded = k.zoneAt(w0-k.cur.off), true
	k.lo = math.MinInt64
	if k.cur.start != math.MinInt64 {
		k.lo = k.cur.start + margin
	}
	return w0-k.cur.off >= k.lo && w1-k.cur.off < k.cur.end
}

// zoneAt returns a zone containing instant u.
func (k *clock) zoneAt(u int64) zone {
	for _, z := range k.memo[:k.nmemo] {
		if z.start <= u && u < z.end {
			return z
		}
	}
	t := time.Unix(u, 0).In(k.loc)
	_, off := t.Zone()
	z := zone{int64(off), math.MinInt64, math.MaxInt64}
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		z.start = min(start.Unix(), u)
	}
	if !end.IsZero() {
		z.end = end.Unix()
		if z.end <= u {
			// Beyond its tables Go computes zones per UTC year from the zone's rule, and for
			// the last day of a leap year reports an end of 365 days after New Year, which is
			// before u; the next UTC midnight, where its next year starts, is safe.
			z.end = (floorDiv(u, day) + 1) * day
		}
	}
	copy(k.memo[1:], k.memo[:len(k.memo)-1])
	k.memo[0], k.nmemo = z, min(k.nmemo+1, len(k.memo))
	return z
}

// instant returns the earliest Unix second whose wall-clock reading is at least w.
func (k *clock) instant(w int64) int64 {
	if k.linear(w, w) {
		return w - k.cur.off
	}
	// Walk the zones forward from an instant that is surely too early.
	u := w - margin
	for range 1000 {
		z := k.zoneAt(u)
		if u+z.off >= w {
			return u // u starts a zone whose clock is already past w: w was skipped
		}
		if w-z.off < z.end {
			return w - z.off
		}
		u = z.end
	}
	return w - k.cur.off // unreachable: zones change at most a few times in two days
}

// wall returns the wall second of t and the wall-clock day it falls on. Instants billions of
// years away are clamped (to ±1<<50 s, far beyond dawn and horizon) so that no sum overflows.
func (k *clock) wall(t time.Time) (w, n int64) {
	_, off := t.In(k.loc).Zone()
	w = min(max(t.Unix(), -1<<50), 1<<50) + int64(off)
	return w, floorDiv(w, day)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
