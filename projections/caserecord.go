package projections

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// caseRecord is a case list row as the sink stores it: the whole case state (so applying
// resumes exactly where it stopped), with the deadline maps, which cases.State does not put in
// its JSON, as sorted lists.
type caseRecord struct {
	State       *cases.State     `json:"state"`
	Description string           `json:"description,omitempty"`
	Position    uint64           `json:"position"`
	Deadlines   []cases.Deadline `json:"deadlines,omitempty"`
	Warned      []deadlineMark   `json:"warned,omitempty"`
	Overdue     []deadlineMark   `json:"overdue,omitempty"`
	History     []stage          `json:"history,omitempty"`
}

type deadlineMark struct {
	Stage catalog.Stage `json:"stage"`
	Due   int64         `json:"due"` // Unix nanoseconds, as cases.DeadlineKey
}

func marksOf(m map[cases.DeadlineKey]bool) []deadlineMark {
	out := make([]deadlineMark, 0, len(m))
	for k, v := range m {
		if v {
			out = append(out, deadlineMark{k.Stage, k.Due})
		}
	}
	slices.SortFunc(out, func(a, b deadlineMark) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Stage, b.Stage)) })
	return out
}

func marksFrom(ms []deadlineMark) map[cases.DeadlineKey]bool {
	if len(ms) == 0 {
		return nil
	}
	out := make(map[cases.DeadlineKey]bool, len(ms))
	for _, m := range ms {
		out[cases.DeadlineKey{Stage: m.Stage, Due: m.Due}] = true
	}
	return out
}

// sortedDeadlines lists the running deadlines, soonest first (stage breaks ties), so that a
// row's bytes depend only on the case, never on map order.
func sortedDeadlines(m map[catalog.Stage]cases.Deadline) []cases.Deadline {
	out := make([]cases.Deadline, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b cases.Deadline) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Stage, b.Stage)) })
	return out
}

func decodeRecord(key string, value []byte) (*caseEntry, error) {
	var r caseRecord
	if err := json.Unmarshal(value, &r); err != nil || r.State == nil || r.State.ID != key {
		return nil, domain.Internal("case list: stored row "+key+" does not decode", err)
	}
	st := r.State
	st.Warned, st.Overdue = marksFrom(r.Warned), marksFrom(r.Overdue)
	if len(r.Deadlines) > 0 {
		st.Deadlines = make(map[catalog.Stage]cases.Deadline, len(r.Deadlines))
		for _, d := range r.Deadlines {
			st.Deadlines[d.Stage] = d
		}
	}
	en := &caseEntry{st: st, description: r.Description, position: r.Position, sortAt: sortTime(st.ReportedAt), listed: true, history: r.History}
	en.index()
	en.marks()
	return en, nil
}

// SLA colours of a case row.
const (
	SLAGreen = "green" // within its deadlines
	SLAAmber = "amber" // a running deadline was warned about (CaseDeadlineWarned)
	SLARed   = "red"   // a running deadline passed (CaseOverdue)
	SLAGrey  = "grey"  // closed, voided or merged: no clock runs
)

// Point is a case's position in WGS84.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// CaseRow is one case of the list, as the API returns it. Reporter is masked for principals
// without personal.read on the case.
type CaseRow struct {
	ID                string           `json:"id"`
	Status            cases.Status     `json:"status"`
	Source            cases.Source     `json:"source"`
	Category          string           `json:"category"`
	Urgency           catalog.Urgency  `json:"urgency"`
	Title             string           `json:"title"`
	Address           string           `json:"address,omitempty"`
	Point             *Point           `json:"point,omitempty"`
	District          string           `json:"district,omitempty"`
	Street            string           `json:"street,omitempty"`
	Community         string           `json:"community,omitempty"`
	Grid              string           `json:"grid,omitempty"`
	OutOfJurisdiction bool             `json:"outOfJurisdiction,omitempty"`
	Department        string           `json:"department,omitempty"`
	Handler           string           `json:"handler,omitempty"`
	Reporter          *cases.Reporter  `json:"reporter,omitempty"`
	ReportedAt        time.Time        `json:"reportedAt"`
	LastChanged       time.Time        `json:"lastChanged"`
	Deadlines         []cases.Deadline `json:"deadlines"` // the running ones, soonest first
	Overdue           bool             `json:"overdue"`
	SLA               string           `json:"sla"`
	Returns           int              `json:"returns"`
	Reworks           int              `json:"reworks"`
	Extensions        int              `json:"extensions"`
	Supervised        int              `json:"supervised"`
	Reopens           int              `json:"reopens"`
	Escalation        int              `json:"escalation"`
	Version           uint64           `json:"version"`  // events applied to the case
	Position          uint64           `json:"position"` // global position of its last event
}

func (en *caseEntry) sla() string {
	return slaOf(stage{Status: en.st.Status, Overdue: en.overdue, Warned: en.warned})
}

// row is the entry as a row, with the reporter unmasked: callers mask it.
func (en *caseEntry) row() CaseRow {
	st := en.st
	loc := st.Location
	r := CaseRow{ID: st.ID, Status: st.Status, Source: st.Source, Category: st.Category, Urgency: st.Urgency,
		Title: st.Title, Address: loc.Address, District: loc.District, Street: loc.Street, Community: loc.Community,
		Grid: loc.Grid, OutOfJurisdiction: loc.OutOfJurisdiction, Department: st.Department, Handler: st.Handler,
		ReportedAt: st.ReportedAt, LastChanged: st.LastChanged, Deadlines: sortedDeadlines(st.Deadlines),
		Overdue: en.overdue, SLA: en.sla(), Returns: st.Returns, Reworks: st.Reworks, Extensions: st.Extensions,
		Supervised: st.Supervised, Reopens: st.Reopens, Escalation: st.Escalation, Version: st.Version, Position: en.position}
	if loc.Point != nil {
		r.Point = &Point{Lon: loc.Point.Lon, Lat: loc.Point.Lat}
	}
	if st.Reporter != nil {
		rep := *st.Reporter
		r.Reporter = &rep
	}
	return r
}
