package catalog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

// testRouting is a small valid routing table over testCategories.
const testRouting = `name: test routing
departments:
  - {code: city, level: city, zh: 市城管委, en: City}
  - {code: water, level: city, zh: 水务, en: Water}
  - {code: d1, level: district, district: "1", zh: 一区, en: District 1}
  - {code: s11, level: street, district: "1", zh: 一街, en: Street 11}
rules:
  - {category: "P01*", district: "1", department: d1}
  - {category: E0401, street: "11", department: s11}
  - {category: "*", grid: g1, department: water}
`

func mustRouting(t fataler, src string, cat *Catalog) *Routing {
	t.Helper()
	r, err := ParseRouting([]byte(src), cat)
	if err != nil {
		t.Fatalf("ParseRouting: %v", err)
	}
	return r
}

func TestParseRoutingErrors(t *testing.T) {
	cat := mustCatalog(t, testCategories)
	mustRouting(t, testRouting, cat)
	rules := testRouting[strings.Index(testRouting, "rules:"):]
	departments := strings.TrimSuffix(testRouting, rules)[strings.Index(testRouting, "departments:"):]
	edits := []edit{
		{"unknown top field", "name: test routing", "name: test routing\ncolour: red", "colour"},
		{"name not a value", "name: test routing", "name: {a: b}", "name"},
		{"no departments", departments, "departments: []\n", "departments"},
		{"department not a mapping", "  - {code: city, level: city, zh: 市城管委, en: City}", "  - city", "departments[0]"},
		{"unknown department field", "{code: water,", "{code: water, colour: blue,", "departments[1].colour"},
		{"department code missing", "{code: water, ", "{", "departments[1].code"},
		{"department code bad", "code: water", "code: wa ter", "departments[1].code"},
		{"department code repeated", "code: water", "code: city", "departments[1].code"},
		{"department zh missing", "zh: 水务, ", "", "departments[1].zh"},
		{"department en empty", "en: Water", "en: ''", "departments[1].en"},
		{"level missing", "level: city, zh: 水务", "zh: 水务", "departments[1].level"},
		{"level unknown", "level: city, zh: 水务", "level: nation, zh: 水务", "departments[1].level"},
		{"city level with a district", "level: city, zh: 水务", "level: city, district: \"1\", zh: 水务", "departments[1].district"},
		{"district level without district", "level: district, district: \"1\",", "level: district,", "departments[2].district"},
		{"street level without district", "level: street, district: \"1\",", "level: street,", "departments[3].district"},
		{"rules not a list", rules, "rules: {}\n", "rules"},
		{"rule not a mapping", "  - {category: \"P01*\", district: \"1\", department: d1}", "  - P01*", "rules[0]"},
		{"unknown rule field", "{category: E0401,", "{category: E0401, colour: red,", "rules[1].colour"},
		{"rule category missing", "{category: E0401, ", "{", "rules[1].category"},
		{"rule category unknown", "category: E0401", "category: E0409", "rules[1].category"},
		{"rule category bad", "category: E0401", "category: E04", "rules[1].category"},
		{"rule prefix of no class", "category: \"P01*\"", "category: \"P09*\"", "rules[0].category"},
		{"rule prefix of a kind only", "category: \"P01*\"", "category: \"P*\"", "rules[0].category"},
		{"rule prefix of a code", "category: \"P01*\"", "category: \"P0101*\"", "rules[0].category"},
		{"rule district bad", "district: \"1\", department: d1", "district: \"1 2\", department: d1", "rules[0].district"},
		{"rule street bad", "street: \"11\"", "street: [\"11\"]", "rules[1].street"},
		{"rule grid bad", "grid: g1", "grid: \"g#1\"", "rules[2].grid"},
		{"rule department missing", ", department: s11", "", "rules[1].department"},
		{"rule department unknown", "department: s11", "department: s12", "rules[1].department"},
		{"rule repeated", "rules:\n", "rules:\n  - {category: \"*\", grid: g1, department: city}\n", "rules[3]"}, // the original rules[2], now after its twin
		{"category default missing", "  - {code: city, level: city, zh: 市城管委, en: City}\n", "", "categories[1].department"},
	}
	for _, e := range edits {
		_, err := ParseRouting([]byte(apply(t, testRouting, e)), cat)
		wantField(t, e.name, err, domain.CodeInvalid, e.field)
	}
	_, err := ParseRouting([]byte(testRouting), nil)
	wantField(t, "nil catalog", err, domain.CodeInvalid, "catalog")
	_, err = ParseRouting([]byte("rules: ["), cat)
	wantField(t, "broken YAML", err, domain.CodeInvalid, "document")
}

func TestRoutingDepartments(t *testing.T) {
	r := mustRouting(t, testRouting, mustCatalog(t, testCategories))
	ds := r.Departments()
	if len(ds) != 4 || ds[0].Code != "city" || ds[3].Code != "s11" {
		t.Fatalf("Departments() = %+v", ds)
	}
	ds[0].Code = "changed" // the slice is the caller's
	d, ok := r.Department("s11")
	if want := (Department{Code: "s11", Name: Text{"一街", "Street 11"}, Level: "street", District: "1"}); !ok || d != want {
		t.Errorf("Department(s11) = %+v, %v", d, ok)
	}
	if _, ok := r.Department("changed"); ok {
		t.Error("Departments() shares its slice")
	}
}

