package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/projections"
)

// readModelAPI serves the read side: the case list, task queues, the map's case points and the
// projections' progress.
type readModelAPI struct {
	list   *projections.CaseList
	runner *projections.Runner
}

// HandleReadModels mounts the read models:
//
//	GET /api/v1/cases        the case list: ?status=a,b&category=&district=&street=&community=&grid=
//	                         &department=&handler=&source=&urgency=&overdue=&text=&from=&to=&cursor=&limit=
//	GET /api/v1/tasks        a task queue: ?department=<code> or ?handler=<staff>, &limit=
//	GET /api/v1/map/cases    open cases as GeoJSON points: ?bbox=minLon,minLat,maxLon,maxLat&status=&limit=
//	GET /api/v1/projections  each projection's state, position and lag
//
// The lists hold only the cases the caller may read (case.read in a scope covering the case),
// with reporters masked unless the caller holds personal.read on the case; so the routes need
// case.read in some scope, and an out-of-scope caller gets an empty list, not a 403. Every
// list also takes ?position=<p> (read your writes: answer once the list holds every event up
// to p, waiting at most 5 s, 503 after). Bad parameters are 400 naming the parameter.
func (s *Server) HandleReadModels(list *projections.CaseList, runner *projections.Runner) {
	a := &readModelAPI{list: list, runner: runner}
	read := Access{Perm: identity.PermCaseRead}
	s.route("GET /api/v1/cases", read, a.cases)
	s.route("GET /api/v1/tasks", read, a.tasks)
	s.route("GET /api/v1/map/cases", read, a.mapCases)
	s.route("GET /api/v1/projections", Access{Perm: identity.PermStatusRead}, a.projections)
}

// CaseListView is the body of GET /api/v1/cases.
type CaseListView struct {
	projections.CasePage
	Position uint64 `json:"position"` // the last event the list holds
}

// TaskListView is the body of GET /api/v1/tasks.
type TaskListView struct {
	projections.TaskPage
	Position uint64 `json:"position"`
}

// ProjectionsView is the body of GET /api/v1/projections.
type ProjectionsView struct {
	Projections []projections.ProjectionStatus `json:"projections"`
}

// params reads a query string, refusing parameters a route does not know (a mistyped filter
// would otherwise silently list everything) and repeated single-valued ones.
type params struct {
	q   url.Values
	err error
}

func newParams(r *http.Request, known ...string) *params {
	p := &params{q: r.URL.Query()}
	for k, vs := range p.q {
		switch {
		case !slices.Contains(known, k):
			p.fail(domain.Invalid(k, "is not a parameter of %s (known: %s)", r.URL.Path, strings.Join(known, ", ")))
		case len(vs) > 1 && k != "status":
			p.fail(domain.Invalid(k, "is given %d times", len(vs)))
		}
	}
	return p
}

func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// code reads an area, department, staff or category code: short, no spaces or controls.
func (p *params) code(name string) string {
	v := p.q.Get(name)
	if len(v) > 64 || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		p.fail(domain.Invalid(name, "%q is not a code (at most 64 bytes, no spaces)", v))
		return ""
	}
	return v
}

func (p *params) limit(most int) int {
	v := p.q.Get("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		p.fail(domain.Invalid("limit", "%q: want a number from 1 to %d", v, most))
	}
	return n
}

func (p *params) statuses() []cases.Status {
	var out []cases.Status
	for _, v := range p.q["status"] {
		for _, s := range strings.Split(v, ",") {
			st := cases.Status(strings.TrimSpace(s))
			if !slices.Contains(allStatuses, st) {
				p.fail(domain.Invalid("status", "%q is not a case status (%s)", s, joinStatuses()))
				return nil
			}
			out = append(out, st)
		}
	}
	return out
}

var allStatuses = []cases.Status{cases.StatusReported, cases.StatusVerified, cases.StatusVoided, cases.StatusRegistered,
	cases.StatusDispatched, cases.StatusAccepted, cases.StatusSuspended, cases.StatusHandled, cases.StatusInspected,
	cases.StatusClosed, cases.StatusMerged}

func joinStatuses() string {
	names := make([]string, len(allStatuses))
	for i, s := range allStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func (p *params) time(name string) time.Time {
	v := p.q.Get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.fail(domain.Invalid(name, "%q is not an RFC 3339 time like 2026-03-02T09:00:00+08:00", v))
	}
	return t
}

