package dashboard

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/indicators"
)

// indicatorAPI serves indicator values and their definitions.
type indicatorAPI struct {
	engine *indicators.Engine
	now    func() time.Time
	srv    *Server // its city model, once HandleGeo has mounted one, places areas for scopes
}

// HandleIndicators mounts the indicator API:
//
//	GET /api/v1/indicators           ?scope=city|district:<code>|…&at=<RFC 3339>&ids=a,b&format=json|csv
//	GET /api/v1/indicators/catalog   every indicator's definition, formula, dimensions, windows, thresholds
//	GET /api/v1/indicators/{id}/ranking  ?by=district|street|department|category|…&window=30d&at=…
//
// A principal reads the scopes its grants cover: a district leader reads its district and the
// areas in it, not the city.
func (s *Server) HandleIndicators(e *indicators.Engine, now func() time.Time) {
	a := &indicatorAPI{engine: e, now: now, srv: s}
	read := Access{Perm: identity.PermIndicators}
	s.route("GET /api/v1/indicators", read, a.values)
	s.route("GET /api/v1/indicators/catalog", read, a.catalog)
	s.route("GET /api/v1/indicators/{id}/ranking", read, a.ranking)
	s.route("GET /api/v1/indicators/{id}/series", read, a.series)
}

// IndicatorsView is the body of GET /api/v1/indicators: the values and, for each indicator
// answered, its definition (names, unit, formula, thresholds, reference), so a screen or a
// report needs no second request to label and colour them.
type IndicatorsView struct {
	Scope       indicators.Scope                `json:"scope"`
	At          time.Time                       `json:"at"`
	Indicators  []indicators.Values             `json:"indicators"`
	Definitions map[string]indicators.Indicator `json:"definitions"`
}

