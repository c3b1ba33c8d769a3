package catalog

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/chengyun/chengyun/domain"
)

// Department is a unit that cases can be sent to.
type Department struct {
	Code     string
	Name     Text
	Level    string // "city", "district" or "street"
	District string // the district code of a district or street level department; "" for city
}

// Location is where a case is: district, street (街道) and grid (网格) codes, any of them "".
type Location struct{ District, Street, Grid string }

// Rule sends cases of a category at a location to a department. Category is an exact code
// ("E0102"), a class prefix ("E01*": kind letter and 大类) or "*"; an empty location field
// matches any value.
type Rule struct{ Category, District, Street, Grid, Department string }

// Route is a suggested department and why it was chosen.
type Route struct {
	Department string
	Rule       int    // index of the deciding rule in the file's rules, -1 for the category default
	Reason     string // human-readable, English
}

// Routing is a parsed, validated routing table over a catalog. It is immutable, so safe for
// concurrent use.
type Routing struct {
	departments []Department
	byDept      map[string]int
	rules       []Rule
	reasons     []string              // reasons[i] is the Reason of a route decided by rules[i]
	byCode      map[string]*catRoutes // every category of the catalog; see suggest.go
}

// ParseRouting parses a routing file (see geo/cities/*/routing.yaml) and validates it against
// cat:
//
//	name: …                     # optional
//	source: …                   # optional
//	departments:                # codes unique; level city | district | street
//	  - {code: wh-cgw, zh: 武汉市城市管理执法委员会, en: …, level: city}
//	  - {code: 420102-cgj, zh: 江岸区城市管理执法局, en: …, level: district, district: "420102"}
//	rules:                      # optional; category, department required
//	  - {category: "E01*", district: "420102", department: 420102-cgj}
//
// Every rule must name a known department and a category code or class prefix that exists in
// cat, no rule may repeat another's category and location (it could never apply), and every
// category's default department must be a department here. It returns an invalid error
// (domain.CodeInvalid) naming the first bad field, e.g. "rules[4].department", or
// "categories[12].department" for a catalog default that is missing (12 indexing
// cat.Categories()); too_large for a file over 4 MiB. It never panics.
func ParseRouting(data []byte, cat *Catalog) (*Routing, error) {
	if cat == nil {
		return nil, domain.Invalid("catalog", "a routing table needs the catalog it routes")
	}
	root, err := document(data)
	if err != nil {
		return nil, err
	}
	top, err := mapping(root, "", "name", "source", "departments", "rules")
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"name", "source"} {
		if _, err := top.str(key); err != nil {
			return nil, err
		}
	}
	r := &Routing{byDept: map[string]int{}}
	depts, err := top.sequence("departments")
	if err != nil {
		return nil, err
	}
	if len(depts) == 0 {
		return nil, bad(root, "departments", "required: a routing table needs at least one department")
	}
	for i, n := range depts {
		if err := r.addDepartment(n, index("departments", i)); err != nil {
			return nil, err
		}
	}
	rules, err := top.sequence("rules")
	if err != nil {
		return nil, err
	}
	seen := map[Rule]int{} // category and location (Department left "") -> rule index
	for i, n := range rules {
		if err := r.addRule(n, index("rules", i), cat, seen); err != nil {
			return nil, err
		}
	}
	for i, c := range cat.cats {
		if _, ok := r.byDept[c.Department]; !ok {
			return nil, domain.Invalid(fmt.Sprintf("categories[%d].department", i),
				"%s names department %s as its default, which the routing table does not define", c.Code, c.Department)
		}
	}
	r.index(cat)
	return r, nil
}

func (r *Routing) addDepartment(n *yaml.Node, path string) error {
	f, err := mapping(n, path, "code", "zh", "en", "level", "district")
	if err != nil {
		return err
	}
	var d Department
	if d.Code, err = f.code("code"); err != nil {
		return err
	}
	if d.Code == "" {
		return bad(n, f.at("code"), "required")
	}
	if j, dup := r.byDept[d.Code]; dup {
		return bad(f.node("code"), f.at("code"), "%s is already defined at departments[%d]", d.Code, j)
	}
	if d.Name, err = f.text(); err != nil {
		return err
	}
	if d.Level, err = f.need("level"); err != nil {
		return err
	}
	if d.District, err = f.code("district"); err != nil {
		return err
	}
	switch {
	case d.Level != "city" && d.Level != "district" && d.Level != "street":
		return bad(f.node("level"), f.at("level"), "%q is not a level: use city, district or street", d.Level)
	case d.Level == "city" && d.District != "":
		return bad(f.node("district"), f.at("district"), "a city level department belongs to no district")
	case d.Level != "city" && d.District == "":
		return bad(n, f.at("district"), "required: a %s level department names its district", d.Level)
	}
	r.byDept[d.Code] = len(r.departments)
	r.departments = append(r.departments, d)
	return nil
}

func (r *Routing) addRule(n *yaml.Node, path string, cat *Catalog, seen map[Rule]int) error {
	f, err := mapping(n, path, "category", "district", "street", "grid", "department")
	if err != nil {
		return err
	}
	var rule Rule
	if rule.Category, err = f.need("category"); err != nil {
		return err
	}
	if msg := checkPattern(rule.Category, cat); msg != "" {
		return bad(f.node("category"), f.at("category"), "%q %s", rule.Category, msg)
	}
	if rule.District, err = f.code("district"); err != nil {
		return err
	}
	if rule.Street, err = f.code("street"); err != nil {
		return err
	}
	if rule.Grid, err = f.code("grid"); err != nil {
		return err
	}
	if j, dup := seen[rule]; dup { // rule.Department is still "": the key is category and location
		return bad(n, path, "repeats the category and location of rules[%d], so it could never apply", j)
	}
	seen[rule] = len(r.rules)
	if rule.Department, err = f.need("department"); err != nil {
		return err
	}
	if _, ok := r.byDept[rule.Department]; !ok {
		return bad(f.node("department"), f.at("department"), "%s is not one of the departments", rule.Department)
	}
	r.rules = append(r.rules, rule)
	r.reasons = append(r.reasons, reason(len(r.rules)-1, rule))
	return nil
}

// checkPattern returns why a rule's category cannot apply to cat, or "".
func checkPattern(p string, cat *Catalog) string {
	switch {
	case p == "*":
		return ""
	case p[len(p)-1] == '*':
		if !cat.majors[p[:len(p)-1]] {
			return "matches no class of the catalog: a prefix is a kind letter and a 大类 code and a *, e.g. E01*"
		}
	default:
		if _, ok := cat.byCode[p]; !ok {
			return "is not a category of the catalog"
		}
	}
	return ""
}

// reason says in English which rule decided a route; computed once so Suggest never formats.
func reason(i int, rule Rule) string {
	s := fmt.Sprintf("rules[%d] (category %s", i, rule.Category)
	for _, f := range [][2]string{{"district", rule.District}, {"street", rule.Street}, {"grid", rule.Grid}} {
		if f[1] != "" {
			s += ", " + f[0] + " " + f[1]
		}
	}
	return s + ") sends it to " + rule.Department
}

// Department returns the department with the given code, and whether there is one.
func (r *Routing) Department(code string) (Department, bool) {
	i, ok := r.byDept[code]
	if !ok {
		return Department{}, false
	}
	return r.departments[i], true
}

// Departments returns every department in file order; the slice is the caller's.
func (r *Routing) Departments() []Department {
	out := make([]Department, len(r.departments))
	copy(out, r.departments)
	return out
}
