package catalog

import (
	"slices"
	"strconv"
	"strings"

	"github.com/chengyun/chengyun/domain"
)

// Suggest runs on every dispatch, so rules are indexed once at parse time. The catalog is
// finite, so for each category the rules that can apply to it are known in advance; they are
// bucketed by their most specific location field (grid, street, district, none) and keyed by
// that field's value. A lookup then costs one map access per location level, and each bucket
// is kept in precedence order, so the first rule in it whose other fields match wins.

// locIndex holds the rules applicable to some set of categories, by location level.
type locIndex struct {
	grid, street, district map[string][]int32 // keyed by the rule's Grid, Street, District
	any                    []int32            // rules with no location
}

// catRoutes is what Suggest needs for one category.
type catRoutes struct {
	loc *locIndex // shared by categories to which the same rules apply
	def Route     // the category default
}

// catSpec ranks how closely a rule's category names a code: exact, then class prefix, then "*".
func catSpec(pattern string) int {
	switch {
	case pattern == "*":
		return 0
	case strings.HasSuffix(pattern, "*"):
		return 1
	}
	return 2
}

// matchesCategory reports whether a rule's category pattern covers code.
func matchesCategory(pattern, code string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(code, p)
	}
	return pattern == code
}

func (r *Routing) index(cat *Catalog) {
	shared := map[string]*locIndex{}
	r.byCode = make(map[string]*catRoutes, len(cat.cats))
	for _, c := range cat.cats {
		var applicable []int32
		var key strings.Builder
		for i, rule := range r.rules {
			if matchesCategory(rule.Category, c.Code) {
				applicable = append(applicable, int32(i))
				key.WriteString(strconv.Itoa(i))
				key.WriteByte(',')
			}
		}
		li := shared[key.String()]
		if li == nil {
			li = r.buildLoc(applicable)
			shared[key.String()] = li
		}
		r.byCode[c.Code] = &catRoutes{loc: li, def: Route{
			Department: c.Department,
			Rule:       -1,
			Reason:     "no rule matches; " + c.Code + "'s default department is " + c.Department,
		}}
	}
}

// buildLoc buckets rules (given in file order) so each bucket is in precedence order: within
// one location level, higher category specificity first, then file order.
func (r *Routing) buildLoc(rules []int32) *locIndex {
	slices.SortStableFunc(rules, func(a, b int32) int {
		return catSpec(r.rules[b].Category) - catSpec(r.rules[a].Category)
	})
	li := &locIndex{}
	add := func(m *map[string][]int32, k string, i int32) {
		if *m == nil {
			*m = map[string][]int32{}
		}
		(*m)[k] = append((*m)[k], i)
	}
	for _, i := range rules {
		switch rule := r.rules[i]; {
		case rule.Grid != "":
			add(&li.grid, rule.Grid, i)
		case rule.Street != "":
			add(&li.street, rule.Street, i)
		case rule.District != "":
			add(&li.district, rule.District, i)
		default:
			li.any = append(li.any, i)
		}
	}
	return li
}

// Suggest returns the department a case of the category at loc should go to. The most
// specific matching rule wins: location first (a rule naming a grid beats one naming a street,
// which beats one naming a district, which beats one naming none), then category (exact code
// beats class prefix beats "*"); ties go to the rule earlier in the file. With no matching
// rule it is the category's default department (Route.Rule -1). It returns a not_found error
// (domain.CodeNotFound) for a category the catalog does not have. A successful call does not
// allocate: the Reason strings are built at parse time.
func (r *Routing) Suggest(category string, loc Location) (Route, error) {
	cr, ok := r.byCode[category]
	if !ok {
		return Route{}, domain.NotFound("category", "%q is not a category of the catalog", category)
	}
	li := cr.loc
	if loc.Grid != "" {
		if i := r.first(li.grid[loc.Grid], loc); i >= 0 {
			return r.route(i), nil
		}
	}
	if loc.Street != "" {
		if i := r.first(li.street[loc.Street], loc); i >= 0 {
			return r.route(i), nil
		}
	}
	if loc.District != "" {
		if i := r.first(li.district[loc.District], loc); i >= 0 {
			return r.route(i), nil
		}
	}
	if i := r.first(li.any, loc); i >= 0 {
		return r.route(i), nil
	}
	return cr.def, nil
}

// first returns the first rule of the bucket whose location fields all match loc, or -1.
func (r *Routing) first(bucket []int32, loc Location) int {
	for _, i := range bucket {
		rule := &r.rules[i]
		if (rule.District == "" || rule.District == loc.District) &&
			(rule.Street == "" || rule.Street == loc.Street) &&
			(rule.Grid == "" || rule.Grid == loc.Grid) {
			return int(i)
		}
	}
	return -1
}

func (r *Routing) route(i int) Route {
	return Route{Department: r.rules[i].Department, Rule: i, Reason: r.reasons[i]}
}
