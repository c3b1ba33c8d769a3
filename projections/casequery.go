package projections

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/identity"
)

// Limits of a page of the case list.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// CaseQuery filters the case list. Zero fields do not filter; filters combine with AND.
type CaseQuery struct {
	Status     []cases.Status // any of these
	Category   string         // a category code or a prefix of one: "P" (parts), "P01" (a 大类), "P0101"
	District   string
	Street     string
	Community  string
	Grid       string
	Department string
	Handler    string
	Source     cases.Source
	Urgency    catalog.Urgency
	Overdue    *bool
	Text       string    // in the title, address or description; case-insensitive
	From, To   time.Time // reported at or after From, before To
	// At, when set, is the list as it stood then: the cases reported by At, each with the
	// status, overdue and SLA of that instant (Status and Overdue filter on those; the other
	// fields are as they are now). A screen replaying a past day reads it.
	At     time.Time
	Cursor string // the Next of the previous page
	Limit  int    // 1..MaxLimit; 0 is DefaultLimit
	// Facet, when set, counts the matching cases by one field (one of Facets): the screens'
	// breakdowns of an area (a drilled district's category ring) need no page of rows.
	Facet string
}

// Facets are the fields a case list answer can be counted by.
var Facets = []string{"category", "status", "source", "urgency", "district", "street", "department"}

// FacetCount is how many matching cases have one value of the facet's field.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// facetValue is the entry's value of a facet at stage s ("" for an unknown facet or an empty
// field).
func facetValue(en *caseEntry, s stage, facet string) string {
	st := en.st
	switch facet {
	case "category":
		return st.Category
	case "status":
		return string(s.Status)
	case "source":
		return string(st.Source)
	case "urgency":
		return string(st.Urgency)
	case "district":
		return st.Location.District
	case "street":
		return st.Location.Street
	case "department":
		return st.Department
	}
	return ""
}

// CasePage is one page of the case list, newest reported first.
type CasePage struct {
	Cases []CaseRow `json:"cases"`
	Total int       `json:"total"`          // rows matching the filters that the principal may read
	Next  string    `json:"next,omitempty"` // cursor of the next page; empty on the last
	// Counts are the matching cases by the query's facet, most first (then by value); cases
	// with the field empty are not counted.
	Counts []FacetCount `json:"counts,omitempty"`
}

// match reports whether the entry, standing at s (its present stage, or the one at q.At),
// passes the filters.
func (q CaseQuery) match(en *caseEntry, s stage) bool {
	st := en.st
	loc := st.Location
	switch {
	case st.Status == cases.StatusNone, // an event ahead of its report: no case to list yet
		len(q.Status) > 0 && !slices.Contains(q.Status, s.Status),
		q.Category != "" && !strings.HasPrefix(st.Category, q.Category),
		q.District != "" && loc.District != q.District,
		q.Street != "" && loc.Street != q.Street,
		q.Community != "" && loc.Community != q.Community,
		q.Grid != "" && loc.Grid != q.Grid,
		q.Department != "" && st.Department != q.Department,
		q.Handler != "" && st.Handler != q.Handler,
		q.Source != "" && st.Source != q.Source,
		q.Urgency != "" && st.Urgency != q.Urgency,
		q.Overdue != nil && s.Overdue != *q.Overdue,
		!q.From.IsZero() && st.ReportedAt.Before(q.From),
		!q.To.IsZero() && !st.ReportedAt.Before(q.To):
		return false
	}
	return q.Text == "" || strings.Contains(en.search, strings.ToLower(q.Text))
}

// reader is what one principal may see of the list.
type reader struct {
	p      identity.Principal
	scopes []identity.Scope
}

func readerOf(p identity.Principal) reader {
	return reader{p: p, scopes: p.Scopes(identity.PermCaseRead)}
}

func (en *caseEntry) target() identity.Target {
	l := en.st.Location
	return identity.Target{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, Department: en.st.Department}
}

// may reports whether the principal may read the case: case.read in a scope covering it.
func (r reader) may(en *caseEntry) bool {
	t := en.target()
	for _, s := range r.scopes {
		if s.Covers(t) {
			return true
		}
	}
	return false
}

