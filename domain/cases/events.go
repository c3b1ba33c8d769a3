package cases

import (
	"time"

	"github.com/chengyun/chengyun/domain/catalog"
)

// The event types of a case stream (DESIGN.md §4). They are stable strings: renaming a Go type
// never renames an event.
const (
	TypeReported        = "CaseReported"
	TypeVerified        = "CaseVerified"
	TypeVoided          = "CaseVoided"
	TypeRegistered      = "CaseRegistered"
	TypeDispatched      = "CaseDispatched"
	TypeAccepted        = "CaseAccepted"
	TypeReturned        = "CaseReturned"
	TypeExtRequested    = "ExtensionRequested"
	TypeExtGranted      = "ExtensionGranted"
	TypeExtDenied       = "ExtensionDenied"
	TypeSuspended       = "CaseSuspended"
	TypeResumed         = "CaseResumed"
	TypeHandled         = "CaseHandled"
	TypeInspected       = "CaseInspected"
	TypeReworkOrdered   = "ReworkOrdered"
	TypeClosed          = "CaseClosed"
	TypeAnswered        = "CaseAnswered"
	TypeRevisited       = "CaseRevisited"
	TypeSupervised      = "CaseSupervised"
	TypeEscalated       = "CaseEscalated"
	TypeMerged          = "CaseMerged"
	TypeDuplicateLinked = "CaseDuplicateLinked"
	TypeReopened        = "CaseReopened"
	TypeDeadlineWarned  = "CaseDeadlineWarned"
	TypeOverdue         = "CaseOverdue"
)

// SchemaVersion is the shape version every case event is written with today. Older shapes are
// upcast in Decode; stored events are never rewritten.
const SchemaVersion = 1

// Payload is the data of one case event.
type Payload interface{ EventType() string }

// Event is one decided case event: what happened and when it happened in the city.
type Event struct {
	OccurredAt time.Time
	Payload    Payload
}

// Deadline is one stage's time limit. WarnAt is when the scheduler warns that it is near.
type Deadline struct {
	Stage  catalog.Stage `json:"stage"`
	Due    time.Time     `json:"due"`
	WarnAt time.Time     `json:"warnAt"`
}

