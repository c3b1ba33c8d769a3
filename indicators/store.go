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

// row is where and when facts happened; the facts of one event share a row, so the posting
// lists hold one entry per event rather than one per fact.
type row struct {
	t     int64
	day   int32
	first int32 // index of the row's first pair
	n     int32
	dims  [nDims]uint16
}

// pair is one fact of a row.
type pair struct {
	slot uint16
	val  int32
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

// store holds the facts as rows and pairs, a posting list of row indices per value of every
// dimension but the city, and the city's day totals (the city is every row: its windows are
// summed from whole days plus the rows of the days at their ends).
type store struct {
	rows   []row
	pairs  []pair
	open   int               // index of the row the current event may still extend, or -1
	byDay  map[int32][]int32 // row indices of each day, for the ends of a city window
	post   [nDims][][]int32  // dimension → value id → row indices
	city   map[int32][]int64 // day → slot*stride+sub totals of the city
	width  int               // len of a city day vector
	dur    []bool            // slot → duration measure
	minDay int32
	maxDay int32
}

func newStore(slots int) *store {
	return &store{byDay: map[int32][]int32{}, city: map[int32][]int64{}, width: slots * stride, dur: make([]bool, slots),
		open: -1, minDay: 1 << 30, maxDay: -1 << 30}
}

// endEvent closes the current row: the next event's facts start a new one.
func (s *store) endEvent() { s.open = -1 }

func (s *store) add(f fact, isDuration bool) {
	s.dur[f.slot] = isDuration
	if s.open < 0 || s.rows[s.open].t != f.t || s.rows[s.open].dims != f.dims || int(s.rows[s.open].first+s.rows[s.open].n) != len(s.pairs) {
		s.open = len(s.rows)
		i := int32(s.open)
		s.rows = append(s.rows, row{t: f.t, day: f.day, first: int32(len(s.pairs)), dims: f.dims})
		s.byDay[f.day] = append(s.byDay[f.day], i)
		for d := dimCity + 1; d < nDims; d++ {
			if v := f.dims[d]; v != 0 {
				for int(v) >= len(s.post[d]) {
					s.post[d] = append(s.post[d], nil)
				}
				s.post[d][v] = append(s.post[d][v], i)
			}
		}
		s.minDay, s.maxDay = min(s.minDay, f.day), max(s.maxDay, f.day)
	}
	s.pairs = append(s.pairs, pair{slot: f.slot, val: f.val})
	s.rows[s.open].n++
	day := s.city[f.day]
	if day == nil {
		day = make([]int64, s.width)
		s.city[f.day] = day
	}
	base := int(f.slot) * stride
	day[base+subSum] += int64(f.val)
	if isDuration {
		day[base+subN]++
		day[base+subBin+binOf(int64(f.val))]++
	}
}

// postings are the rows of one dimension value.
func (s *store) postings(d int, v uint16) []int32 {
	if int(v) < len(s.post[d]) {
		return s.post[d][v]
	}
	return nil
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
