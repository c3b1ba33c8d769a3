package catalog

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/chengyun/chengyun/domain"
)

// referenceSuggest is Suggest written the obvious way, from the rule as stated: scan every
// rule, keep the best by (location level, category specificity), earlier on ties.
func referenceSuggest(rules []Rule, code string, loc Location) int {
	best, bestLevel, bestSpec := -1, -1, -1
	for i, r := range rules {
		p := r.Category
		catOK := p == "*" || p == code || (strings.HasSuffix(p, "*") && strings.HasPrefix(code, p[:len(p)-1]))
		if !catOK || (r.District != "" && r.District != loc.District) ||
			(r.Street != "" && r.Street != loc.Street) || (r.Grid != "" && r.Grid != loc.Grid) {
			continue
		}
		level := 0
		switch {
		case r.Grid != "":
			level = 3
		case r.Street != "":
			level = 2
		case r.District != "":
			level = 1
		}
		spec := 2
		if p == "*" {
			spec = 0
		} else if strings.HasSuffix(p, "*") {
			spec = 1
		}
		if level > bestLevel || (level == bestLevel && spec > bestSpec) {
			best, bestLevel, bestSpec = i, level, spec
		}
	}
	return best
}

func TestSuggestMatchesReference(t *testing.T) {
	codes := []string{"P0101", "P0102", "P0201", "E0101"}
	patterns := append([]string{"*", "P01*", "P02*", "E01*"}, codes...)
	districts, streets, grids := []string{"", "1", "2"}, []string{"", "11", "12", "21"}, []string{"", "a", "b"}
	depts := []string{"def", "x", "y", "z"}
	rapid.Check(t, func(t *rapid.T) {
		var rules []Rule
		seen := map[Rule]bool{}
		for range rapid.IntRange(0, 40).Draw(t, "rules") {
			r := Rule{
				Category: rapid.SampledFrom(patterns).Draw(t, "category"),
				District: rapid.SampledFrom(districts).Draw(t, "district"),
				Street:   rapid.SampledFrom(streets).Draw(t, "street"),
				Grid:     rapid.SampledFrom(grids).Draw(t, "grid"),
			}
			if seen[r] { // ParseRouting refuses a rule that repeats another's key
				continue
			}
			seen[r] = true
			r.Department = rapid.SampledFrom(depts).Draw(t, "department")
			rules = append(rules, r)
		}
		routing := precedenceRouting(t, rules)
		for range 50 {
			code := rapid.SampledFrom(codes).Draw(t, "code")
			loc := Location{
				District: rapid.SampledFrom(append(districts, "9")).Draw(t, "locDistrict"),
				Street:   rapid.SampledFrom(append(streets, "99")).Draw(t, "locStreet"),
				Grid:     rapid.SampledFrom(append(grids, "z")).Draw(t, "locGrid"),
			}
			got, err := routing.Suggest(code, loc)
			if err != nil {
				t.Fatalf("Suggest(%s, %+v): %v", code, loc, err)
			}
			want := referenceSuggest(rules, code, loc)
			wantDept := "def"
			if want >= 0 {
				wantDept = rules[want].Department
			}
			if got.Rule != want || got.Department != wantDept {
				t.Fatalf("Suggest(%s, %+v) = %+v, reference says rule %d (%s)\nrules: %+v", code, loc, got, want, wantDept, rules)
			}
		}
		if _, err := routing.Suggest("H0101", Location{}); domain.CodeOf(err) != domain.CodeNotFound {
			t.Fatalf("unknown category: %v", err)
		}
	})
}

func TestSuggestDoesNotAllocate(t *testing.T) {
	_, r := wuhan(t)
	locs := []Location{{}, {District: "420106"}, {District: "420106", Street: "420106001"},
		{District: "420106", Street: "420106001", Grid: "420106001001003"}, {District: "420103", Street: "420103001"}}
	allocs := testing.AllocsPerRun(200, func() {
		for _, l := range locs {
			for _, code := range []string{"E0105", "E0504", "P0101", "H0101"} {
				if _, err := r.Suggest(code, l); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Suggest allocates %v times per run, want 0", allocs)
	}
}

func BenchmarkSuggest(b *testing.B) {
	cat, r := wuhan(b)
	type query struct {
		code string
		loc  Location
	}
	// Every category at a mix of locations: no location, a district, a street with and without
	// its own rules, and the demo grid.
	var qs []query
	locs := []Location{{}, {District: "420102"}, {District: "420106", Street: "420106001"},
		{District: "420106", Street: "420106001", Grid: "420106001001003"}, {District: "420117", Street: "420117001", Grid: "420117001001"}}
	for _, c := range cat.Categories() {
		for _, l := range locs {
			qs = append(qs, query{c.Code, l})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		if _, err := r.Suggest(q.code, q.loc); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
