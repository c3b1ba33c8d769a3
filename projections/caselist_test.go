package projections_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/projections"
)

var admin = identity.Principal{Kind: identity.KindUser, ID: "u-admin", Login: "admin",
	Grants: []identity.Grant{{Role: identity.RoleAdmin, Scope: identity.City}}}

func principal(role identity.Role, scope identity.Scope) identity.Principal {
	return identity.Principal{Kind: identity.KindUser, ID: "u-" + string(role), Login: string(role),
		Grants: []identity.Grant{{Role: role, Scope: scope}}}
}

// history is a small city: cases in three districts through different paths, so every filter
// has something to find and something to leave out.
type history struct {
	w                                             *world
	open, closed, voided, dispatched, hotline, p2 string
	urgent, english, suspended, returned, early   string
	earlyAt                                       time.Time
}

func newHistory(t *testing.T, w *world) *history {
	h := &history{w: w}
	h.open = w.report(0, cases.Report{Title: "井盖缺失", Description: "中北路人行道上的井盖不见了"})
	w.run(h.open, verify)
	h.closed = w.report(0, cases.Report{Category: "P0102", Title: "污水井盖破损"})
	w.run(h.closed, toClose...)
	h.voided = w.report(1, cases.Report{Source: cases.SourceVideo, Title: "误报"})
	w.run(h.voided, cases.Void{Reason: "重复"})
	h.dispatched = w.report(1, cases.Report{Category: "E0101", Title: "私搭乱建"})
	w.run(h.dispatched, verify, register, dispatch)
	h.hotline = w.report(2, cases.Report{Source: cases.SourceHotline, Category: "H0101", Title: "噪音扰民",
		Reporter: &cases.Reporter{Name: "李先生", Phone: "13800138000"}})
	h.p2 = w.report(2, cases.Report{Category: "P0201", Title: "公交站亭损坏", Location: cases.Location{Address: "解放大道 1 号"}})
	w.run(h.p2, verify, register, dispatch, accept)
	h.urgent = w.report(0, cases.Report{Urgency: "urgent", Title: "路灯不亮"})
	h.english = w.report(1, cases.Report{Title: "Broken STREET Light near the Bridge"})
	h.suspended = w.report(2, cases.Report{Title: "道路塌陷"})
	w.run(h.suspended, verify, register, dispatch, accept, cases.Suspend{Reason: "等待审批"})
	h.returned = w.report(0, cases.Report{Title: "垃圾满溢"})
	w.run(h.returned, verify, register, dispatch, cases.Return{Reason: "非本单位职责"}, dispatch)
	h.earlyAt = monday.Add(-48 * time.Hour)
	h.early = w.report(1, cases.Report{Title: "早前的案件", OccurredAt: &h.earlyAt})
	return h
}

func (h *history) all() []string {
	return []string{h.open, h.closed, h.voided, h.dispatched, h.hotline, h.p2, h.urgent, h.english, h.suspended, h.returned, h.early}
}

func query(t *testing.T, l *projections.CaseList, p identity.Principal, q projections.CaseQuery) []string {
	t.Helper()
	page, err := l.Query(p, q)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != len(page.Cases) && page.Next == "" {
		t.Fatalf("total %d with %d rows and no next page", page.Total, len(page.Cases))
	}
	return ids(page.Cases)
}