// precedenceCategories has two classes of parts and one of events, all defaulting to "def".
const precedenceCategories = `name: precedence
source: tests
warnAt: 0.5
defaults: {verify: 1h, dispatch: 1h, accept: 1h, handle: 1h, inspect: 1h, revisit: 1h}
urgencies:
  normal: {zh: 一般, en: Normal, factor: 1}
  urgent: {zh: 紧急, en: Urgent, factor: 1}
  critical: {zh: 特急, en: Critical, factor: 1}
classes:
  - {kind: part, major: "01", name: {zh: 一, en: One}, department: def, items: [{code: P0101, zh: 甲, en: A}, {code: P0102, zh: 乙, en: B}]}
  - {kind: part, major: "02", name: {zh: 二, en: Two}, department: def, items: [{code: P0201, zh: 丙, en: C}]}
  - {kind: event, major: "01", name: {zh: 三, en: Three}, department: def, items: [{code: E0101, zh: 丁, en: D}]}
`

// precedenceRules, by index; the department names what each rule is.
var precedenceRules = []Rule{
	{Category: "P01*", Department: "prefix"},                                   // 0
	{Category: "P0101", Department: "exact"},                                   // 1
	{Category: "*", District: "D", Department: "dAny"},                         // 2
	{Category: "P01*", District: "D", Department: "dPrefix"},                   // 3
	{Category: "P0101", District: "D", Department: "dExact"},                   // 4
	{Category: "P0101", Street: "S", Department: "sExact"},                     // 5
	{Category: "*", Grid: "G", Department: "gAny"},                             // 6
	{Category: "P0101", District: "D", Street: "S", Department: "sExactLater"}, // 7: ties with 5
	{Category: "P02*", Street: "S2", Department: "s2Prefix"},                   // 8
	{Category: "*", Street: "S2", Department: "s2Any"},                         // 9
	{Category: "E0101", District: "D4", Street: "S4", Department: "first"},     // 10
	{Category: "E0101", Street: "S4", Department: "second"},                    // 11: ties with 10
	{Category: "E01*", Grid: "G5", Department: "gPrefix"},                      // 12
	{Category: "E0101", District: "D5", Department: "dE"},                      // 13
}

func precedenceRouting(t fataler, rules []Rule) *Routing {
	t.Helper()
	var b strings.Builder
	b.WriteString("departments:\n  - {code: def, level: city, zh: 默认, en: Default}\n")
	seen := map[string]bool{"def": true}
	for _, r := range rules {
		if !seen[r.Department] {
			seen[r.Department] = true
			fmt.Fprintf(&b, "  - {code: %s, level: city, zh: 部门, en: Department}\n", r.Department)
		}
	}
	b.WriteString("rules:\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "  - {category: %q, district: %q, street: %q, grid: %q, department: %s}\n",
			r.Category, r.District, r.Street, r.Grid, r.Department)
	}
	return mustRouting(t, b.String(), mustCatalog(t, precedenceCategories))
}

func TestSuggestPrecedence(t *testing.T) {
	r := precedenceRouting(t, precedenceRules)
	cases := []struct {
		why      string
		category string
		loc      Location
		rule     int
	}{
		{"exact beats prefix (no location)", "P0101", Location{}, 1},
		{"prefix (no location)", "P0102", Location{}, 0},
		{"no rule: category default", "P0201", Location{}, -1},
		{"no rule for that district: default", "E0101", Location{District: "X"}, -1},
		{"district beats no location, exact beats prefix beats *", "P0101", Location{District: "D"}, 4},
		{"district prefix beats district *", "P0102", Location{District: "D"}, 3},
		{"district * beats the default", "P0201", Location{District: "D"}, 2},
		{"district * beats an exact rule with no location", "E0101", Location{District: "D"}, 2},
		{"street beats district; tie goes to the earlier rule", "P0101", Location{District: "D", Street: "S"}, 5},
		{"street rule without district matches any district", "P0101", Location{District: "X", Street: "S"}, 5},
		{"no street rule for the category: district", "P0102", Location{District: "D", Street: "S"}, 3},
		{"grid * beats street exact", "P0101", Location{District: "D", Street: "S", Grid: "G"}, 6},
		{"street prefix beats street *", "P0201", Location{Street: "S2"}, 8},
		{"street * where the prefix does not match", "P0101", Location{Street: "S2"}, 9},
		{"tie at street level: earlier rule, though it names more", "E0101", Location{District: "D4", Street: "S4"}, 10},
		{"earlier rule does not match: the later", "E0101", Location{District: "D5", Street: "S4"}, 11},
		{"grid prefix beats street exact", "E0101", Location{District: "D5", Street: "S4", Grid: "G5"}, 12},
		{"unknown grid falls back to street", "E0101", Location{District: "D5", Street: "S4", Grid: "G6"}, 11},
		{"district when street unknown", "E0101", Location{District: "D5", Street: "S9"}, 13},
	}
	for _, c := range cases {
		got, err := r.Suggest(c.category, c.loc)
		if err != nil {
			t.Fatalf("%s: %v", c.why, err)
		}
		want := "def"
		if c.rule >= 0 {
			want = precedenceRules[c.rule].Department
		}
		if got.Rule != c.rule || got.Department != want || got.Reason == "" {
			t.Errorf("%s: Suggest(%s, %+v) = %+v, want rule %d (%s)", c.why, c.category, c.loc, got, c.rule, want)
		}
	}
	if _, err := r.Suggest("P0199", Location{}); domain.CodeOf(err) != domain.CodeNotFound {
		t.Errorf("unknown category: %v, want not_found", err)
	}
	got, _ := r.Suggest("P0101", Location{District: "D"})
	if want := "rules[4] (category P0101, district D) sends it to dExact"; got.Reason != want {
		t.Errorf("Reason = %q, want %q", got.Reason, want)
	}
}
