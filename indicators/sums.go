package indicators

import (
	"time"
)

// sums are the totals of one scope over one span: per measure slot and sub-slot.
type sums struct {
	v []int64 // slot*stride + sub
}

const stride = subBin + 18 // len(durationBins)

func (s *sums) get(slot uint16, sub int) int64 { return s.v[int(slot)*stride+sub] }

// rangeSums totals the facts of one scope (dimension d, interned value val) over sp. The
// city sums whole days from its day totals and scans the facts of the days at the span's
// ends; any other scope scans its own posting list (a district holds a thirteenth of the
// facts, a grid a handful).
func (e *Engine) rangeSums(d int, val uint16, sp span) *sums {
	out := &sums{v: make([]int64, len(e.cc.measures)*stride)}
	from, to := sp.from.UnixNano(), sp.to.UnixNano()
	if d != dimCity {
		for _, i := range e.st.postings(d, val) {
			if r := &e.st.rows[i]; r.t > from && r.t <= to {
				e.addRow(out, r)
			}
		}
		return out
	}
	first := max(civilDay(sp.from.Add(time.Nanosecond), e.loc), e.st.minDay)
	last := civilDay(sp.to, e.loc)
	if last > e.st.maxDay {
		last = e.st.maxDay + 1 // past the data: nothing to scan at the end
	}
	for day := first + 1; day < last; day++ {
		if totals := e.st.city[day]; totals != nil {
			for i, v := range totals {
				out.v[i] += v
			}
		}
	}
	e.scanDay(out, d, val, from, to, first)
	if last != first {
		e.scanDay(out, d, val, from, to, last)
	}
	return out
}

func (e *Engine) scanDay(out *sums, d int, val uint16, from, to int64, day int32) {
	for _, i := range e.st.byDay[day] {
		if r := &e.st.rows[i]; r.t > from && r.t <= to && r.dims[d] == val {
			e.addRow(out, r)
		}
	}
}

// scanSums totals every row by brute force: the reference the day totals and posting lists
// are tested against.
func (e *Engine) scanSums(out *sums, d int, val uint16, sp span) {
	from, to := sp.from.UnixNano(), sp.to.UnixNano()
	for i := range e.st.rows {
		if r := &e.st.rows[i]; r.t > from && r.t <= to && r.dims[d] == val {
			e.addRow(out, r)
		}
	}
}

func (e *Engine) addRow(out *sums, r *row) {
	for _, p := range e.st.pairs[r.first : r.first+r.n] {
		base := int(p.slot) * stride
		out.v[base+subSum] += int64(p.val)
		if e.st.dur[p.slot] {
			out.v[base+subN]++
			out.v[base+subBin+binOf(int64(p.val))]++
		}
	}
}
