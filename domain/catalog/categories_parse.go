package catalog

import (
	"maps"

	"go.yaml.in/yaml/v3"
)

// ParseCategories parses and validates a categories file (see geo/cities/*/categories.yaml):
//
//	name: 武汉市…               # title, required
//	source: "…"                 # provenance and caveats, required
//	warnAt: 0.8                 # warn at this fraction of a limit, 0 < warnAt < 1
//	defaults: {verify: 1h, dispatch: 1h, accept: 2h, handle: 3d, inspect: 4h, revisit: 2d}
//	urgencies:                  # all of normal, urgent, critical; 0 < factor <= 1
//	  critical: {zh: 特急, en: Critical, factor: 0.25, continuous: true}
//	classes:                    # one per 大类
//	  - kind: part              # part | event | hotline
//	    major: "01"             # two digits, unique per kind
//	    name: {zh: 公用设施, en: Public utilities}
//	    department: wh-cgw      # default for the items, optional
//	    limits: {handle: 1d}    # overrides defaults, optional
//	    continuous: false       # optional
//	    items:                  # the 小类
//	      - {code: P0101, zh: 上水井盖, en: Water supply manhole cover, department: wh-swj, limits: {handle: 4h}}
//
// An item's department, limits (stage by stage) and continuous override its class's, which
// override the defaults. Every limit must be positive. It returns an invalid error
// (domain.CodeInvalid) whose Field is the path of the first bad field, e.g.
// "classes[2].items[5].code", or too_large for a file over 4 MiB. It never panics.
func ParseCategories(data []byte) (*Catalog, error) {
	root, err := document(data)
	if err != nil {
		return nil, err
	}
	top, err := mapping(root, "", "name", "source", "warnAt", "defaults", "urgencies", "classes")
	if err != nil {
		return nil, err
	}
	c := &Catalog{byCode: map[string]int{}, majors: map[string]bool{}}
	if c.name, err = top.need("name"); err != nil {
		return nil, err
	}
	if _, err = top.need("source"); err != nil {
		return nil, err
	}
	if c.warnAt, err = warnAt(top); err != nil {
		return nil, err
	}
	defaults, err := parseLimits(top.node("defaults"), "defaults")
	if err != nil {
		return nil, err
	}
	for _, s := range Stages {
		if _, ok := defaults[s]; !ok {
			return nil, bad(top.node("defaults"), join("defaults", string(s)), "missing: the defaults need a limit for every stage")
		}
	}
	if c.urgencies, err = parseUrgencies(top.node("urgencies")); err != nil {
		return nil, err
	}
	classes, err := top.sequence("classes")
	if err != nil {
		return nil, err
	}
	if len(classes) == 0 {
		return nil, bad(root, "classes", "required: a catalog needs at least one class")
	}
	seen := map[string]string{} // code or kind letter+major -> path of its first use
	for i, n := range classes {
		if err := c.addClass(n, index("classes", i), defaults, seen); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func warnAt(top fields) (float64, error) {
	v, ok, err := top.float("warnAt")
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, bad(top.where, "warnAt", "required: the fraction of a limit at which to warn, e.g. 0.8")
	case v <= 0 || v >= 1:
		return 0, bad(top.node("warnAt"), "warnAt", "%v is outside (0, 1)", v)
	}
	return v, nil
}

// parseLimits reads a mapping of stage to limit; stages left out are absent from the result.
func parseLimits(n *yaml.Node, path string) (map[Stage]Limit, error) {
	f, err := mapping(n, path, stageNames()...)
	if err != nil {
		return nil, err
	}
	out := make(map[Stage]Limit, len(f.vals))
	for _, s := range Stages {
		if _, given := f.vals[string(s)]; !given {
			continue
		}
		text, err := f.need(string(s))
		if err != nil {
			return nil, err
		}
		l, msg := parseLimit(text)
		if msg == "" && l.IsZero() {
			msg = "a stage limit must be more than zero"
		}
		if msg != "" {
			return nil, bad(f.node(string(s)), f.at(string(s)), "%q: %s", text, msg)
		}
		out[s] = l
	}
	return out, nil
}

func parseUrgencies(n *yaml.Node) (map[Urgency]UrgencyPolicy, error) {
	names := make([]string, len(Urgencies))
	for i, u := range Urgencies {
		names[i] = string(u)
	}
	f, err := mapping(n, "urgencies", names...)
	if err != nil {
		return nil, err
	}
	out := make(map[Urgency]UrgencyPolicy, len(Urgencies))
	for _, u := range Urgencies {
		path := f.at(string(u))
		un := f.node(string(u))
		if isNull(un) {
			return nil, bad(n, path, "missing: the catalog needs a policy for every urgency (%v)", Urgencies)
		}
		uf, err := mapping(un, path, "zh", "en", "factor", "continuous")
		if err != nil {
			return nil, err
		}
		var p UrgencyPolicy
		if p.Name, err = uf.text(); err != nil {
			return nil, err
		}
		factor, ok, err := uf.float("factor")
		switch {
		case err != nil:
			return nil, err
		case !ok:
			return nil, bad(un, uf.at("factor"), "required: what the limits are multiplied by, e.g. 0.5")
		case factor <= 0 || factor > 1:
			return nil, bad(uf.node("factor"), uf.at("factor"), "%v is outside (0, 1]", factor)
		}
		p.Factor = factor
		if p.Continuous, _, err = uf.boolean("continuous"); err != nil {
			return nil, err
		}
		out[u] = p
	}
	return out, nil
}

// class holds what a 大类 passes down to its items.
type class struct {
	kind       Kind
	major      string
	name       Text
	department string
	limits     map[Stage]Limit
	continuous bool
}

func (c *Catalog) addClass(n *yaml.Node, path string, defaults map[Stage]Limit, seen map[string]string) error {
	f, err := mapping(n, path, "kind", "major", "name", "department", "limits", "continuous", "items")
	if err != nil {
		return err
	}
	var cl class
	kind, err := f.need("kind")
	if err != nil {
		return err
	}
	cl.kind = Kind(kind)
	letter, ok := kindLetters[cl.kind]
	if !ok {
		return bad(f.node("kind"), f.at("kind"), "%q is not a kind: use part, event or hotline", kind)
	}
	if cl.major, err = f.need("major"); err != nil {
		return err
	}
	if len(cl.major) != 2 || !digits(cl.major) {
		return bad(f.node("major"), f.at("major"), "%q is not a 大类 code: use two digits, e.g. \"01\"", cl.major)
	}
	key := string(letter) + cl.major
	if first, dup := seen[key]; dup {
		return bad(f.node("major"), f.at("major"), "%s %s is already defined at %s", kind, cl.major, first)
	}
	seen[key] = path
	c.majors[key] = true
	nf, err := mapping(f.node("name"), f.at("name"), "zh", "en")
	if err != nil {
		return err
	}
	if cl.name, err = nf.text(); err != nil {
		return err
	}
	if cl.department, err = f.code("department"); err != nil {
		return err
	}
	own, err := parseLimits(f.node("limits"), f.at("limits"))
	if err != nil {
		return err
	}
	cl.limits = maps.Clone(defaults)
	maps.Copy(cl.limits, own)
	if cl.continuous, _, err = f.boolean("continuous"); err != nil {
		return err
	}
	items, err := f.sequence("items")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return bad(n, f.at("items"), "required: a class needs at least one item")
	}
	for j, item := range items {
		if err := c.addItem(item, index(f.at("items"), j), &cl, letter, seen); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) addItem(n *yaml.Node, path string, cl *class, letter byte, seen map[string]string) error {
	f, err := mapping(n, path, "code", "zh", "en", "department", "limits", "continuous")
	if err != nil {
		return err
	}
	cat := Category{Kind: cl.kind, Major: cl.major, MajorName: cl.name, Department: cl.department, Continuous: cl.continuous}
	if cat.Code, err = f.need("code"); err != nil {
		return err
	}
	want := string(letter) + cl.major
	if len(cat.Code) != 5 || cat.Code[:3] != want || !digits(cat.Code[3:]) {
		return bad(f.node("code"), f.at("code"), "%q is not a code of %s %s: write %s and two digits, e.g. %s01", cat.Code, cl.kind, cl.major, want, want)
	}
	if first, dup := seen[cat.Code]; dup {
		return bad(f.node("code"), f.at("code"), "%s is already defined at %s", cat.Code, first)
	}
	seen[cat.Code] = path
	if cat.Name, err = f.text(); err != nil {
		return err
	}
	dept, err := f.code("department")
	if err != nil {
		return err
	}
	if dept != "" {
		cat.Department = dept
	}
	if cat.Department == "" {
		return bad(n, f.at("department"), "required: neither the item nor its class names a department")
	}
	own, err := parseLimits(f.node("limits"), f.at("limits"))
	if err != nil {
		return err
	}
	cat.Limits = maps.Clone(cl.limits)
	maps.Copy(cat.Limits, own)
	if v, given, err := f.boolean("continuous"); err != nil {
		return err
	} else if given {
		cat.Continuous = v
	}
	c.byCode[cat.Code] = len(c.cats)
	c.cats = append(c.cats, cat)
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