// Reported opens a case.
type Reported struct {
	CaseID      string          `json:"caseId"`
	Source      Source          `json:"source"`
	Category    string          `json:"category"`
	Urgency     catalog.Urgency `json:"urgency"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Location    Location        `json:"location"`
	Reporter    *Reporter       `json:"reporter,omitempty"`
	Photos      []string        `json:"photos,omitempty"`
	ExternalID  string          `json:"externalId,omitempty"` // hotline ticket, Open311 request id, alarm id
	VerifyDue   Deadline        `json:"verifyDue"`
}

// Verified says an operator confirmed the report is real (核实).
type Verified struct {
	Note string `json:"note,omitempty"`
}

// Voided ends a report that is not a case (作废): false, out of scope, unreachable.
type Voided struct {
	Reason string `json:"reason"`
}

// Registered files the case (立案) with its final category, urgency and responsibility area.
type Registered struct {
	Category    string          `json:"category"`
	Urgency     catalog.Urgency `json:"urgency"`
	Location    Location        `json:"location"`
	Note        string          `json:"note,omitempty"`
	DispatchDue Deadline        `json:"dispatchDue"`
}

// Dispatched sends the case to a department (派遣). Suggested is what the routing table
// proposed; Overridden records that the operator chose another department.
type Dispatched struct {
	Department      string   `json:"department"`
	Suggested       string   `json:"suggested,omitempty"`
	SuggestedReason string   `json:"suggestedReason,omitempty"`
	Overridden      bool     `json:"overridden,omitempty"`
	DeadlineSet     bool     `json:"deadlineSet,omitempty"` // the operator set the handling deadline
	Note            string   `json:"note,omitempty"`
	AcceptDue       Deadline `json:"acceptDue"`
	HandleDue       Deadline `json:"handleDue"`
}

// Accepted says the department took the case on (签收).
type Accepted struct {
	Department string `json:"department"`
	Handler    string `json:"handler,omitempty"`
}

// Returned sends the case back to the dispatch queue (退单).
type Returned struct {
	Department  string   `json:"department"`
	Reason      string   `json:"reason"`
	DispatchDue Deadline `json:"dispatchDue"`
}

// ExtensionRequested asks for more handling time (延期申请).
type ExtensionRequested struct {
	Extra  catalog.Limit `json:"extra"`
	Reason string        `json:"reason"`
}

// ExtensionGranted moves the handling deadline by the requested time.
type ExtensionGranted struct {
	Extra     catalog.Limit `json:"extra"`
	Note      string        `json:"note,omitempty"`
	HandleDue Deadline      `json:"handleDue"`
}

// ExtensionDenied refuses a pending extension; the deadline stays.
type ExtensionDenied struct {
	Reason string `json:"reason"`
}

// Suspended pauses the case (缓办): its handling clock stops.
type Suspended struct {
	Reason    string        `json:"reason"`
	Remaining time.Duration `json:"remaining"` // counted time left on the handling deadline
}

// Resumed restarts a suspended case; the handling deadline is what remained when it stopped.
type Resumed struct {
	Note      string   `json:"note,omitempty"`
	HandleDue Deadline `json:"handleDue"`
}

// Handled is the handler's feedback (处置反馈).
type Handled struct {
	Feedback   string   `json:"feedback"`
	Photos     []string `json:"photos,omitempty"`
	Point      *Point   `json:"point,omitempty"`
	ByReporter bool     `json:"byReporter,omitempty"` // closed on the spot by the collector (自行处置)
	Late       bool     `json:"late,omitempty"`
	InspectDue Deadline `json:"inspectDue"`
}

// Inspected is the check of the handling (核查).
type Inspected struct {
	Pass bool   `json:"pass"`
	Note string `json:"note,omitempty"`
}

// ReworkOrdered sends a failed case back for handling with a new deadline (返工).
type ReworkOrdered struct {
	Reason    string   `json:"reason"`
	HandleDue Deadline `json:"handleDue"`
}

// How a case was closed.
const (
	ClosedInspected   = "inspected"     // handled, inspected, passed
	ClosedOnTheSpot   = "on_the_spot"   // handled by the collector at once (自行处置)
	ClosedDirectReply = "direct_answer" // answered at intake (直接答复)
)

// Closed ends the loop (结案).
type Closed struct {
	How        string    `json:"how"`
	Note       string    `json:"note,omitempty"`
	RevisitDue *Deadline `json:"revisitDue,omitempty"`
}

// Answered is a hotline reply given at intake (直接答复).
type Answered struct {
	Answer string `json:"answer"`
}

// Satisfaction levels of a revisit (回访).
const (
	Satisfied      = "satisfied"
	BasicSatisfied = "basically_satisfied"
	Unsatisfied    = "unsatisfied"
)

// Revisited records the reporter's verdict.
type Revisited struct {
	Reached      bool   `json:"reached"`
	Satisfaction string `json:"satisfaction,omitempty"`
	Solved       bool   `json:"solved"`
	Note         string `json:"note,omitempty"`
}

// Supervised is an oversight note (督办).
type Supervised struct {
	Note string `json:"note"`
}

// Escalated raises the case to a higher level.
type Escalated struct {
	Level  int    `json:"level"`
	To     string `json:"to,omitempty"`
	Reason string `json:"reason"`
}

// Merged ends a duplicate; its history stays, the master carries on.
type Merged struct {
	Into   string `json:"into"`
	Reason string `json:"reason,omitempty"`
}

// DuplicateLinked tells the master case that a duplicate was merged into it.
type DuplicateLinked struct {
	Duplicate string `json:"duplicate"`
}

// Reopened brings a closed case back to the dispatch queue.
type Reopened struct {
	Reason      string   `json:"reason"`
	DispatchDue Deadline `json:"dispatchDue"`
}

// DeadlineWarned says a stage's deadline is near (emitted once per deadline).
type DeadlineWarned struct {
	Stage catalog.Stage `json:"stage"`
	Due   time.Time     `json:"due"`
}

// Overdue says a stage's deadline passed with the stage unfinished (emitted once per deadline).
type Overdue struct {
	Stage catalog.Stage `json:"stage"`
	Due   time.Time     `json:"due"`
}

func (Reported) EventType() string           { return TypeReported }
func (Verified) EventType() string           { return TypeVerified }
func (Voided) EventType() string             { return TypeVoided }
func (Registered) EventType() string         { return TypeRegistered }
func (Dispatched) EventType() string         { return TypeDispatched }
func (Accepted) EventType() string           { return TypeAccepted }
func (Returned) EventType() string           { return TypeReturned }
func (ExtensionRequested) EventType() string { return TypeExtRequested }
func (ExtensionGranted) EventType() string   { return TypeExtGranted }
func (ExtensionDenied) EventType() string    { return TypeExtDenied }
func (Suspended) EventType() string          { return TypeSuspended }
func (Resumed) EventType() string            { return TypeResumed }
func (Handled) EventType() string            { return TypeHandled }
func (Inspected) EventType() string          { return TypeInspected }
func (ReworkOrdered) EventType() string      { return TypeReworkOrdered }
func (Closed) EventType() string             { return TypeClosed }
func (Answered) EventType() string           { return TypeAnswered }
func (Revisited) EventType() string          { return TypeRevisited }
func (Supervised) EventType() string         { return TypeSupervised }
func (Escalated) EventType() string          { return TypeEscalated }
func (Merged) EventType() string             { return TypeMerged }
func (DuplicateLinked) EventType() string    { return TypeDuplicateLinked }
func (Reopened) EventType() string           { return TypeReopened }
func (DeadlineWarned) EventType() string     { return TypeDeadlineWarned }
func (Overdue) EventType() string            { return TypeOverdue }
