package cases

import (
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain/catalog"
)

// Status is where a case stands in its loop.
type Status string

// The statuses of a case. Voided and merged are final; closed may be reopened.
const (
	StatusNone       Status = ""           // no such case yet
	StatusReported   Status = "reported"   // 待核实
	StatusVerified   Status = "verified"   // 待立案
	StatusVoided     Status = "voided"     // 已作废
	StatusRegistered Status = "registered" // 待派遣 (also after a return or a reopen)
	StatusDispatched Status = "dispatched" // 待签收
	StatusAccepted   Status = "accepted"   // 处置中 (also during rework)
	StatusSuspended  Status = "suspended"  // 缓办
	StatusHandled    Status = "handled"    // 待核查
	StatusInspected  Status = "inspected"  // 核查通过, 待结案
	StatusClosed     Status = "closed"     // 已结案
	StatusMerged     Status = "merged"     // 已合并 into a master case
)

// Final reports whether no command but reading applies any more.
func (s Status) Final() bool { return s == StatusVoided || s == StatusMerged }

// Open reports whether the case is somewhere in its loop (not closed, voided or merged).
func (s Status) Open() bool { return s != StatusNone && s != StatusClosed && !s.Final() }

// State is a case as its events say it is. Only Apply changes it.
type State struct {
	ID          string                     `json:"id"`
	Version     uint64                     `json:"version"` // events applied; the expected version of the next append
	Status      Status                     `json:"status"`
	Source      Source                     `json:"source"`
	Category    string                     `json:"category"`
	Urgency     catalog.Urgency            `json:"urgency"`
	Title       string                     `json:"title"`
	Location    Location                   `json:"location"`
	Reporter    *Reporter                  `json:"reporter,omitempty"`
	ExternalID  string                     `json:"externalId,omitempty"`
	ReportedAt  time.Time                  `json:"reportedAt"`
	Department  string                     `json:"department,omitempty"` // responsible department since the last dispatch
	Handler     string                     `json:"handler,omitempty"`
	Deadlines   map[catalog.Stage]Deadline `json:"-"` // the running deadlines
	Warned      map[DeadlineKey]bool       `json:"-"` // deadlines already warned about
	Overdue     map[DeadlineKey]bool       `json:"-"` // deadlines already marked overdue
	Suspended   *Suspension                `json:"suspended,omitempty"`
	Extension   *ExtensionRequested        `json:"pendingExtension,omitempty"` // pending request
	Handled     bool                       `json:"handled"`                    // handled since the last dispatch or rework
	Passed      bool                       `json:"passed"`                     // inspection passed since the last handling
	ClosedHow   string                     `json:"closedHow,omitempty"`
	ClosedAt    time.Time                  `json:"closedAt,omitzero"`
	Revisited   bool                       `json:"revisited"` // revisited since the last close
	Returns     int                        `json:"returns"`
	Reworks     int                        `json:"reworks"`
	Extensions  int                        `json:"extensions"`
	Escalation  int                        `json:"escalation"`
	Supervised  int                        `json:"supervised"`
	MergedInto  string                     `json:"mergedInto,omitempty"`
	Duplicates  []string                   `json:"duplicates,omitempty"`
	Reopens     int                        `json:"reopens"`
	LastChanged time.Time                  `json:"lastChanged"`
}

// Suspension remembers what a paused case needs to resume.
type Suspension struct {
	At        time.Time     `json:"at"`
	Remaining time.Duration `json:"remaining"`
}

// Fold rebuilds a case from its events, in stream order.
func Fold(id string, events []Event) *State {
	s := &State{ID: id}
	for _, e := range events {
		s.Apply(e)
	}
	return s
}

