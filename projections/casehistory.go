package projections

import (
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// stage is where a case stood from At on: its status, and whether a running deadline had been
// warned about or had passed.
type stage struct {
	At      int64        `json:"at"` // Unix nanoseconds of the event's time
	Status  cases.Status `json:"status"`
	Overdue bool         `json:"overdue,omitempty"`
	Warned  bool         `json:"warned,omitempty"`
}

// record appends the entry's present stage when an event at `at` changed it.
func (en *caseEntry) record(at time.Time) {
	now := stage{At: at.UnixNano(), Status: en.st.Status, Overdue: en.overdue, Warned: en.warned}
	if n := len(en.history); n > 0 {
		last := en.history[n-1]
		if last.Status == now.Status && last.Overdue == now.Overdue && last.Warned == now.Warned {
			return
		}
		if now.At < last.At { // an event dated before the last change (a late import): keep the order
			now.At = last.At
		}
	}
	en.history = append(en.history, now)
}

// seedHistory gives a row stored before the list kept history, about to take a new event,
// the stages its row still tells (legacyStages). Without them its first recorded stage would
// answer for every earlier instant.
func (en *caseEntry) seedHistory() {
	if len(en.history) == 0 && en.listed && en.st.Status != cases.StatusNone {
		en.history = en.legacyStages()
	}
}

// legacyStages are what a row without history tells of its past: reported at its report, and
// as it stands now from its last change.
func (en *caseEntry) legacyStages() []stage {
	out := []stage{{At: en.sortAt, Status: cases.StatusReported}}
	if last := sortTime(en.st.LastChanged); last > en.sortAt || en.st.Status != cases.StatusReported {
		out = append(out, stage{At: max(last, en.sortAt), Status: en.st.Status, Overdue: en.overdue, Warned: en.warned})
	}
	return out
}

// asOf is the entry's stage at t (Unix nanoseconds), false when the case had not been
// reported by then.
func (en *caseEntry) asOf(t int64) (stage, bool) {
	if en.st.Status == cases.StatusNone || en.sortAt > t {
		return stage{}, false
	}
	history := en.history
	if len(history) == 0 {
		history = en.legacyStages()
	}
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].At <= t {
			return history[i], true
		}
	}
	return history[0], true // reported by t, its first event dated a little later
}

// slaOf is a stage's SLA colour.
func slaOf(s stage) string {
	switch {
	case !s.Status.Open():
		return SLAGrey
	case s.Overdue:
		return SLARed
	case s.Warned:
		return SLAAmber
	}
	return SLAGreen
}

// until is how much of the order (oldest first) stood at t: all of it for the zero instant,
// else the cases reported by t.
func (l *CaseList) until(t time.Time) int {
	if t.IsZero() {
		return len(l.order)
	}
	end, _ := slices.BinarySearchFunc(l.order, sortKey{at: t.UnixNano() + 1}, compareToKey)
	return end
}

// standing is where the entry stands now, or at t unless t is zero; false when it had not
// been reported by t.
func (en *caseEntry) standing(t time.Time) (stage, bool) {
	if t.IsZero() {
		return stage{Status: en.st.Status, Overdue: en.overdue, Warned: en.warned}, true
	}
	return en.asOf(t.UnixNano())
}