func sameSet(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestCaseListFilters(t *testing.T) {
	w := newWorld(t)
	h := newHistory(t, w)
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	yes, no := true, false
	pl := w.city.places
	dept := list.All()[slices.IndexFunc(list.All(), func(r projections.CaseRow) bool { return r.ID == h.p2 })].Department
	cases_ := []struct {
		name string
		q    projections.CaseQuery
		want []string
	}{
		{"everything", projections.CaseQuery{}, h.all()},
		{"one status", projections.CaseQuery{Status: []cases.Status{cases.StatusReported}}, []string{h.hotline, h.urgent, h.english, h.early}},
		{"two statuses", projections.CaseQuery{Status: []cases.Status{cases.StatusClosed, cases.StatusVoided}}, []string{h.closed, h.voided}},
		{"category code", projections.CaseQuery{Category: "P0102"}, []string{h.closed}},
		{"category class", projections.CaseQuery{Category: "P01"}, []string{h.open, h.closed, h.voided, h.urgent, h.english, h.suspended, h.returned, h.early}},
		{"category kind", projections.CaseQuery{Category: "E"}, []string{h.dispatched}},
		{"district", projections.CaseQuery{District: pl[2].district}, []string{h.hotline, h.p2, h.suspended}},
		{"street", projections.CaseQuery{Street: pl[1].street}, []string{h.voided, h.dispatched, h.english, h.early}},
		{"community", projections.CaseQuery{Community: pl[0].community}, []string{h.open, h.closed, h.urgent, h.returned}},
		{"grid", projections.CaseQuery{Grid: pl[0].grid}, []string{h.open, h.closed, h.urgent, h.returned}},
		{"department", projections.CaseQuery{Department: dept}, []string{h.p2}},
		{"handler", projections.CaseQuery{Handler: "test"}, []string{h.closed, h.p2, h.suspended}},
		{"source", projections.CaseQuery{Source: cases.SourceHotline}, []string{h.hotline}},
		{"urgency", projections.CaseQuery{Urgency: catalog.Urgency("urgent")}, []string{h.urgent}},
		{"not overdue", projections.CaseQuery{Overdue: &no, Source: cases.SourceVideo}, []string{h.voided}},
		{"overdue", projections.CaseQuery{Overdue: &yes}, nil},
		{"text in title, Chinese", projections.CaseQuery{Text: "井盖"}, []string{h.open, h.closed}},
		{"text in description", projections.CaseQuery{Text: "人行道"}, []string{h.open}},
		{"text in address", projections.CaseQuery{Text: "解放大道"}, []string{h.p2}},
		{"text, any case", projections.CaseQuery{Text: "street LIGHT"}, []string{h.english}},
		{"reported from", projections.CaseQuery{From: monday}, slices.DeleteFunc(h.all(), func(id string) bool { return id == h.early })},
		{"reported before", projections.CaseQuery{To: monday}, []string{h.early}},
		{"combined", projections.CaseQuery{District: pl[0].district, Status: []cases.Status{cases.StatusDispatched, cases.StatusVerified}}, []string{h.open, h.returned}},
	}
	for _, c := range cases_ {
		if got := query(t, list, admin, c.q); !sameSet(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	row := list.All()[slices.IndexFunc(list.All(), func(r projections.CaseRow) bool { return r.ID == h.returned })]
	if row.Returns != 1 || row.Status != cases.StatusDispatched || row.Version != 6 || row.SLA != projections.SLAGreen || len(row.Deadlines) != 2 {
		t.Errorf("returned case row: %+v", row)
	}
	if row.Point == nil || row.District != pl[0].district || row.Grid != pl[0].grid {
		t.Errorf("returned case location: %+v", row)
	}
}

func TestCaseListPaging(t *testing.T) {
	w := newWorld(t)
	h := newHistory(t, w)
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	// Newest reported first: the back-dated report is last, the others in report order.
	want := slices.Clone(h.all()[:len(h.all())-1])
	slices.Reverse(want)
	want = append(want, h.early)
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := list.Query(admin, projections.CaseQuery{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) || len(page.Cases) > 3 || pages > 5 {
			t.Fatalf("page %d: total %d, %d rows", pages, page.Total, len(page.Cases))
		}
		got = append(got, ids(page.Cases)...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged %v\nwant %v", got, want)
	}
	// A case reported after the first page was read does not shift the later pages.
	first, _ := list.Query(admin, projections.CaseQuery{Limit: 3})
	late := w.report(0, cases.Report{Title: "新案件"})
	waitAll(t, r, w.head())
	second, _ := list.Query(admin, projections.CaseQuery{Limit: 3, Cursor: first.Next})
	if !slices.Equal(ids(second.Cases), want[3:6]) || second.Total != len(want)+1 {
		t.Fatalf("second page after a new report: %v (total %d), want %v", ids(second.Cases), second.Total, want[3:6])
	}
	if top, _ := list.Query(admin, projections.CaseQuery{Limit: 1}); ids(top.Cases)[0] != late {
		t.Fatalf("newest is %v, want %s", ids(top.Cases), late)
	}
	for _, bad := range []projections.CaseQuery{{Limit: 201}, {Limit: -1}, {Cursor: "nonsense!"}, {Cursor: "djE6eDp5"}} {
		_, err := list.Query(admin, bad)
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodeInvalid || (de.Field != "limit" && de.Field != "cursor") {
			t.Errorf("query %+v: %v, want invalid naming limit or cursor", bad, err)
		}
	}
}

func TestCaseListScopeAndMasking(t *testing.T) {
	w := newWorld(t)
	h := newHistory(t, w)
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	pl := w.city.places
	inDistrict := []string{h.hotline, h.p2, h.suspended}
	for _, c := range []struct {
		who  identity.Principal
		want []string
	}{
		{principal(identity.RoleLeader, identity.Scope{Kind: identity.ScopeDistrict, Code: pl[2].district}), inDistrict},
		{principal(identity.RoleGrid, identity.Scope{Kind: identity.ScopeGrid, Code: pl[2].grid}), inDistrict},
		{principal(identity.RoleStreet, identity.Scope{Kind: identity.ScopeStreet, Code: "no-such-street"}), nil},
		{principal(identity.RoleHandler, identity.Scope{Kind: identity.ScopeDepartment, Code: "no-such-department"}), nil},
		{identity.Anonymous, nil},
		{identity.Screen, h.all()},
	} {
		page, err := list.Query(c.who, projections.CaseQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if !sameSet(ids(page.Cases), c.want) || page.Total != len(c.want) {
			t.Errorf("%s %v sees %v (total %d), want %v", c.who.Login, c.who.Grants, ids(page.Cases), page.Total, c.want)
		}
	}
	phoneOf := func(p identity.Principal) string {
		page, _ := list.Query(p, projections.CaseQuery{Source: cases.SourceHotline})
		if len(page.Cases) != 1 || page.Cases[0].Reporter == nil {
			t.Fatalf("%s: hotline case %+v", p.Login, page.Cases)
		}
		return page.Cases[0].Reporter.Name + " " + page.Cases[0].Reporter.Phone
	}
	if got := phoneOf(principal(identity.RoleLeader, identity.City)); got != "李** 138****8000" {
		t.Errorf("leader sees %q, want masked", got)
	}
	if got := phoneOf(principal(identity.RoleOperator, identity.City)); got != "李先生 13800138000" {
		t.Errorf("operator sees %q, want the reporter", got)
	}
	// A department's handler sees their department's queue and nothing of another's.
	dept := ""
	for _, row := range list.All() {
		if row.ID == h.p2 {
			dept = row.Department
		}
	}
	handler := principal(identity.RoleHandler, identity.Scope{Kind: identity.ScopeDepartment, Code: dept})
	if got, err := list.Tasks(handler, projections.TaskQuery{Department: dept}); err != nil || !slices.Contains(ids(got.Tasks), h.p2) {
		t.Errorf("own queue: %v %v", got, err)
	}
	for _, row := range list.All() {
		if row.Department != "" && row.Department != dept {
			if got, _ := list.Tasks(handler, projections.TaskQuery{Department: row.Department}); got.Total != 0 {
				t.Errorf("handler of %s sees %d tasks of %s", dept, got.Total, row.Department)
			}
		}
	}
}

func TestTaskQueuesAndMap(t *testing.T) {
	w := newWorld(t)
	h := newHistory(t, w)
	layers := newLayers(t)
	list := projections.NewCaseList(layers)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	rows := map[string]projections.CaseRow{}
	for _, row := range list.All() {
		rows[row.ID] = row
	}
	dept := rows[h.dispatched].Department
	q, err := list.Tasks(admin, projections.TaskQuery{Department: dept})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range []string{h.dispatched, h.p2, h.suspended, h.returned} {
		if rows[id].Department == dept {
			want = append(want, id)
		}
	}
	if !sameSet(ids(q.Tasks), want) || q.Total != len(want) {
		t.Fatalf("queue of %s: %v, want %v", dept, ids(q.Tasks), want)
	}
	for i := 1; i < len(q.Tasks); i++ {
		if soonest(q.Tasks[i]).Before(soonest(q.Tasks[i-1])) {
			t.Fatalf("queue not by deadline: %v", q.Tasks)
		}
	}
	mine, _ := list.Tasks(admin, projections.TaskQuery{Handler: "test"})
	if !sameSet(ids(mine.Tasks), []string{h.p2, h.suspended}) || ids(mine.Tasks)[1] != h.suspended {
		t.Fatalf("handler's queue %v: the suspended case (no running deadline) goes last", ids(mine.Tasks))
	}
	w.run(h.p2, handle)
	waitAll(t, r, w.head())
	if mine, _ = list.Tasks(admin, projections.TaskQuery{Handler: "test"}); !slices.Equal(ids(mine.Tasks), []string{h.suspended}) {
		t.Fatalf("a handled case stays in the queue: %v", ids(mine.Tasks))
	}
	for _, bad := range []projections.TaskQuery{{}, {Department: "a", Handler: "b"}, {Department: "a", Limit: 500}} {
		if _, err := list.Tasks(admin, bad); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("tasks %+v: %v", bad, err)
		}
	}

	// The map: open cases only, inside the box, with their SLA colour.
	fc, err := list.MapCases(admin, projections.MapQuery{})
	if err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, id := range h.all() {
		if rows[id].Status.Open() {
			open++
		}
	}
	if fc.Total != open || len(fc.Features) != open || fc.Type != "FeatureCollection" || fc.Features[0].Geometry.Type != "Point" {
		t.Fatalf("map: %d of %d features, want %d open", len(fc.Features), fc.Total, open)
	}
	p0 := w.city.places[0].point
	box := &projections.BBox{MinLon: p0.Lon - 1e-6, MinLat: p0.Lat - 1e-6, MaxLon: p0.Lon + 1e-6, MaxLat: p0.Lat + 1e-6}
	fc, _ = list.MapCases(admin, projections.MapQuery{BBox: box, Limit: 1})
	if fc.Total != 3 || len(fc.Features) != 1 || !fc.Truncated || fc.Features[0].Properties.SLA != projections.SLAGreen {
		t.Fatalf("map in a box around place 0: %+v", fc)
	}
	if _, err := list.MapCases(admin, projections.MapQuery{BBox: &projections.BBox{MinLon: 2, MaxLon: 1}}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("inverted box: %v", err)
	}

	// Counts of open cases per district, street and grid, moved as cases open and close.
	checkLayers(t, list, layers)
	w.run(h.open, register, dispatch, accept, handle, inspect, closeIt)
	w.run(h.urgent, cases.Void{Reason: "误报"})
	waitAll(t, r, w.head())
	checkLayers(t, list, layers)
}

func soonest(r projections.CaseRow) time.Time {
	if len(r.Deadlines) == 0 {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return r.Deadlines[0].Due
}

func TestCaseListTextSearchIgnoresCase(t *testing.T) {
	w := newWorld(t)
	id := w.report(0, cases.Report{Title: "ÉCOLE Straße 井盖"})
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	for _, q := range []string{"école", "STRASSE", "straße", "井盖", "e 井"} {
		got := query(t, list, admin, projections.CaseQuery{Text: q})
		if want := !strings.EqualFold(q, "STRASSE"); (len(got) == 1 && got[0] == id) != want {
			t.Errorf("text %q found %v", q, got)
		}
	}
}

// TestCaseListFacets: counts by a field over every matching case the principal may read,
// whatever the page, most first; an unknown facet is refused by name.
func TestCaseListFacets(t *testing.T) {
	w := newWorld(t)
	newHistory(t, w)
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	pl := w.city.places
	for _, facet := range projections.Facets {
		for _, c := range []struct {
			who projections.CaseQuery
			p   identity.Principal
		}{
			{projections.CaseQuery{}, admin},
			{projections.CaseQuery{District: pl[0].district}, admin},
			{projections.CaseQuery{From: monday}, principal(identity.RoleLeader, identity.Scope{Kind: identity.ScopeDistrict, Code: pl[2].district})},
		} {
			q := c.who
			q.Facet, q.Limit = facet, 1
			page, err := list.Query(c.p, q)
			if err != nil {
				t.Fatal(err)
			}
			// Brute force over every row the same query lists.
			q.Facet, q.Limit = "", projections.MaxLimit
			all, _ := list.Query(c.p, q)
			want := map[string]int{}
			for _, row := range all.Cases {
				if v := rowValue(row, facet); v != "" {
					want[v]++
				}
			}
			got := map[string]int{}
			for i, fc := range page.Counts {
				got[fc.Value] = fc.Count
				if i > 0 && fc.Count > page.Counts[i-1].Count {
					t.Errorf("%s: counts not most first: %+v", facet, page.Counts)
				}
			}
			if len(page.Cases) > 1 || page.Total != all.Total || !maps.Equal(got, want) {
				t.Errorf("%s %+v: %d rows, total %d, counts %v; want total %d, counts %v", facet, c.who, len(page.Cases), page.Total, got, all.Total, want)
			}
		}
	}
	if _, err := list.Query(admin, projections.CaseQuery{Facet: "colour"}); !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "facet") {
		t.Fatalf("unknown facet: %v", err)
	}
}

func rowValue(r projections.CaseRow, facet string) string {
	switch facet {
	case "category":
		return r.Category
	case "status":
		return string(r.Status)
	case "source":
		return string(r.Source)
	case "urgency":
		return string(r.Urgency)
	case "district":
		return r.District
	case "street":
		return r.Street
	case "department":
		return r.Department
	}
	return "?" + facet
}

// TestCaseListAsOf: the list at an instant holds the cases reported by then, each with the
// status of that instant, and filters and counts on it (TestRecordRoundTrip keeps the history
// through a durable sink's rows).
func TestCaseListAsOf(t *testing.T) {
	w := newWorld(t)
	id := w.report(0, cases.Report{Title: "回放中的案件"})
	reportedAt := w.now
	w.run(id, verify, register, dispatch)
	dispatchedAt := w.now
	w.advance(time.Hour)
	w.run(id, accept, handle, inspect, closeIt)
	closedAt := w.now
	later := w.report(1, cases.Report{Title: "之后的案件"})
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	statusAt := func(l *projections.CaseList, at time.Time, q projections.CaseQuery) map[string]cases.Status {
		t.Helper()
		q.At = at
		page, err := l.Query(admin, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]cases.Status{}
		for _, row := range page.Cases {
			out[row.ID] = row.Status
			if row.ID == id && row.SLA != map[bool]string{true: projections.SLAGrey, false: projections.SLAGreen}[row.Status == cases.StatusClosed] {
				t.Errorf("at %s: SLA %s with status %s", at, row.SLA, row.Status)
			}
		}
		return out
	}
	for _, c := range []struct {
		at   time.Time
		want map[string]cases.Status
	}{
		{reportedAt.Add(-time.Second), map[string]cases.Status{}},
		{reportedAt, map[string]cases.Status{id: cases.StatusReported}},
		{dispatchedAt.Add(30 * time.Minute), map[string]cases.Status{id: cases.StatusDispatched}},
		{closedAt, map[string]cases.Status{id: cases.StatusClosed}},
		{w.now, map[string]cases.Status{id: cases.StatusClosed, later: cases.StatusReported}},
	} {
		if got := statusAt(list, c.at, projections.CaseQuery{}); !maps.Equal(got, c.want) {
			t.Errorf("at %s: %v, want %v", c.at, got, c.want)
		}
	}
	// Filters and facets see the status of the instant.
	mid := dispatchedAt.Add(30 * time.Minute)
	if got := statusAt(list, mid, projections.CaseQuery{Status: []cases.Status{cases.StatusDispatched}}); len(got) != 1 {
		t.Errorf("dispatched at %s: %v", mid, got)
	}
	if got := statusAt(list, time.Time{}, projections.CaseQuery{Status: []cases.Status{cases.StatusDispatched}}); len(got) != 0 {
		t.Errorf("dispatched now: %v", got)
	}
	if page, _ := list.Query(admin, projections.CaseQuery{At: mid, Facet: "status"}); len(page.Counts) != 1 || page.Counts[0] != (projections.FacetCount{Value: "dispatched", Count: 1}) {
		t.Errorf("status facet at %s: %+v", mid, page.Counts)
	}
	// The map of an instant: the cases open then, as they stood.
	mapAt := func(at time.Time, district string) map[string]cases.Status {
		t.Helper()
		fc, err := list.MapCases(admin, projections.MapQuery{At: at, District: district})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]cases.Status{}
		for _, f := range fc.Features {
			out[f.ID] = f.Properties.Status
		}
		return out
	}
	var district string
	for _, r := range list.All() {
		if r.ID == id {
			district = r.District
		}
	}
	if district == "" {
		t.Fatal("the case has no district")
	}
	for _, c := range []struct {
		at       time.Time
		district string
		want     map[string]cases.Status
	}{
		{reportedAt.Add(-time.Second), "", map[string]cases.Status{}},
		{mid, "", map[string]cases.Status{id: cases.StatusDispatched}},
		{mid, district, map[string]cases.Status{id: cases.StatusDispatched}},
		{mid, "000000", map[string]cases.Status{}},
		{closedAt, "", map[string]cases.Status{}},
		{w.now, "", map[string]cases.Status{later: cases.StatusReported}},
	} {
		if got := mapAt(c.at, c.district); !maps.Equal(got, c.want) {
			t.Errorf("map at %s in %q: %v, want %v", c.at, c.district, got, c.want)
		}
	}
}

// TestAsOfOfARowStoredWithoutHistory: a row stored before the list kept history keeps its
// earlier instants once it takes a new event.
func TestAsOfOfARowStoredWithoutHistory(t *testing.T) {
	w := newWorld(t)
	id := w.report(0, cases.Report{Title: "旧行"})
	reportedAt := w.now
	w.run(id, verify, register, dispatch)
	dispatchedAt := w.now
	list := projections.NewCaseList(nil)
	r := startRunner(t, w.store, reg{p: list})
	waitAll(t, r, w.head())
	projections.DropHistoryForTest(list, id)
	w.advance(time.Hour)
	w.run(id, accept)
	waitAll(t, r, w.head())
	for _, c := range []struct {
		at   time.Time
		want cases.Status
	}{
		{reportedAt, cases.StatusReported},
		{dispatchedAt.Add(time.Minute), cases.StatusDispatched},
		{w.now, cases.StatusAccepted},
	} {
		page, err := list.Query(admin, projections.CaseQuery{At: c.at})
		if err != nil || len(page.Cases) != 1 || page.Cases[0].Status != c.want {
			t.Errorf("at %s: %+v %v, want %s", c.at, page.Cases, err, c.want)
		}
	}
}