// waitPosition holds the answer until the list has applied ?position (read your writes).
func (a *readModelAPI) waitPosition(r *http.Request, p *params) error {
	v := p.q.Get("position")
	if v == "" || p.err != nil {
		return p.err
	}
	pos, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return domain.Invalid("position", "%q is not a log position", v)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	return a.runner.WaitFor(ctx, projections.CaseListName, pos)
}

func (a *readModelAPI) position() uint64 {
	pos, _ := a.runner.Position(projections.CaseListName)
	return pos
}

func (a *readModelAPI) cases(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "status", "category", "district", "street", "community", "grid", "department", "handler",
		"source", "urgency", "overdue", "text", "from", "to", "cursor", "limit", "position", "facet", "at")
	q := projections.CaseQuery{Facet: p.q.Get("facet"), At: p.time("at"), Status: p.statuses(), Category: p.code("category"), District: p.code("district"),
		Street: p.code("street"), Community: p.code("community"), Grid: p.code("grid"), Department: p.code("department"),
		Handler: p.code("handler"), Text: p.q.Get("text"), From: p.time("from"), To: p.time("to"), Cursor: p.q.Get("cursor"),
		Limit: p.limit(projections.MaxLimit)}
	if src := p.q.Get("source"); src != "" {
		if q.Source = cases.Source(src); !q.Source.Valid() {
			p.fail(domain.Invalid("source", "%q is not a source (%s)", src, joinSources()))
		}
	}
	if u := p.q.Get("urgency"); u != "" {
		if q.Urgency = catalog.Urgency(u); !slices.Contains(catalog.Urgencies, q.Urgency) {
			p.fail(domain.Invalid("urgency", "%q is not an urgency (normal, urgent, critical)", u))
		}
	}
	if v := p.q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			p.fail(domain.Invalid("overdue", "%q: want true or false", v))
		}
		q.Overdue = &b
	}
	if n := utf8.RuneCountInString(q.Text); n > 100 || !utf8.ValidString(q.Text) {
		p.fail(domain.Invalid("text", "at most 100 characters of UTF-8"))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		p.fail(domain.Invalid("to", "must be after from"))
	}
	if err := a.waitPosition(r, p); err != nil {
		writeError(w, err)
		return
	}
	page, err := a.list.Query(PrincipalOf(r), q)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, CaseListView{CasePage: page, Position: a.position()})
}

func joinSources() string {
	names := make([]string, len(cases.Sources))
	for i, s := range cases.Sources {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func (a *readModelAPI) tasks(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "department", "handler", "limit", "position")
	q := projections.TaskQuery{Department: p.code("department"), Handler: p.code("handler"), Limit: p.limit(projections.MaxLimit)}
	if err := a.waitPosition(r, p); err != nil {
		writeError(w, err)
		return
	}
	page, err := a.list.Tasks(PrincipalOf(r), q)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, TaskListView{TaskPage: page, Position: a.position()})
}

func (a *readModelAPI) mapCases(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "bbox", "status", "district", "limit", "position", "at")
	q := projections.MapQuery{Status: p.statuses(), District: p.code("district"), Limit: p.limit(projections.MaxMapLimit), At: p.time("at")}
	for _, st := range q.Status {
		if !st.Open() {
			p.fail(domain.Invalid("status", "%q is not an open status: the map shows open cases", st))
		}
	}
	if v := p.q.Get("bbox"); v != "" {
		q.BBox = parseBBox(v)
		if q.BBox == nil {
			p.fail(domain.Invalid("bbox", "%q: want minLon,minLat,maxLon,maxLat in degrees, min <= max", v))
		}
	}
	if err := a.waitPosition(r, p); err != nil {
		writeError(w, err)
		return
	}
	fc, err := a.list.MapCases(PrincipalOf(r), q)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(fc)
}

func parseBBox(s string) *projections.BBox {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil
	}
	var v [4]float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || f != f || f < -180 || f > 180 || (i%2 == 1 && (f < -90 || f > 90)) {
			return nil
		}
		v[i] = f
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil
	}
	return &projections.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
}

func (a *readModelAPI) projections(w http.ResponseWriter, r *http.Request) {
	if err := newParams(r).err; err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ProjectionsView{Projections: a.runner.Status()})
}
