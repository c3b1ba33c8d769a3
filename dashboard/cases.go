package dashboard

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/identity"
)

// Headers of the command API. The actor is never a header: it is the authenticated principal.
// The channel a user reports through may be named (web, app, hotline desk); an API key's
// channel is fixed when the key is issued.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
	HeaderChannel        = "X-Chengyun-Channel"
)

// caseAPI serves the case commands and reads of DESIGN.md §2's write side.
type caseAPI struct {
	h       *commands.Handler
	metrics *Metrics
	catalog *catalog.Catalog
	routing *catalog.Routing
}

// HandleCases mounts the case command API:
//
//	POST /api/v1/cases                 report a case (201, Location header)
//	POST /api/v1/cases/{id}/{command}  verify, register, dispatch, accept, … (see commands.Names)
//	GET  /api/v1/cases/{id}            the case's state, its legal next commands, its timeline
//	GET  /api/v1/categories            the category catalog
//	GET  /api/v1/departments           the city's departments
//	GET  /api/v1/routing/suggest       ?category=&district=&street=&grid= → department
func (s *Server) HandleCases(h *commands.Handler, cat *catalog.Catalog, routing *catalog.Routing) {
	a := &caseAPI{h: h, metrics: s.metrics, catalog: cat, routing: routing}
	catalogRead := Access{Perm: identity.PermCatalogRead}
	s.route("POST /api/v1/cases", Access{Perm: identity.CasePermission("report")}, a.report)
	s.route("POST /api/v1/cases/{id}/{command}", Access{ByCommand: true}, a.command)
	s.route("GET /api/v1/cases/{id}", Access{Perm: identity.PermCaseRead}, a.get)
	s.route("GET /api/v1/categories", catalogRead, a.categories)
	s.route("GET /api/v1/departments", catalogRead, a.departments)
	s.route("GET /api/v1/routing/suggest", catalogRead, a.suggest)
}

func (a *caseAPI) report(w http.ResponseWriter, r *http.Request) {
	meta := metaOf(r)
	a.run(w, r, commands.NewCaseID(meta), "report", meta, http.StatusCreated)
}

func (a *caseAPI) command(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("command")
	if name == "report" {
		writeError(w, domain.NotFound("command", "a case is reported with POST /api/v1/cases"))
		return
	}
	a.run(w, r, r.PathValue("id"), name, metaOf(r), http.StatusOK)
}

func (a *caseAPI) run(w http.ResponseWriter, r *http.Request, id, name string, meta commands.Meta, status int) {
	start := time.Now()
	res, err := a.execute(w, r, id, name, meta)
	if commands.Known(name) { // unknown names stay out of the metric labels
		a.metrics.ObserveCommand(name, err, time.Since(start))
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if res.Replayed {
		w.Header().Set(HeaderReplayed, "true")
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/cases/"+res.CaseID)
	}
	writeJSON(w, status, res)
}

func (a *caseAPI) execute(w http.ResponseWriter, r *http.Request, id, name string, meta commands.Meta) (commands.Result, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, commands.MaxCommandBytes))
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		return commands.Result{}, domain.TooLarge("body", "at most %d bytes", commands.MaxCommandBytes)
	} else if err != nil {
		return commands.Result{}, domain.Invalid("body", "could not be read: %v", err)
	}
	cmd, err := commands.Decode(name, body)
	if err != nil {
		return commands.Result{}, err
	}
	return a.h.Execute(r.Context(), id, cmd, meta)
}

// metaOf names the command's actor from the authenticated principal, so every event says who
// caused it; an API key reports through the channel it was issued for.
func metaOf(r *http.Request) commands.Meta {
	p := PrincipalOf(r)
	ch := p.Channel
	if ch == "" {
		if ch = r.Header.Get(HeaderChannel); ch == "" {
			ch = "http"
		}
	}
	return commands.Meta{Actor: p.Actor(), Channel: ch, IdempotencyKey: r.Header.Get(HeaderIdempotencyKey),
		CorrelationID: r.Header.Get("X-Request-Id"), Principal: &p}
}

// CaseView is the body of GET /api/v1/cases/{id}.
type CaseView struct {
	Case     caseState              `json:"case"`
	Actions  []string               `json:"actions"` // commands legal in the current status
	Timeline []domain.RecordedEvent `json:"timeline"`
}

type caseState struct {
	*cases.State
	Deadlines []cases.Deadline `json:"deadlines"`
}

func (a *caseAPI) get(w http.ResponseWriter, r *http.Request) {
	st, events, err := a.h.History(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	p, t := PrincipalOf(r), commands.TargetOf(st)
	if err := p.Check(identity.PermCaseRead, &t); err != nil {
		writeError(w, err)
		return
	}
	if !p.CanOn(identity.PermPersonalRead, t) {
		st, events = maskCase(st, events)
	}
	view := CaseView{Case: caseState{State: st}, Timeline: events, Actions: []string{}}
	for _, d := range st.Deadlines {
		view.Case.Deadlines = append(view.Case.Deadlines, d)
	}
	slices.SortFunc(view.Case.Deadlines, func(x, y cases.Deadline) int { return x.Due.Compare(y.Due) })
	for _, n := range commands.Names() {
		if n != "report" && cases.CanRun(n, st.Status) && p.CanOn(identity.CasePermission(n), t) {
			view.Actions = append(view.Actions, n)
		}
	}
	slices.Sort(view.Actions)
	writeJSON(w, http.StatusOK, view)
}

func (a *caseAPI) categories(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"name": a.catalog.Name(), "categories": a.catalog.Categories()})
}

func (a *caseAPI) departments(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"departments": a.routing.Departments()})
}

func (a *caseAPI) suggest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	category := strings.TrimSpace(q.Get("category"))
	if category == "" {
		writeError(w, domain.Invalid("category", "is required"))
		return
	}
	route, err := a.routing.Suggest(category, catalog.Location{District: q.Get("district"), Street: q.Get("street"), Grid: q.Get("grid")})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, route)
}
