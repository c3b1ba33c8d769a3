package chengyun_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/chengyun/chengyun/"

// rule says which of the module's own packages a layer may depend on (directly or not), and
// which outside modules, when that is restricted. DESIGN.md §3 is the source of these rules.
type rule struct {
	layer    string   // package path prefix inside the module
	internal []string // allowed internal prefixes besides the layer itself
	external []string // allowed outside module prefixes; nil means unrestricted
}

var rules = []rule{
	// geo and domain read data files (city.yaml, category catalogs, calendars, routing tables):
	// parsing and validating them is domain knowledge, so a YAML parser is allowed in both.
	{layer: "geo", external: []string{"github.com/paulmach/orb", "go.yaml.in/yaml/v3"}},
	// Two small libraries are allowed in domain, both for validating what callers propose:
	// event ids are UUIDs (uuid), and event data must be JSON (fastjson, the fast validator).
	// go-json decodes stored case events: the hot path of every replay.
	{layer: "domain", internal: []string{"geo"}, external: []string{"github.com/paulmach/orb", "github.com/google/uuid", "github.com/valyala/fastjson", "go.yaml.in/yaml/v3", "github.com/goccy/go-json"}},
	{layer: "eventstore/feed", internal: []string{"domain", "geo"}},
	{layer: "eventstore/storetest", internal: []string{"domain", "geo"}},
	{layer: "eventstore/embedded", internal: []string{"domain", "geo", "eventstore/feed"}},
	{layer: "eventstore/postgres", internal: []string{"domain", "geo", "eventstore/feed"}},
	{layer: "eventstore/esdb", internal: []string{"domain", "geo", "eventstore/feed"}},
	{layer: "commands", internal: []string{"domain", "geo"}},
	{layer: "projections", internal: []string{"domain", "geo"}},
	{layer: "indicators", internal: []string{"domain", "geo"}},
	{layer: "hubs", internal: []string{"domain", "commands", "geo"}},
	{layer: "dashboard", internal: []string{"domain", "geo", "commands", "projections", "indicators"}},
	{layer: "cmd"},
	{layer: "deploy"},
}

func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := strings.TrimPrefix(fields[0], module), fields[1:]
		if fields[0] == strings.TrimSuffix(module, "/") {
			continue
		}
		r, ok := ruleFor(pkg)
		if !ok {
			t.Errorf("package %s is in no layer of DESIGN.md §3", pkg)
			continue
		}
		if r.layer == "cmd" {
			continue
		}
		for _, d := range deps {
			if err := r.check(pkg, d); err != "" {
				t.Error(err)
			}
		}
	}
}

func ruleFor(pkg string) (rule, bool) {
	best, found := rule{}, false
	for _, r := range rules {
		if under(pkg, r.layer) && len(r.layer) > len(best.layer) {
			best, found = r, true
		}
	}
	return best, found
}

func (r rule) check(pkg, dep string) string {
	if inner, ok := strings.CutPrefix(dep, module); ok {
		if under(inner, r.layer) {
			return ""
		}
		for _, a := range r.internal {
			if under(inner, a) {
				return ""
			}
		}
		return pkg + " must not depend on " + inner + " (DESIGN.md §3)"
	}
	if r.external == nil || !strings.Contains(strings.Split(dep, "/")[0], ".") {
		return "" // unrestricted, or the standard library
	}
	for _, a := range r.external {
		if under(dep, a) {
			return ""
		}
	}
	return pkg + " must not depend on outside module " + dep + " (DESIGN.md §3)"
}

func under(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}