func (a *indicatorAPI) values(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sc, at, err := a.scopeAt(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var ids []string
	if v := q.Get("ids"); v != "" {
		ids = strings.Split(v, ",")
	}
	vs, err := a.engine.Evaluate(sc, at, ids)
	if err != nil {
		writeError(w, err)
		return
	}
	switch q.Get("format") {
	case "", "json":
		defs := map[string]indicators.Indicator{}
		for _, ind := range a.engine.Catalog().Indicators {
			defs[ind.ID] = ind
		}
		view := IndicatorsView{Scope: sc, At: at, Indicators: vs, Definitions: map[string]indicators.Indicator{}}
		for _, v := range vs {
			view.Definitions[v.ID] = defs[v.ID]
		}
		writeJSON(w, http.StatusOK, view)
	case "csv":
		writeIndicatorCSV(w, a.engine.Catalog(), sc, at, vs)
	default:
		writeError(w, domain.Invalid("format", "%q: want json or csv", q.Get("format")))
	}
}

func (a *indicatorAPI) instant(v string) (time.Time, error) {
	if v == "" {
		return a.now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, domain.Invalid("at", "%q is not an RFC 3339 instant", v)
	}
	return t, nil
}

// scopeAt reads ?scope= and ?at= and checks that the principal may read that scope.
func (a *indicatorAPI) scopeAt(r *http.Request) (indicators.Scope, time.Time, error) {
	q := r.URL.Query()
	sc, err := parseScope(q.Get("scope"))
	if err != nil {
		return sc, time.Time{}, err
	}
	at, err := a.instant(q.Get("at"))
	if err != nil {
		return sc, at, err
	}
	return sc, at, canReadScope(PrincipalOf(r), sc, a.srv.city)
}

// parseScope reads "city" or "<dimension>:<code>". Errors: invalid naming "scope".
func parseScope(v string) (indicators.Scope, error) {
	if v == "" || v == "city" {
		return indicators.Scope{Dim: "city"}, nil
	}
	dim, code, ok := strings.Cut(v, ":")
	if !ok || code == "" || !slices.Contains(indicators.Dimensions, dim) {
		return indicators.Scope{}, domain.Invalid("scope", "%q: want city or one of %s followed by :<code>", v, strings.Join(indicators.Dimensions[1:], ", "))
	}
	return indicators.Scope{Dim: dim, Code: code}, nil
}

// canReadScope allows an area scope to principals whose grants cover that area, and the city,
// departments, categories, sources and urgencies to city-wide principals (they are city-wide
// breakdowns). Areas are checked with their parents from the city model (areas, nil without
// one): a district's leader reads its streets and grids.
func canReadScope(p identity.Principal, sc indicators.Scope, areas *city.City) error {
	return p.Check(identity.PermIndicators, scopeTarget(sc, areas))
}

// scopeTarget is what a scope is checked against. A level not known (no model, an unknown
// code) is "\x00", which no grant covers: only a grant on the scope's own area admits it.
func scopeTarget(sc indicators.Scope, areas *city.City) *identity.Target {
	unknown := "\x00"
	t := &identity.Target{District: unknown, Street: unknown, Community: unknown, Grid: unknown}
	switch sc.Dim {
	case "district":
		t.District = sc.Code
	case "street":
		t.Street = sc.Code
	case "grid":
		t.Grid = sc.Code
	case "department":
		return &identity.Target{District: unknown, Department: sc.Code}
	default:
		return identity.WholeCity
	}
	if areas == nil {
		return t
	}
	for a := areas.Area(sc.Code); a != nil; a = areas.Area(a.Parent) {
		switch a.Level {
		case city.District:
			t.District = a.Code
		case city.Street:
			t.Street = a.Code
		case city.Community:
			t.Community = a.Code
		case city.Grid:
			t.Grid = a.Code
		}
	}
	return t
}

func writeIndicatorCSV(w http.ResponseWriter, cat *indicators.Catalog, sc indicators.Scope, at time.Time, vs []indicators.Values) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="indicators.csv"`)
	_, _ = w.Write([]byte("\xef\xbb\xbf")) // a BOM, so spreadsheet programs read the Chinese names
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name_zh", "name_en", "theme", "unit", "scope", "at", "window", "value", "yoy", "mom", "status"})
	byID := map[string]indicators.Indicator{}
	for _, ind := range cat.Indicators {
		byID[ind.ID] = ind
	}
	scope := sc.Dim
	if sc.Code != "" {
		scope += ":" + sc.Code
	}
	for _, v := range vs {
		ind := byID[v.ID]
		for _, win := range indicators.Windows {
			x, ok := v.Windows[win]
			if !ok {
				continue
			}
			_ = cw.Write([]string{v.ID, ind.Name.ZH, ind.Name.EN, ind.Theme, ind.Unit, scope, at.Format(time.RFC3339), win,
				num(x.Value), num(x.YoY), num(x.MoM), x.Status})
		}
	}
	cw.Flush()
}

func num(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func (a *indicatorAPI) catalog(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.engine.Catalog())
}

// RankingRow is one area's or unit's value in a ranking.
type RankingRow struct {
	Code   string   `json:"code"`
	Value  *float64 `json:"value"`
	Status string   `json:"status,omitempty"`
}

func (a *indicatorAPI) ranking(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, by, window := r.PathValue("id"), q.Get("by"), q.Get("window")
	if window == "" {
		window = "30d"
	}
	at, err := a.instant(q.Get("at"))
	if err != nil {
		writeError(w, err)
		return
	}
	// Rankings compare the whole city's areas or units: a city-wide reader only.
	if err := PrincipalOf(r).Check(identity.PermIndicators, identity.WholeCity); err != nil {
		writeError(w, err)
		return
	}
	rows, err := a.engine.Ranking(id, by, window, at)
	if err != nil {
		writeError(w, err)
		return
	}
	out := make([]RankingRow, len(rows))
	for i, x := range rows {
		out[i] = RankingRow{Code: x.Code, Value: x.Value.Value, Status: x.Value.Status}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "by": by, "window": window, "at": at, "ranking": out})
}
