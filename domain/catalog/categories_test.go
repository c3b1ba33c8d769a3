package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// testCategories is a small valid catalog; the validation table breaks it one edit at a time.
const testCategories = `name: test catalog
source: unit tests
warnAt: 0.8
defaults: {verify: 1h, dispatch: 1h, accept: 2h, handle: 3d, inspect: 4h, revisit: 2d}
urgencies:
  normal: {zh: 一般, en: Normal, factor: 1}
  urgent: {zh: 紧急, en: Urgent, factor: 0.5}
  critical: {zh: 特急, en: Critical, factor: 0.25, continuous: true}
classes:
  - kind: part
    major: "01"
    name: {zh: 公用设施, en: Public utilities}
    department: city
    limits: {handle: 2d}
    items:
      - {code: P0101, zh: 上水井盖, en: Water supply manhole cover, department: water, limits: {handle: 4h}}
      - {code: P0102, zh: 污水井盖, en: Sewage manhole cover}
  - kind: event
    major: "04"
    name: {zh: 突发事件, en: Emergencies}
    department: city
    continuous: true
    limits: &fast {verify: 15m, handle: 2h}
    items:
      - {code: E0401, zh: 路面塌陷, en: Road subsidence, continuous: false}
      - {code: E0402, zh: 自来水管破裂, en: Water main burst}
  - kind: hotline
    major: "01"
    name: {zh: 城乡建设, en: Urban development}
    department: city
    limits: *fast
    items:
      - {code: H0101, zh: 市政道路设施, en: Municipal roads}
`

// fataler is what the helpers need of a *testing.T, *testing.B or *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustCatalog(t fataler, src string) *Catalog {
	t.Helper()
	c, err := ParseCategories([]byte(src))
	if err != nil {
		t.Fatalf("ParseCategories: %v", err)
	}
	return c
}

func TestParseCategoriesInheritance(t *testing.T) {
	c := mustCatalog(t, testCategories)
	if c.Name() != "test catalog" || c.WarnFraction() != 0.8 {
		t.Errorf("Name, WarnFraction = %q, %v", c.Name(), c.WarnFraction())
	}
	var codes []string
	for _, cat := range c.Categories() {
		codes = append(codes, cat.Code)
		for _, s := range Stages {
			if l, ok := cat.Limits[s]; !ok || l.IsZero() {
				t.Errorf("%s has no limit for %s", cat.Code, s)
			}
		}
	}
	if got := strings.Join(codes, " "); got != "P0101 P0102 E0401 E0402 H0101" {
		t.Errorf("Categories() in order %s, want file order", got)
	}
	p1, _ := c.Category("P0101")
	p2, _ := c.Category("P0102")
	e1, _ := c.Category("E0401")
	e2, _ := c.Category("E0402")
	h1, ok := c.Category("H0101")
	if !ok {
		t.Fatal("H0101 missing")
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"item department overrides class", p1.Department, "water"},
		{"class department is inherited", p2.Department, "city"},
		{"item limit overrides class", p1.Limits["handle"], Limit{Time: 4 * time.Hour}},
		{"class limit overrides default", p2.Limits["handle"], Limit{Days: 2}},
		{"default limit is inherited", p2.Limits["revisit"], Limit{Days: 2}},
		{"alias limits apply", h1.Limits["verify"], Limit{Time: 15 * time.Minute}},
		{"class fields are copied", [3]string{string(e2.Kind), e2.Major, e2.MajorName.EN}, [3]string{"event", "04", "Emergencies"}},
		{"item name", p2.Name, Text{ZH: "污水井盖", EN: "Sewage manhole cover"}},
		{"class continuous is inherited", e2.Continuous, true},
		{"item continuous overrides class", e1.Continuous, false},
		{"continuous defaults to false", p1.Continuous, false},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	if _, ok := c.Category("P0199"); ok {
		t.Error("Category(P0199) found")
	}
	crit, ok := c.Urgency("critical")
	if !ok || crit.Factor != 0.25 || !crit.Continuous || crit.Name != (Text{"特急", "Critical"}) {
		t.Errorf("Urgency(critical) = %+v, %v", crit, ok)
	}
	if _, ok := c.Urgency("panic"); ok {
		t.Error("Urgency(panic) found")
	}
}

// wantField checks that err is a domain error with the code and field path given.
func wantField(t *testing.T, what string, err error, code domain.Code, field string) {
	t.Helper()
	var de *domain.Error
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %s on %s", what, code, field)
	case !errors.As(err, &de):
		t.Errorf("%s: %T %v is not a *domain.Error", what, err, err)
	case de.Code != code || de.Field != field:
		t.Errorf("%s: got %s on %q (%v), want %s on %q", what, de.Code, de.Field, err, code, field)
	}
}

