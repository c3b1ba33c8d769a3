package indicators

import (
	"time"
)

// Dimension positions in a fact's dims.
const (
	dimCity = iota
	dimDistrict
	dimStreet
	dimGrid
	dimDepartment
	dimCategory
	dimSource
	dimUrgency
	nDims
)

// fact is one measure's contribution at an instant: +1 for a counted event, the seconds of a
// duration, ±1 for a gauge. dims are interned codes (0: none).
type fact struct {
	t    int64 // unix nanoseconds of the event in the city
	day  int32 // the city's local day of t
	val  int32
	slot uint16 // measure index
	dims [nDims]uint16
}

// Sub-slots of a measure in the rollups: a counter or gauge has one sum; a duration has the
// sum of seconds, the count and histogram bins.
const (
	subSum = 0
	subN   = 1
	subBin = 2
)

// durationBins are the upper bounds of the histogram bins durations fall into; percentiles
// are read off them, so they are exact to the bin: fine where the city needs them (minutes
// for a response, hours for handling) and identical however the log is replayed.
var durationBins = []int64{60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 86400, 2 * 86400,
	3 * 86400, 5 * 86400, 7 * 86400, 10 * 86400, 15 * 86400, 30 * 86400, 1 << 40}

func binOf(seconds int64) int {
	for i, ub := range durationBins {
		if seconds <= ub {
			return i
		}
	}
	return len(durationBins) - 1
}

// rollKey packs measure, sub-slot, dimension, value and day into one map key.
type rollKey uint64

func mkKey(slot uint16, sub int, dim int, val uint16, day int32) rollKey {
	return rollKey(uint64(slot)<<44 | uint64(sub)<<39 | uint64(dim)<<36 | uint64(val)<<20 | uint64(uint32(day)&0xfffff))
}

// store holds the fact table and the day rollups of every dimension but the grid (grids are
// many and each is small: they are answered from the facts).
type store struct {
	facts  []fact
	byDay  map[int32][]int32 // fact indices of each day, for the partial days of a window
	rolls  map[rollKey]int64
	minDay int32
	maxDay int32
}

func newStore() *store {
	return &store{byDay: map[int32][]int32{}, rolls: map[rollKey]int64{}, minDay: 1 << 30, maxDay: -1 << 30}
}

func (s *store) add(f fact, isDuration bool) {
	s.byDay[f.day] = append(s.byDay[f.day], int32(len(s.facts)))
	s.facts = append(s.facts, f)
	s.minDay, s.maxDay = min(s.minDay, f.day), max(s.maxDay, f.day)
	for d := 0; d < nDims; d++ {
		if d == dimGrid || f.dims[d] == 0 {
			continue
		}
		s.rolls[mkKey(f.slot, subSum, d, f.dims[d], f.day)] += int64(f.val)
		if isDuration {
			s.rolls[mkKey(f.slot, subN, d, f.dims[d], f.day)]++
			s.rolls[mkKey(f.slot, subBin+binOf(int64(f.val)), d, f.dims[d], f.day)]++
		}
	}
}

// civilDay numbers the local day of t in loc: days since 1970-01-01 there.
func civilDay(t time.Time, loc *time.Location) int32 {
	y, m, d := t.In(loc).Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayStart is the first instant of local day n.
func dayStart(n int32, loc *time.Location) time.Time {
	y, m, d := time.Unix(int64(n)*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
