package catalog

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// checkParseError fails unless err is a domain error naming a field, as every parse error must.
func checkParseError(t *testing.T, err error) {
	var de *domain.Error
	if !errors.As(err, &de) || de.Field == "" || (de.Code != domain.CodeInvalid && de.Code != domain.CodeTooLarge) {
		t.Fatalf("error without a field path or of the wrong kind: %#v", err)
	}
}

func seedFiles(f *testing.F, name string, extra ...string) {
	for _, city := range cities {
		if b, err := os.ReadFile("../../geo/cities/" + city + "/" + name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// FuzzParseCategories: any input is refused with a field path or gives a complete catalog.
func FuzzParseCategories(f *testing.F) {
	seedFiles(f, "categories.yaml", testCategories, precedenceCategories, "", "a: &a [*a]", "classes: &c [{items: *c}]")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCategories(data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if w := c.WarnFraction(); w <= 0 || w >= 1 {
			t.Fatalf("warnAt %v accepted", w)
		}
		for _, cat := range c.Categories() {
			for _, s := range Stages {
				if l := cat.Limits[s]; l.IsZero() || l.Days < 0 || l.Time < 0 {
					t.Fatalf("%s: limit for %s is %+v", cat.Code, s, l)
				}
			}
			if got, ok := c.Category(cat.Code); !ok || got.Code != cat.Code {
				t.Fatalf("Category(%s) = %+v, %v", cat.Code, got, ok)
			}
		}
	})
}

// FuzzParseRouting: any routing file over a fixed catalog is refused with a field path or
// routes every category.
func FuzzParseRouting(f *testing.F) {
	seedFiles(f, "routing.yaml", testRouting, "rules: [{category: '*'}]")
	cat := mustCatalog(f, testCategories)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRouting(data, cat)
		if err != nil {
			checkParseError(t, err)
			return
		}
		for _, c := range cat.Categories() {
			for _, loc := range []Location{{}, {District: "1", Street: "11", Grid: "g1"}} {
				route, err := r.Suggest(c.Code, loc)
				if _, ok := r.Department(route.Department); err != nil || !ok {
					t.Fatalf("Suggest(%s, %+v) = %+v, %v", c.Code, loc, route, err)
				}
			}
		}
	})
}

// FuzzParseLimit: any string is refused or parses to a limit that prints back to itself and
// scales without trouble.
func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"0", "2h", "90m", "3d", "1d4h", "1h30m", "4h1d", "9999999d", "-1h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLimit(s)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if back, err := ParseLimit(l.String()); err != nil || back != l {
			t.Fatalf("%q parses to %+v, which prints as %q and parses to %+v, %v", s, l, l.String(), back, err)
		}
		for _, day := range []time.Duration{0, time.Minute, 8 * time.Hour, 24 * time.Hour} {
			s := l.Scale(0.25, day)
			if back, err := ParseLimit(s.String()); err != nil || back != s || s.IsZero() != l.IsZero() {
				t.Fatalf("%+v scaled over %v: %+v does not round-trip (%+v, %v)", l, day, s, back, err)
			}
		}
	})
}
