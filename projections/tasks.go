package projections

import (
	"cmp"
	"slices"
	"strings"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// TaskQuery picks one task queue: a department's or a staff member's. Exactly one of
// Department and Handler is set.
type TaskQuery struct {
	Department string
	Handler    string
	Limit      int // 1..MaxLimit; 0 is DefaultLimit
}

// TaskPage is the head of a task queue, the most pressing first.
type TaskPage struct {
	Tasks []CaseRow `json:"tasks"`
	Total int       `json:"total"` // tasks in the queue that the principal may read
}

// queueKeys are the task queues a case is in ("" for none): a department's while the case is
// dispatched to it and not yet handled (dispatched, accepted, suspended, or accepted again for
// rework), and its handler's once accepted. A fixed pair, so that the common event that moves
// no queue costs one comparison.
func (en *caseEntry) queueKeys() [2]string {
	st := en.st
	var keys [2]string
	switch st.Status {
	case cases.StatusAccepted, cases.StatusSuspended:
		if st.Handler != "" {
			keys[1] = "h:" + st.Handler
		}
		fallthrough
	case cases.StatusDispatched:
		if st.Department != "" {
			keys[0] = "d:" + st.Department
		}
	}
	return keys
}

func (l *CaseList) queue(key string) map[string]*caseEntry {
	q := l.queues[key]
	if q == nil {
		q = map[string]*caseEntry{}
		l.queues[key] = q
	}
	return q
}

func (l *CaseList) moveQueues(en *caseEntry, before, after [2]string) {
	for _, k := range before {
		if k != "" && k != after[0] && k != after[1] {
			delete(l.queues[k], en.st.ID)
			if len(l.queues[k]) == 0 {
				delete(l.queues, k)
			}
		}
	}
	for _, k := range after {
		if k != "" {
			l.queue(k)[en.st.ID] = en
		}
	}
}

// dueOf is the soonest running deadline of a case, or the largest time for none (a
// suspended case waits at the end of its queue).
func (en *caseEntry) dueOf() int64 {
	due := int64(1<<63 - 1)
	for _, d := range en.st.Deadlines {
		due = min(due, d.Due.UnixNano())
	}
	return due
}

// Tasks returns the head of a task queue, oldest deadline first (then oldest report), with
// only the cases the principal may read: a department's handler sees their department's
// queue, and nobody else's through this call. Errors: invalid naming department (neither or
// both of department and handler) or limit.
func (l *CaseList) Tasks(p identity.Principal, q TaskQuery) (TaskPage, error) {
	limit, err := checkLimit(q.Limit, MaxLimit)
	if err != nil {
		return TaskPage{}, err
	}
	var key string
	switch {
	case (q.Department == "") == (q.Handler == ""):
		return TaskPage{}, domain.Invalid("department", "give a department or a handler (one of them)")
	case q.Department != "":
		key = "d:" + q.Department
	default:
		key = "h:" + q.Handler
	}
	rd := readerOf(p)
	l.mu.RLock()
	defer l.mu.RUnlock()
	var visible []*caseEntry
	for _, en := range l.queues[key] {
		if rd.may(en) {
			visible = append(visible, en)
		}
	}
	slices.SortFunc(visible, func(a, b *caseEntry) int {
		return cmp.Or(cmp.Compare(a.dueOf(), b.dueOf()), cmp.Compare(a.sortAt, b.sortAt), strings.Compare(a.st.ID, b.st.ID))
	})
	page := TaskPage{Tasks: []CaseRow{}, Total: len(visible)}
	for _, en := range visible[:min(limit, len(visible))] {
		page.Tasks = append(page.Tasks, rd.row(en))
	}
	return page, nil
}