// edit is one change to a valid file: the first occurrence of old becomes new.
type edit struct{ name, old, new, field string }

func apply(t *testing.T, src string, e edit) string {
	t.Helper()
	if !strings.Contains(src, e.old) {
		t.Fatalf("%s: %q is not in the base file", e.name, e.old)
	}
	return strings.Replace(src, e.old, e.new, 1)
}

func TestParseCategoriesErrors(t *testing.T) {
	const item1 = "{code: P0102, zh: 污水井盖, en: Sewage manhole cover}"
	section := func(from, to string) string {
		i := strings.Index(testCategories, from)
		return testCategories[i : i+strings.Index(testCategories[i:], to)]
	}
	urgencies, classes := section("urgencies:", "classes:"), testCategories[strings.Index(testCategories, "classes:"):]
	edits := []edit{
		{"unknown top field", "warnAt: 0.8", "warnAt: 0.8\ncolour: red", "colour"},
		{"repeated top field", "warnAt: 0.8", "warnAt: 0.8\nwarnAt: 0.9", "warnAt"},
		{"unknown class field", "major: \"01\"", "major: \"01\"\n    colour: red", "classes[0].colour"},
		{"unknown item field", "{code: P0102,", "{code: P0102, colour: red,", "classes[0].items[1].colour"},
		{"merge key", "{code: P0102,", "{<<: {zh: x}, code: P0102,", "classes[0].items[1].<<"},
		{"unknown stage", "limits: {handle: 2d}", "limits: {handel: 2d}", "classes[0].limits.handel"},
		{"missing name", "name: test catalog\n", "", "name"},
		{"name not a value", "name: test catalog", "name: [test]", "name"},
		{"missing source", "source: unit tests\n", "", "source"},
		{"warnAt missing", "warnAt: 0.8\n", "", "warnAt"},
		{"warnAt zero", "warnAt: 0.8", "warnAt: 0", "warnAt"},
		{"warnAt one", "warnAt: 0.8", "warnAt: 1", "warnAt"},
		{"warnAt text", "warnAt: 0.8", "warnAt: soon", "warnAt"},
		{"warnAt NaN", "warnAt: 0.8", "warnAt: .nan", "warnAt"},
		{"defaults missing", "defaults: {verify: 1h, dispatch: 1h, accept: 2h, handle: 3d, inspect: 4h, revisit: 2d}\n", "", "defaults.verify"},
		{"defaults missing a stage", ", revisit: 2d}", "}", "defaults.revisit"},
		{"defaults bad limit", "{verify: 1h,", "{verify: soon,", "defaults.verify"},
		{"defaults not a mapping", "defaults: {verify: 1h, dispatch: 1h, accept: 2h, handle: 3d, inspect: 4h, revisit: 2d}", "defaults: 3d", "defaults"},
		{"item bad limit", "handle: 4h}", "handle: 4x}", "classes[0].items[0].limits.handle"},
		{"item zero limit", "handle: 4h}", "handle: 0}", "classes[0].items[0].limits.handle"},
		{"item limit out of order", "handle: 4h}", "handle: 4h1d}", "classes[0].items[0].limits.handle"},
		{"item limit empty", "handle: 4h}", "handle: \"\"}", "classes[0].items[0].limits.handle"},
		{"class bad limit", "limits: {handle: 2d}", "limits: {handle: -2d}", "classes[0].limits.handle"},
		{"urgencies missing", urgencies, "", "urgencies.normal"},
		{"urgencies not a mapping", urgencies, "urgencies: [normal]\n", "urgencies"},
		{"urgency missing", "  critical: {zh: 特急, en: Critical, factor: 0.25, continuous: true}\n", "", "urgencies.critical"},
		{"urgency unknown", "urgencies:\n", "urgencies:\n  extreme: {zh: 极, en: Extreme, factor: 0.1}\n", "urgencies.extreme"},
		{"urgency no zh", "{zh: 紧急, en: Urgent", "{en: Urgent", "urgencies.urgent.zh"},
		{"urgency no en", "en: Urgent, ", "", "urgencies.urgent.en"},
		{"factor missing", "en: Urgent, factor: 0.5}", "en: Urgent}", "urgencies.urgent.factor"},
		{"factor zero", "factor: 0.5", "factor: 0", "urgencies.urgent.factor"},
		{"factor negative", "factor: 0.5", "factor: -0.5", "urgencies.urgent.factor"},
		{"factor over one", "factor: 1}", "factor: 1.5}", "urgencies.normal.factor"},
		{"factor text", "factor: 0.5", "factor: half", "urgencies.urgent.factor"},
		{"urgency continuous not bool", "continuous: true}", "continuous: always}", "urgencies.critical.continuous"},
		{"classes missing", classes, "", "classes"},
		{"classes empty", classes, "classes: []\n", "classes"},
		{"classes not a list", classes, "classes: {}\n", "classes"},
		{"class not a mapping", "classes:\n", "classes:\n  - part\n", "classes[0]"},
		{"bad kind", "kind: event", "kind: incident", "classes[1].kind"},
		{"missing kind", "  - kind: event\n    major", "  - major", "classes[1].kind"},
		{"bad major", "major: \"04\"", "major: \"4\"", "classes[1].major"},
		{"letters major", "major: \"04\"", "major: ab", "classes[1].major"},
		{"duplicate major", "kind: event\n    major: \"04\"", "kind: part\n    major: \"01\"", "classes[1].major"},
		{"class name missing", "    name: {zh: 突发事件, en: Emergencies}\n", "", "classes[1].name.zh"},
		{"class name empty en", "en: Public utilities", "en: \" \"", "classes[0].name.en"},
		{"class bad department", "department: city\n    limits: {handle", "department: c i t y\n    limits: {handle", "classes[0].department"},
		{"class continuous not bool", "continuous: true\n", "continuous: yes please\n", "classes[1].continuous"},
		{"items missing", "    items:\n      - {code: H0101, zh: 市政道路设施, en: Municipal roads}\n", "", "classes[2].items"},
		{"items empty", "    items:\n      - {code: H0101, zh: 市政道路设施, en: Municipal roads}\n", "    items: []\n", "classes[2].items"},
		{"item not a mapping", item1, "P0102", "classes[0].items[1]"},
		{"duplicate code", "code: P0102", "code: P0101", "classes[0].items[1].code"},
		{"code of another kind", "code: P0102", "code: E0102", "classes[0].items[1].code"},
		{"code of another major", "code: P0102", "code: P0202", "classes[0].items[1].code"},
		{"code with letters", "code: P0102", "code: P01x2", "classes[0].items[1].code"},
		{"code too long", "code: P0102", "code: P01021", "classes[0].items[1].code"},
		{"code lower case", "code: P0102", "code: p0102", "classes[0].items[1].code"},
		{"code missing", "code: P0102, ", "", "classes[0].items[1].code"},
		{"item zh empty", "zh: 污水井盖", "zh: \"\"", "classes[0].items[1].zh"},
		{"item en missing", ", en: Sewage manhole cover", "", "classes[0].items[1].en"},
		{"item zh null", "zh: 污水井盖", "zh: ~", "classes[0].items[1].zh"},
		{"no department anywhere", "    department: city\n    continuous: true", "    continuous: true", "classes[1].items[0].department"},
		{"item bad department", "department: water", "department: \"wa/ter\"", "classes[0].items[0].department"},
		{"item continuous not bool", "continuous: false", "continuous: 3", "classes[1].items[0].continuous"},
		{"item limits not a mapping", "limits: {handle: 4h}", "limits: 4h", "classes[0].items[0].limits"},
	}
	for _, e := range edits {
		_, err := ParseCategories([]byte(apply(t, testCategories, e)))
		wantField(t, e.name, err, domain.CodeInvalid, e.field)
	}
	documents := map[string]string{
		"empty":          "",
		"comment only":   "# nothing\n",
		"a list":         "- a\n- b\n",
		"a scalar":       "catalog",
		"broken YAML":    "name: [",
		"tab indent":     "name: x\n\tsource: y\n",
		"two documents":  testCategories + "---\n" + testCategories,
		"trailing junk":  testCategories + "\n...\n]",
		"duplicate anch": "a: &x 1\nb: &x 2\n",
	}
	for name, doc := range documents {
		_, err := ParseCategories([]byte(doc))
		if name == "duplicate anch" { // valid YAML; fails on the schema instead
			wantField(t, name, err, domain.CodeInvalid, "a")
			continue
		}
		wantField(t, name, err, domain.CodeInvalid, "document")
	}
	_, err := ParseCategories(make([]byte, maxFileBytes+1))
	wantField(t, "too large", err, domain.CodeTooLarge, "document")
}
