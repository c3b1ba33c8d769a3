package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// The shipped city files, read where the server will read them.
var cities = []string{"wuhan", "nyc"}

func loadCity(t fataler, city string) (*Catalog, *Routing) {
	t.Helper()
	dir := "../../geo/cities/" + city + "/"
	cb, err := os.ReadFile(dir + "categories.yaml")
	if err != nil {
		t.Fatalf("%v", err)
	}
	rb, err := os.ReadFile(dir + "routing.yaml")
	if err != nil {
		t.Fatalf("%v", err)
	}
	cat, err := ParseCategories(cb)
	if err != nil {
		t.Fatalf("%s categories.yaml: %v", city, err)
	}
	r, err := ParseRouting(rb, cat)
	if err != nil {
		t.Fatalf("%s routing.yaml: %v", city, err)
	}
	return cat, r
}

func wuhan(t fataler) (*Catalog, *Routing) { return loadCity(t, "wuhan") }

func TestShippedFiles(t *testing.T) {
	for _, city := range cities {
		cat, r := loadCity(t, city)
		cats := cat.Categories()
		t.Logf("%s: %d categories, %d departments, %d rules", city, len(cats), len(r.Departments()), len(r.rules))
		for _, c := range cats {
			if _, ok := r.Department(c.Department); !ok {
				t.Errorf("%s %s: default department %s does not exist", city, c.Code, c.Department)
			}
			if route, err := r.Suggest(c.Code, Location{}); err != nil || route.Department == "" {
				t.Errorf("%s %s: Suggest = %+v, %v", city, c.Code, route, err)
			}
		}
		for i, rule := range r.rules {
			d, ok := r.Department(rule.Department)
			if !ok {
				t.Errorf("%s rules[%d]: department %s does not exist", city, i, rule.Department)
				continue
			}
			// A rule for a district sends to the city or to a department of that district.
			if rule.District != "" && d.Level != "city" && d.District != rule.District {
				t.Errorf("%s rules[%d] for district %s sends to %s of district %s", city, i, rule.District, d.Code, d.District)
			}
			if city == "wuhan" && rule.Street != "" && !strings.HasPrefix(rule.Street, rule.District) {
				t.Errorf("wuhan rules[%d]: street %s is not in district %s", i, rule.Street, rule.District)
			}
		}
		for _, u := range Urgencies {
			if _, ok := cat.Urgency(u); !ok {
				t.Errorf("%s: no policy for %s", city, u)
			}
		}
	}
}

func TestWuhanCatalog(t *testing.T) {
	cat, r := wuhan(t)
	perClass := map[string]int{}
	for _, c := range cat.Categories() {
		perClass[c.Code[:3]]++
		if c.Kind == "event" && c.Major == "04" && !c.Continuous {
			t.Errorf("%s is a 突发事件 but not counted 24x7", c.Code)
		}
	}
	for _, k := range []string{"P01", "P02", "P03", "P04", "P05", "P06", "E01", "E02", "E03", "E04", "E05", "E06"} {
		if n := perClass[k]; n < 4 || n > 11 {
			t.Errorf("class %s has %d items, want 4-10 (11 for 公用设施)", k, n)
		}
	}
	for i := 1; i <= 12; i++ {
		if perClass[fmt.Sprintf("H%02d", i)] == 0 {
			t.Errorf("hotline class H%02d is empty", i)
		}
	}
	districts := []string{"420102", "420103", "420104", "420105", "420106", "420107", "420111", "420112", "420113", "420114", "420115", "420116", "420117"}
	for _, d := range districts {
		for _, q := range []struct{ code, dept string }{
			{"E0102", d + "-cgj"}, {"P0304", d + "-cgj"}, {"E0201", d + "-cgj"}, {"E0501", d + "-cgj"}, {"E0302", d + "-zjj"},
			{"P0111", "wh-rqjt"}, {"P0105", "wh-gdgs"}, {"P0101", "wh-swjt"}, {"P0102", "wh-swj"}, {"E0401", "wh-cjj"},
		} {
			if got, err := r.Suggest(q.code, Location{District: d, Street: d + "099"}); err != nil || got.Department != q.dept {
				t.Errorf("Suggest(%s, %s) = %+v, %v; want %s", q.code, d, got, err, q.dept)
			}
		}
	}
	if got, _ := r.Suggest("E0501", Location{District: "420106", Street: "420106001"}); got.Department != "420106001-jd" {
		t.Errorf("积玉桥街道 street rule: got %+v", got)
	}
}

// TestNYCCoversSample checks the NYC catalog against the 311 sample: every complaint type in it
// (and so every one occurring 5 times or more) has a category whose English name is the type,
// defaulting to the agency that took most of them.
func TestNYCCoversSample(t *testing.T) {
	const sample = "../../geo/cities/nyc/311_service_requests.csv"
	f, err := os.Open(sample)
	if err != nil {
		t.Fatalf("the 311 sample ships with the NYC city: %v", err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	head, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	agencies := map[string]map[string]int{} // complaint type -> agency -> count
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, ag := rec[col["complaint_type"]], rec[col["agency"]]
		if agencies[ct] == nil {
			agencies[ct] = map[string]int{}
		}
		agencies[ct][ag]++
	}
	cat, _ := loadCity(t, "nyc")
	byName := map[string]Category{}
	for _, c := range cat.Categories() {
		byName[c.Name.EN] = c
	}
	for ct, ags := range agencies {
		top, n := "", 0
		for ag, k := range ags {
			if k > n || (k == n && ag < top) {
				top, n = ag, k
			}
		}
		c, ok := byName[ct]
		switch {
		case !ok:
			t.Errorf("complaint type %q has no category", ct)
		case c.Department != top:
			t.Errorf("%s %q defaults to %s, but the sample's agency is %s", c.Code, ct, c.Department, top)
		}
	}
}