// row returns the entry's row, its reporter masked unless the principal holds personal.read
// on the case.
func (r reader) row(en *caseEntry) CaseRow {
	row := en.row()
	if row.Reporter != nil && !r.p.CanOn(identity.PermPersonalRead, en.target()) {
		row.Reporter = &cases.Reporter{Name: identity.MaskName(row.Reporter.Name), Phone: identity.MaskPhone(row.Reporter.Phone)}
	}
	return row
}

// Query returns a page of the cases the principal may read that match q, newest reported
// first, with the total count of such cases. Errors: invalid naming limit or cursor.
func (l *CaseList) Query(p identity.Principal, q CaseQuery) (CasePage, error) {
	limit, err := checkLimit(q.Limit, MaxLimit)
	if err != nil {
		return CasePage{}, err
	}
	if q.Facet != "" && !slices.Contains(Facets, q.Facet) {
		return CasePage{}, domain.Invalid("facet", "%q: want one of %s", q.Facet, strings.Join(Facets, ", "))
	}
	counts := map[string]int{}
	start := sortKey{at: 1<<63 - 1}
	if q.Cursor != "" {
		if start, err = decodeCursor(q.Cursor); err != nil {
			return CasePage{}, err
		}
	}
	rd := readerOf(p)
	l.mu.RLock()
	defer l.mu.RUnlock()
	page := CasePage{Cases: []CaseRow{}}
	from, _ := slices.BinarySearchFunc(l.order, start, compareToKey)
	var last *caseEntry
	for i := l.until(q.At) - 1; i >= 0; i-- {
		en := l.order[i]
		s, reported := en.standing(q.At)
		if !reported || !q.match(en, s) || !rd.may(en) {
			continue
		}
		page.Total++
		if q.Facet != "" {
			if v := facetValue(en, s, q.Facet); v != "" {
				counts[v]++
			}
		}
		if i >= from {
			continue // on an earlier page
		}
		switch {
		case len(page.Cases) < limit:
			row := rd.row(en)
			row.Status, row.Overdue, row.SLA = s.Status, s.Overdue, slaOf(s) // as it stood at At
			page.Cases = append(page.Cases, row)
			last = en
		case page.Next == "":
			page.Next = encodeCursor(sortKey{at: last.sortAt, id: last.st.ID})
		}
	}
	if q.Facet != "" {
		page.Counts = sortedCounts(counts)
	}
	return page, nil
}

func sortedCounts(counts map[string]int) []FacetCount {
	out := make([]FacetCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return out
}

func checkLimit(limit, most int) (int, error) {
	switch {
	case limit == 0:
		return min(DefaultLimit, most), nil
	case limit < 0 || limit > most:
		return 0, domain.Invalid("limit", "%d: want 1 to %d", limit, most)
	}
	return limit, nil
}

// sortKey is where an entry sits in the list's order.
type sortKey struct {
	at int64
	id string
}

func sortTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func compareEntries(a, b *caseEntry) int {
	return cmp.Or(cmp.Compare(a.sortAt, b.sortAt), strings.Compare(a.st.ID, b.st.ID))
}

func compareToKey(e *caseEntry, k sortKey) int {
	return cmp.Or(cmp.Compare(e.sortAt, k.at), strings.Compare(e.st.ID, k.id))
}

// insert puts en into order at its sortAt. Reports arrive mostly in time order, so this is
// mostly an append.
func (l *CaseList) insert(en *caseEntry) {
	i, _ := slices.BinarySearchFunc(l.order, sortKey{en.sortAt, en.st.ID}, compareToKey)
	l.order = slices.Insert(l.order, i, en)
}

// remove takes en out of order, found by its current sortAt.
func (l *CaseList) remove(en *caseEntry) {
	if i, ok := slices.BinarySearchFunc(l.order, sortKey{en.sortAt, en.st.ID}, compareToKey); ok {
		l.order = slices.Delete(l.order, i, i+1)
	}
}

// A cursor is the sort key of the last row of a page, base64url("v1:<nanos>:<id>"): opaque to
// clients, stable while the list changes (rows reported later appear on no older page).
func encodeCursor(k sortKey) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(k.at, 10) + ":" + k.id))
}

func decodeCursor(s string) (sortKey, error) {
	bad := domain.Invalid("cursor", "is not a cursor of this list: pass the next of a previous page")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return sortKey{}, bad
	}
	rest, ok := strings.CutPrefix(string(raw), "v1:")
	if !ok {
		return sortKey{}, bad
	}
	at, id, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return sortKey{}, bad
	}
	return sortKey{at: n, id: id}, nil
}
