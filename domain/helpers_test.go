package domain

import "time"

func timeAt(microsecond int64) time.Time {
	return time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(microsecond) * time.Microsecond)
}
