package catalog

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Stage is one step of a case whose duration is limited. The six stages are those of the
// 数字化城市管理 workflow (立案 verify, 派遣 dispatch, 签收 accept, 处置 handle, 核查 inspect) plus the
// 12345 hotline's 回访 revisit; a hotline case reuses them with verify as 受理核实.
type Stage string

// Stages lists every stage in the order a case passes through them. Every Category has a
// limit for each.
var Stages = []Stage{"verify", "dispatch", "accept", "handle", "inspect", "revisit"}

func isStage(s string) bool {
	for _, st := range Stages {
		if string(st) == s {
			return true
		}
	}
	return false
}

func stageNames() []string {
	names := make([]string, len(Stages))
	for i, s := range Stages {
		names[i] = string(s)
	}
	return names
}

// Limit is how long a stage may take: Days counted days plus Time. The two are kept apart
// because a counted day is a calendar's day (a working day on a working calendar), not 24
// hours: "1d4h" means one counted day and then four hours.
type Limit struct {
	Days int
	Time time.Duration
}

// The largest limit ParseLimit accepts. Ten years of days is beyond any real time limit; the
// bounds keep every computation on limits far from overflow.
const (
	maxLimitDays = 3660
	maxLimitTime = 10000 * time.Hour
)

// ParseLimit reads a limit written as whole numbers with units d (counted days), h (hours) and
// m (minutes), largest unit first and each at most once: "3d", "2h", "90m", "1d4h", "1h30m".
// "0" is the zero limit. Anything else, and limits over 3660 days or 10000 hours, give an
// invalid error (domain.CodeInvalid) for the field "limit".
func ParseLimit(s string) (Limit, error) {
	l, msg := parseLimit(s)
	if msg != "" {
		return Limit{}, domain.Invalid("limit", "%q: %s", s, msg)
	}
	return l, nil
}

// parseLimit returns a reason instead of an error, so that callers name their own field.
func parseLimit(s string) (Limit, string) {
	if s == "0" {
		return Limit{}, ""
	}
	if s == "" {
		return Limit{}, "empty: write e.g. 3d, 2h, 90m or 1d4h"
	}
	const units = "dhm"
	var l Limit
	next := 0 // units[next:] are the units still allowed
	for rest := s; rest != ""; {
		n := 0
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		switch {
		case n == 0:
			return Limit{}, "want a whole number before each unit (e.g. 1d4h)"
		case n > 7:
			return Limit{}, "number too large"
		case n == len(rest):
			return Limit{}, "a number needs a unit: d, h or m"
		}
		v, _ := strconv.Atoi(rest[:n]) // at most 7 digits: cannot fail
		u := strings.IndexByte(units[next:], rest[n])
		if u < 0 {
			if strings.IndexByte(units, rest[n]) >= 0 {
				return Limit{}, "units go largest first, each at most once (e.g. 1d4h30m)"
			}
			return Limit{}, "unknown unit: use d, h or m"
		}
		next += u + 1
		switch units[next-1] {
		case 'd':
			l.Days = v
		case 'h':
			if v > int(maxLimitTime/time.Hour) {
				return Limit{}, "more than 10000 hours"
			}
			l.Time += time.Duration(v) * time.Hour
		case 'm':
			if v > int(maxLimitTime/time.Minute) {
				return Limit{}, "more than 10000 hours"
			}
			l.Time += time.Duration(v) * time.Minute
		}
		rest = rest[n+1:]
	}
	if l.Days > maxLimitDays {
		return Limit{}, "more than 3660 days"
	}
	if l.Time > maxLimitTime {
		return Limit{}, "more than 10000 hours"
	}
	return l, ""
}

// IsZero reports whether l is the zero limit.
func (l Limit) IsZero() bool { return l.Days == 0 && l.Time == 0 }

// Scale returns l scaled by f, as an urgency shortens its time limits. l is converted to
// minutes with day as the length of one counted day (24h on a 24x7 count, the working day's
// length on a working calendar), multiplied by f, rounded to whole minutes and split again into
// whole days and the rest. A non-zero limit never scales below one minute (whatever f is, NaN
// and negative f included); past 3660 days the result is clamped to 3660d, so it always
// prints and parses back. The zero limit stays zero; a day shorter than a minute is
// taken as 24h.
func (l Limit) Scale(f float64, day time.Duration) Limit {
	if l.IsZero() {
		return Limit{}
	}
	if day < time.Minute {
		day = 24 * time.Hour
	}
	dayMin := int64(day / time.Minute)
	total := (float64(l.Days)*float64(dayMin) + l.Time.Minutes()) * f
	if !(total >= 1) {
		total = 1
	}
	const most = 1 << 52 // exact in a float64, far beyond the clamp below
	if total > most {
		total = most
	}
	mins := int64(math.Round(total))
	if mins/dayMin > maxLimitDays {
		return Limit{Days: maxLimitDays}
	}
	return Limit{Days: int(mins / dayMin), Time: min(time.Duration(mins%dayMin)*time.Minute, maxLimitTime)}
}

// String writes l as ParseLimit reads it ("1d4h", "1h30m", "0"), so ParseLimit(l.String())
// gives l back for every limit ParseLimit or Scale returns. Time below a minute is not written;
// negative fields, which no parser returns, print but do not parse.
func (l Limit) String() string {
	var b []byte
	if l.Days != 0 {
		b = strconv.AppendInt(b, int64(l.Days), 10)
		b = append(b, 'd')
	}
	if h := l.Time / time.Hour; h != 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'h')
	}
	if m := l.Time % time.Hour / time.Minute; m != 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'm')
	}
	if len(b) == 0 {
		return "0"
	}
	return string(b)
}
