package indicators

import (
	"strconv"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// caseTrack is what the engine remembers of a case: its dimensions, milestones, running
// deadlines and gauge memberships. It is a small fraction of cases.State.
type caseTrack struct {
	status                          cases.Status
	source, urgency, category       string
	district, street, grid, dept    string
	marks                           [nMarks]time.Time
	due                             [nStages]time.Time // running deadlines (zero: none)
	overdue                         [nStages]bool      // open overdue marks
	everOverdue, registered, suspnd bool
	handleLate                      bool // the handling stage of this loop went overdue

	seen   uint64 // event types seen, by typeBit
	gauges []gaugeMember
}

func (e *Engine) applyCase(ev domain.RecordedEvent, d cases.Event) {
	id, _ := cases.IDFromStream(ev.StreamID)
	c := e.cases[id]
	if c == nil {
		c = &caseTrack{}
		e.cases[id] = c
	}
	at := d.OccurredAt
	var a attrs
	var returnedBy string
	a.marks = c.marks
	bit := uint64(1) << typeBit(ev.Type)
	a.v[attrFirst] = boolAttr(c.seen&bit == 0)
	c.seen |= bit
	stageDone := func(name catalog.Stage) {
		s := stageIndex(name)
		if due := c.due[s]; !due.IsZero() {
			a.v[attrOnTime] = boolAttr(!at.After(due) && !c.overdue[s])
		}
		c.due[s], c.overdue[s] = time.Time{}, false
	}
	setDue := func(name catalog.Stage, t time.Time) { c.due[stageIndex(name)] = t }
	dropDue := func(name catalog.Stage) { s := stageIndex(name); c.due[s], c.overdue[s] = time.Time{}, false }
	switch p := d.Payload.(type) {
	case cases.Reported:
		c.status, c.source, c.category, c.urgency = cases.StatusReported, string(p.Source), p.Category, string(p.Urgency)
		c.setLocation(p.Location)
		c.marks[sinceReported] = at
		setDue("verify", p.VerifyDue.Due)
	case cases.Verified:
		stageDone("verify")
		c.status = cases.StatusVerified
	case cases.Voided:
		stageDone("verify")
		a.v[attrRegistered] = boolAttr(c.registered)
		c.status = cases.StatusVoided
	case cases.Registered:
		c.status, c.registered = cases.StatusRegistered, true
		if p.Category != "" {
			c.category = p.Category
		}
		if p.Urgency != "" {
			c.urgency = string(p.Urgency)
		}
		c.setLocation(p.Location)
		c.marks[sinceRegistered] = at
		setDue("dispatch", p.DispatchDue.Due)
	case cases.Dispatched:
		stageDone("dispatch")
		a.v[attrOverridden] = boolAttr(p.Overridden)
		c.handleLate = false // a new loop: its timeliness starts afresh
		c.status, c.dept = cases.StatusDispatched, p.Department
		c.marks[sinceDispatched] = at
		setDue("accept", p.AcceptDue.Due)
		setDue("handle", p.HandleDue.Due)
	case cases.Accepted:
		stageDone("accept")
		c.status = cases.StatusAccepted
		c.marks[sinceAccepted] = at
	case cases.Returned:
		returnedBy = c.dept
		stageDone("accept")
		dropDue("handle")
		c.status, c.dept = cases.StatusRegistered, ""
		setDue("dispatch", p.DispatchDue.Due)
	case cases.ExtensionGranted:
		dropDue("handle")
		setDue("handle", p.HandleDue.Due)
	case cases.Suspended:
		c.status, c.suspnd = cases.StatusSuspended, true
		c.due[stageIndex("handle")] = time.Time{}
	case cases.Resumed:
		c.status, c.suspnd = cases.StatusAccepted, false
		setDue("handle", p.HandleDue.Due)
	case cases.Handled:
		stageDone("handle")
		a.v[attrByReporter] = boolAttr(p.ByReporter)
		c.status = cases.StatusHandled
		c.marks[sinceHandled] = at
		// A case closed on the spot was never dispatched: its handling is not timed from a
		// dispatch (handle_time is dispatch to handling), and later stages time from the report.
		if c.marks[sinceDispatched].IsZero() {
			c.marks[sinceDispatched] = c.marks[sinceReported]
		}
		setDue("inspect", p.InspectDue.Due)
	case cases.Inspected:
		stageDone("inspect")
		a.v[attrPass] = boolAttr(p.Pass)
		if p.Pass {
			c.status = cases.StatusInspected
		}
	case cases.ReworkOrdered:
		c.status = cases.StatusAccepted
		setDue("handle", p.HandleDue.Due)
	case cases.Closed:
		a.v[attrHow] = p.How
		a.v[attrOnTime] = boolAttr(!c.handleLate)
		a.v[attrRegistered] = boolAttr(c.registered)
		c.status = cases.StatusClosed
		c.marks[sinceClosed] = at
		c.due, c.overdue = [nStages]time.Time{}, [nStages]bool{}
		if p.RevisitDue != nil {
			setDue("revisit", p.RevisitDue.Due)
		}
	case cases.Answered:
		c.status = cases.StatusClosed
		c.marks[sinceClosed] = at
		c.due = [nStages]time.Time{}
	case cases.Revisited:
		stageDone("revisit")
		a.v[attrReached], a.v[attrSolved], a.v[attrSatisfaction] = boolAttr(p.Reached), boolAttr(p.Solved), p.Satisfaction
	case cases.Reopened:
		c.status = cases.StatusRegistered
		setDue("dispatch", p.DispatchDue.Due)
	case cases.Merged:
		a.v[attrRegistered] = boolAttr(c.registered)
		c.status = cases.StatusMerged
		c.due = [nStages]time.Time{}
	case cases.Escalated:
		a.v[attrLevel] = strconv.Itoa(p.Level)
	case cases.DeadlineWarned:
		a.v[attrStage] = string(p.Stage)
	case cases.Overdue:
		a.v[attrStage] = string(p.Stage)
		c.overdue[stageIndex(p.Stage)], c.everOverdue = true, true
		if p.Stage == "handle" {
			c.handleLate = true
		}
	}
	a.v[attrSource], a.v[attrUrgency], a.v[attrCategory] = c.source, c.urgency, c.category
	a.v[attrKind], a.v[attrMajor] = categoryKind(c.category), categoryMajor(c.category)
	a.v[attrEverOverdue] = boolAttr(c.everOverdue)
	dims := e.caseDims(c)
	countDims := dims
	if ev.Type == cases.TypeReturned {
		countDims[dimDepartment] = e.intern[dimDepartment].id(returnedBy) // the return is the department's act
	}
	e.count(ev.Type, at, &a, countDims)
	c.gauges = e.gaugeFacts("case", at, c.gauges, c.state, dims)
}

func (c *caseTrack) setLocation(l cases.Location) {
	if l.District != "" || l.Grid != "" || l.Street != "" {
		c.district, c.street, c.grid = l.District, l.Street, l.Grid
	}
}

func (e *Engine) caseDims(c *caseTrack) [nDims]uint16 {
	return [nDims]uint16{1, e.intern[dimDistrict].id(c.district), e.intern[dimStreet].id(c.street), e.intern[dimGrid].id(c.grid),
		e.intern[dimDepartment].id(c.dept), e.intern[dimCategory].id(c.category), e.intern[dimSource].id(c.source), e.intern[dimUrgency].id(c.urgency)}
}

// state answers a gauge's state attribute of the case.
func (c *caseTrack) state(attr string) string {
	switch attr {
	case "status":
		return string(c.status)
	case "overdue":
		return boolAttr(c.overdue != [nStages]bool{} && c.status.Open())
	case "source":
		return c.source
	case "urgency":
		return c.urgency
	case "kind":
		return categoryKind(c.category)
	case "major":
		return categoryMajor(c.category)
	case "registered":
		return boolAttr(c.registered)
	}
	return ""
}

// categoryKind is part, event or hotline from a code's first letter (P0101, E0502, H0301).
func categoryKind(code string) string {
	switch {
	case strings.HasPrefix(code, "P"):
		return "part"
	case strings.HasPrefix(code, "E"):
		return "event"
	case strings.HasPrefix(code, "H"):
		return "hotline"
	}
	return ""
}

// categoryMajor is a code's 大类: its letter and two digits ("E01").
func categoryMajor(code string) string {
	if len(code) < 3 {
		return ""
	}
	return code[:3]
}

// nStages is the number of catalog stages (checked at init: the arrays need a constant).
const nStages = 6

// stageIndex numbers a stage for the deadline arrays.
func stageIndex(s catalog.Stage) int {
	for i, x := range catalog.Stages {
		if x == s {
			return i
		}
	}
	return 0
}

var typeBits = map[string]uint{}

// typeBit numbers an event type for the seen mask (case event types are fewer than 64).
func typeBit(t string) uint {
	if b, ok := typeBits[t]; ok {
		return b
	}
	return 63
}

func init() {
	if len(catalog.Stages) != nStages {
		panic("indicators: the catalog has a new stage; raise nStages")
	}
	n := uint(0)
	for _, t := range []string{cases.TypeReported, cases.TypeVerified, cases.TypeVoided, cases.TypeRegistered, cases.TypeDispatched,
		cases.TypeAccepted, cases.TypeReturned, cases.TypeExtRequested, cases.TypeExtGranted, cases.TypeExtDenied, cases.TypeSuspended,
		cases.TypeResumed, cases.TypeHandled, cases.TypeInspected, cases.TypeReworkOrdered, cases.TypeClosed, cases.TypeAnswered,
		cases.TypeRevisited, cases.TypeSupervised, cases.TypeEscalated, cases.TypeMerged, cases.TypeDuplicateLinked, cases.TypeReopened,
		cases.TypeDeadlineWarned, cases.TypeOverdue} {
		typeBits[t] = n
		n++
	}
}
