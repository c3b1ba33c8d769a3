package cases

import (
	"fmt"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/worktime"
)

// Env is everything a decision may consult besides the case: the instant (the domain never
// reads the wall clock), who acts, and the city's catalog, routing table and working calendar.
type Env struct {
	Now      time.Time
	Actor    string
	Catalog  *catalog.Catalog
	Routing  *catalog.Routing
	Calendar worktime.Schedule
	// Locate finds the areas containing a WGS84 point (the city model); nil when the city
	// has no map, in which case the caller's codes are kept.
	Locate func(Point) Location
}

// Command is a request to change one case. Name is the stable command name used in errors,
// metrics and the HTTP routes.
type Command interface{ Name() string }

// allowed says in which statuses each command may run. Decide checks it before anything else,
// so an illegal transition is always a conflict naming the current status.
var allowed = map[string][]Status{
	"report":            {StatusNone},
	"verify":            {StatusReported},
	"void":              {StatusReported, StatusVerified},
	"register":          {StatusVerified},
	"close-on-spot":     {StatusReported},
	"direct-answer":     {StatusReported},
	"dispatch":          {StatusRegistered},
	"accept":            {StatusDispatched},
	"return":            {StatusDispatched, StatusAccepted},
	"request-extension": {StatusAccepted},
	"grant-extension":   {StatusAccepted},
	"deny-extension":    {StatusAccepted},
	"suspend":           {StatusAccepted},
	"resume":            {StatusSuspended},
	"handle":            {StatusAccepted},
	"inspect":           {StatusHandled},
	"close":             {StatusInspected},
	"revisit":           {StatusClosed},
	"reopen":            {StatusClosed},
	"supervise":         openStatuses,
	"escalate":          openStatuses,
	"merge":             openStatuses,
	"link-duplicate":    {StatusReported, StatusVerified, StatusRegistered, StatusDispatched, StatusAccepted, StatusSuspended, StatusHandled, StatusInspected, StatusClosed},
	"mark-deadline":     {StatusReported, StatusVerified, StatusRegistered, StatusDispatched, StatusAccepted, StatusHandled, StatusClosed},
}

var openStatuses = []Status{StatusReported, StatusVerified, StatusRegistered, StatusDispatched, StatusAccepted, StatusSuspended, StatusHandled, StatusInspected}

// Decide turns a command into the events it causes, or an error: invalid (a bad field, named),
// not_found (no such case), conflict (the case's status does not allow the command; the message
// names the status). It never changes s and never reads the clock.
func Decide(s *State, c Command, env Env) ([]Event, error) {
	if err := checkStatus(s, c.Name()); err != nil {
		return nil, err
	}
	var ps []Payload
	var err error
	switch c := c.(type) {
	case Report:
		ps, err = decideReport(s, c, env)
	case Verify:
		ps, err = decideVerify(c)
	case Void:
		ps, err = decideVoid(c)
	case Register:
		ps, err = decideRegister(s, c, env)
	case CloseOnSpot:
		ps, err = decideCloseOnSpot(s, c, env)
	case DirectAnswer:
		ps, err = decideDirectAnswer(s, c, env)
	case Dispatch:
		ps, err = decideDispatch(s, c, env)
	case Accept:
		ps, err = decideAccept(s, env)
	case Return:
		ps, err = decideReturn(s, c, env)
	case RequestExtension:
		ps, err = decideRequestExtension(s, c)
	case GrantExtension:
		ps, err = decideGrantExtension(s, c, env)
	case DenyExtension:
		ps, err = decideDenyExtension(s, c)
	case Suspend:
		ps, err = decideSuspend(s, c, env)
	case Resume:
		ps, err = decideResume(s, c, env)
	case Handle:
		ps, err = decideHandle(s, c, env)
	case Inspect:
		ps, err = decideInspect(s, c, env)
	case Close:
		ps, err = decideClose(s, c, env)
	case Revisit:
		ps, err = decideRevisit(s, c)
	case Reopen:
		ps, err = decideReopen(s, c, env)
	case Supervise:
		ps, err = decideSupervise(c)
	case Escalate:
		ps, err = decideEscalate(s, c)
	case Merge:
		ps, err = decideMerge(s, c)
	case LinkDuplicate:
		ps, err = decideLinkDuplicate(s, c)
	case MarkDeadline:
		ps, err = decideMarkDeadline(s, c, env)
	default:
		return nil, domain.Invalid("command", "unknown command %q", c.Name())
	}
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	at := env.Now
	if r, ok := c.(Report); ok && r.OccurredAt != nil {
		at = *r.OccurredAt
	}
	events := make([]Event, len(ps))
	for i, p := range ps {
		events[i] = Event{OccurredAt: at, Payload: p}
	}
	return events, nil
}

func checkStatus(s *State, name string) error {
	statuses, ok := allowed[name]
	if !ok {
		return domain.Invalid("command", "unknown command %q", name)
	}
	for _, st := range statuses {
		if s.Status == st {
			return nil
		}
	}
	if s.Status == StatusNone {
		return domain.NotFound("case", "case %s does not exist", s.ID)
	}
	if name == "report" {
		return domain.Conflict("status", "case %s already exists (status %s)", s.ID, s.Status)
	}
	names := make([]string, len(statuses))
	for i, st := range statuses {
		names[i] = string(st)
	}
	return &domain.Error{Code: domain.CodeConflict, Field: "status",
		Msg: fmt.Sprintf("cannot %s a case that is %s; %s needs %s", name, s.Status, name, strings.Join(names, " or "))}
}

// CanRun reports whether command name is legal in status st (for UIs that grey out buttons).
func CanRun(name string, st Status) bool {
	for _, a := range allowed[name] {
		if a == st {
			return true
		}
	}
	return false
}

// CommandNames lists every command Decide knows, for tables and routes.
func CommandNames() []string {
	names := make([]string, 0, len(allowed))
	for n := range allowed {
		names = append(names, n)
	}
	return names
}