// Apply moves the state by one event. It trusts the event: events are facts, checked when
// they were decided.
func (s *State) Apply(e Event) {
	s.Version++
	s.LastChanged = e.OccurredAt
	switch p := e.Payload.(type) {
	case Reported:
		s.Status, s.Source, s.Category, s.Urgency = StatusReported, p.Source, p.Category, p.Urgency
		s.Title, s.Location, s.Reporter, s.ExternalID, s.ReportedAt = p.Title, p.Location, p.Reporter, p.ExternalID, e.OccurredAt
		s.setDeadlines(p.VerifyDue)
	case Verified:
		s.Status = StatusVerified
	case Voided:
		s.Status = StatusVoided
		s.setDeadlines()
	case Registered:
		s.Status, s.Category, s.Urgency, s.Location = StatusRegistered, p.Category, p.Urgency, p.Location
		s.setDeadlines(p.DispatchDue)
	case Dispatched:
		s.Status, s.Department, s.Handler, s.Handled, s.Passed = StatusDispatched, p.Department, "", false, false
		s.setDeadlines(p.AcceptDue, p.HandleDue)
	case Accepted:
		s.Status, s.Handler = StatusAccepted, p.Handler
		delete(s.Deadlines, StageAccept)
	case Returned:
		s.Status, s.Department, s.Handler, s.Extension = StatusRegistered, "", "", nil
		s.Returns++
		s.setDeadlines(p.DispatchDue)
	case ExtensionRequested:
		req := p
		s.Extension = &req
	case ExtensionGranted:
		s.Extension = nil
		s.Extensions++
		if s.Deadlines == nil {
			s.Deadlines = make(map[catalog.Stage]Deadline, 2)
		}
		s.Deadlines[StageHandle] = p.HandleDue
	case ExtensionDenied:
		s.Extension = nil
	case Suspended:
		s.Status = StatusSuspended
		s.Suspended = &Suspension{At: e.OccurredAt, Remaining: p.Remaining}
		s.setDeadlines()
	case Resumed:
		s.Status, s.Suspended = StatusAccepted, nil
		s.setDeadlines(p.HandleDue)
	case Handled:
		s.Status, s.Handled, s.Passed, s.Extension = StatusHandled, true, false, nil
		s.setDeadlines(p.InspectDue)
	case Inspected:
		s.Passed = p.Pass
		if p.Pass {
			s.Status = StatusInspected
			s.setDeadlines()
		}
	case ReworkOrdered:
		s.Status, s.Handled, s.Passed = StatusAccepted, false, false
		s.Reworks++
		s.setDeadlines(p.HandleDue)
	case Answered:
		// the answer itself is in the timeline; CaseClosed follows in the same append
	case Closed:
		s.Status, s.ClosedHow, s.ClosedAt, s.Revisited = StatusClosed, p.How, e.OccurredAt, false
		if p.RevisitDue != nil {
			s.setDeadlines(*p.RevisitDue)
		} else {
			s.setDeadlines()
		}
	case Revisited:
		s.Revisited = true
		delete(s.Deadlines, StageRevisit)
	case Supervised:
		s.Supervised++
	case Escalated:
		s.Escalation = p.Level
	case Merged:
		s.Status, s.MergedInto = StatusMerged, p.Into
		s.setDeadlines()
	case DuplicateLinked:
		s.Duplicates = append(s.Duplicates, p.Duplicate)
	case Reopened:
		s.Status, s.ClosedHow, s.Department, s.Handler, s.Handled, s.Passed = StatusRegistered, "", "", "", false, false
		s.Reopens++
		s.setDeadlines(p.DispatchDue)
	case DeadlineWarned:
		s.mark(&s.Warned, p.Stage, p.Due)
	case Overdue:
		s.mark(&s.Overdue, p.Stage, p.Due)
	}
}

// setDeadlines replaces the running deadlines with ds (zero deadlines are skipped).
func (s *State) setDeadlines(ds ...Deadline) {
	clear(s.Deadlines)
	for _, d := range ds {
		if d.Due.IsZero() {
			continue
		}
		if s.Deadlines == nil {
			s.Deadlines = make(map[catalog.Stage]Deadline, 2)
		}
		s.Deadlines[d.Stage] = d
	}
}

// DeadlineKey names one deadline: a stage and its due instant. A moved deadline is a new one,
// so it is warned about and marked overdue again.
type DeadlineKey struct {
	Stage catalog.Stage
	Due   int64 // Unix nanoseconds: time.Time is no map key (zones and monotonic readings differ)
}

// Key returns the key of d.
func (d Deadline) Key() DeadlineKey { return DeadlineKey{d.Stage, d.Due.UnixNano()} }

func (s *State) mark(m *map[DeadlineKey]bool, stage catalog.Stage, due time.Time) {
	if *m == nil {
		*m = make(map[DeadlineKey]bool)
	}
	(*m)[DeadlineKey{stage, due.UnixNano()}] = true
}

// Clone returns a deep copy of s that Apply may change without touching s.
func (s *State) Clone() *State {
	c := *s
	c.Deadlines = cloneMap(s.Deadlines)
	c.Warned = cloneMap(s.Warned)
	c.Overdue = cloneMap(s.Overdue)
	c.Duplicates = slices.Clone(s.Duplicates)
	return &c
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
