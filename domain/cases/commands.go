package cases

import (
	"time"

	"github.com/chengyun/chengyun/domain/catalog"
)

// The commands of a case's loop. Their JSON shapes are the bodies of the HTTP command API.

// Report opens a case (采集/上报). OccurredAt, when given, is when it happened (a call taken
// minutes ago); it may not lie in the future.
type Report struct {
	Source      Source          `json:"source"`
	Category    string          `json:"category"`
	Urgency     catalog.Urgency `json:"urgency,omitempty"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Location    Location        `json:"location"`
	Reporter    *Reporter       `json:"reporter,omitempty"`
	Photos      []string        `json:"photos,omitempty"`
	ExternalID  string          `json:"externalId,omitempty"`
	OccurredAt  *time.Time      `json:"occurredAt,omitempty"`
}

// Verify confirms a report (核实).
type Verify struct {
	Note string `json:"note,omitempty"`
}

// Void ends a report that is not a case (作废).
type Void struct {
	Reason string `json:"reason"`
}

// Register files a verified case (立案). Category, urgency and location may be corrected.
type Register struct {
	Category string          `json:"category,omitempty"`
	Urgency  catalog.Urgency `json:"urgency,omitempty"`
	Location *Location       `json:"location,omitempty"`
	Note     string          `json:"note,omitempty"`
}

// CloseOnSpot is a collector handling what they found at once (自行处置).
type CloseOnSpot struct {
	Feedback string   `json:"feedback"`
	Photos   []string `json:"photos,omitempty"`
	Point    *Point   `json:"point,omitempty"`
}

// DirectAnswer closes a hotline case answered during the call (直接答复).
type DirectAnswer struct {
	Answer string `json:"answer"`
}

// Dispatch sends a registered case to a department (派遣). An empty Department takes the
// routing table's suggestion; a Deadline overrides the category's handling limit.
type Dispatch struct {
	Department string     `json:"department,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// Accept is the department taking the case on (签收).
type Accept struct{}

// Return sends the case back to the dispatch queue (退单).
type Return struct {
	Reason string `json:"reason"`
}

// RequestExtension asks for more handling time (延期申请), e.g. "2d" or "4h".
type RequestExtension struct {
	Extra  string `json:"extra"`
	Reason string `json:"reason"`
}

// GrantExtension approves the pending extension.
type GrantExtension struct {
	Note string `json:"note,omitempty"`
}

// DenyExtension refuses the pending extension.
type DenyExtension struct {
	Reason string `json:"reason"`
}

// Suspend pauses a case in handling (缓办).
type Suspend struct {
	Reason string `json:"reason"`
}

// Resume restarts a suspended case.
type Resume struct {
	Note string `json:"note,omitempty"`
}

// Handle is the handler's feedback (处置反馈).
type Handle struct {
	Feedback string   `json:"feedback"`
	Photos   []string `json:"photos,omitempty"`
	Point    *Point   `json:"point,omitempty"`
}

// Inspect checks the handling (核查). A failed inspection orders rework; Rework, when given,
// is the rework's time limit (e.g. "1d"), otherwise the category's handling limit.
type Inspect struct {
	Pass   bool   `json:"pass"`
	Note   string `json:"note,omitempty"`
	Rework string `json:"rework,omitempty"`
}

// Close ends an inspected case (结案).
type Close struct {
	Note string `json:"note,omitempty"`
}

// Revisit records the reporter's verdict (回访).
type Revisit struct {
	Reached      bool   `json:"reached"`
	Satisfaction string `json:"satisfaction,omitempty"`
	Solved       bool   `json:"solved"`
	Note         string `json:"note,omitempty"`
}

// Reopen brings a closed case back to the dispatch queue.
type Reopen struct {
	Reason string `json:"reason"`
}

// Supervise adds an oversight note (督办).
type Supervise struct {
	Note string `json:"note"`
}

// Escalate raises the case; Level 0 means one above the current level.
type Escalate struct {
	Level  int    `json:"level,omitempty"`
	To     string `json:"to,omitempty"`
	Reason string `json:"reason"`
}

// Merge ends this case as a duplicate of Into. Master is the master case's state, loaded by
// the command handler (the domain does no I/O).
type Merge struct {
	Into   string `json:"into"`
	Reason string `json:"reason,omitempty"`
	Master *State `json:"-"`
}

// LinkDuplicate records on a master case that Duplicate was merged into it.
type LinkDuplicate struct {
	Duplicate string `json:"duplicate"`
}

// MarkDeadline is the scheduler's command: warn about a near deadline, or mark it overdue.
// It decides nothing when the deadline has moved, ended or was already marked.
type MarkDeadline struct {
	Stage   catalog.Stage `json:"stage"`
	Due     time.Time     `json:"due"`
	Overdue bool          `json:"overdue"`
}

func (Report) Name() string           { return "report" }
func (Verify) Name() string           { return "verify" }
func (Void) Name() string             { return "void" }
func (Register) Name() string         { return "register" }
func (CloseOnSpot) Name() string      { return "close-on-spot" }
func (DirectAnswer) Name() string     { return "direct-answer" }
func (Dispatch) Name() string         { return "dispatch" }
func (Accept) Name() string           { return "accept" }
func (Return) Name() string           { return "return" }
func (RequestExtension) Name() string { return "request-extension" }
func (GrantExtension) Name() string   { return "grant-extension" }
func (DenyExtension) Name() string    { return "deny-extension" }
func (Suspend) Name() string          { return "suspend" }
func (Resume) Name() string           { return "resume" }
func (Handle) Name() string           { return "handle" }
func (Inspect) Name() string          { return "inspect" }
func (Close) Name() string            { return "close" }
func (Revisit) Name() string          { return "revisit" }
func (Reopen) Name() string           { return "reopen" }
func (Supervise) Name() string        { return "supervise" }
func (Escalate) Name() string         { return "escalate" }
func (Merge) Name() string            { return "merge" }
func (LinkDuplicate) Name() string    { return "link-duplicate" }
func (MarkDeadline) Name() string     { return "mark-deadline" }
