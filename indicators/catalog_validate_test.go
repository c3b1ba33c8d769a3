package indicators

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

// catalogFixtures are the tests that check indicator values by hand; TestEveryIndicatorHasAFixture
// runs them when they have not run (a -run filter, another order) before it checks.
var catalogFixtures = []struct {
	name string
	run  func(*testing.T)
}{
	{"TestFixtureCaseLoop", TestFixtureCaseLoop},
	{"TestCatalogIntake", TestCatalogIntake},
	{"TestCatalogDispatchAndAccept", TestCatalogDispatchAndAccept},
	{"TestCatalogHandleAndClose", TestCatalogHandleAndClose},
	{"TestCatalogLoopGauges", TestCatalogLoopGauges},
	{"TestCatalogHotlineIntake", TestCatalogHotlineIntake},
	{"TestCatalogHotlineRevisit", TestCatalogHotlineRevisit},
	{"TestCatalogGridComposite", TestCatalogGridComposite},
	{"TestCatalogDevices", TestCatalogDevices},
	{"TestCatalogAlarms", TestCatalogAlarms},
	{"TestCatalogPlatform", TestCatalogPlatform},
	{"TestCatalogUrban", TestCatalogUrban},
	{"TestCatalogEmergency", TestCatalogEmergency},
}

func uncheckedIndicators(c *Catalog) []string {
	var missing []string
	for _, ind := range c.Indicators {
		if _, ok := checked.Load(ind.ID); !ok {
			missing = append(missing, ind.ID)
		}
	}
	return missing
}

// TestEveryIndicatorHasAFixture fails when an indicator of the shipped catalog has no fixture
// checking a hand-computed value of it (fixture.want records every id it checks).
func TestEveryIndicatorHasAFixture(t *testing.T) {
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if got := uncheckedIndicators(&Catalog{Indicators: []Indicator{{ID: "no fixture checks this"}}}); len(got) != 1 {
		t.Fatalf("an unchecked indicator is not noticed: %v", got)
	}
	if len(uncheckedIndicators(c)) > 0 {
		for _, fx := range catalogFixtures {
			t.Run(fx.name, fx.run)
		}
	}
	if missing := uncheckedIndicators(c); len(missing) > 0 {
		t.Errorf("%d indicators have no fixture checking a value: %s", len(missing), strings.Join(missing, ", "))
	}
}

// TestCatalogShape: the shipped catalog has 60+ indicators over all seven themes, uses every
// measure it declares, and every ind() it uses is computed for each of the caller's windows
// (ind() of an indicator not evaluated for a window would read 0).
func TestCatalogShape(t *testing.T) {
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(c, Config{}); err != nil {
		t.Fatal(err)
	}
	if len(c.Indicators) < 60 {
		t.Errorf("%d indicators, want at least 60", len(c.Indicators))
	}
	byTheme := map[string]int{}
	byID := map[string]Indicator{}
	used := map[string]bool{}
	for _, ind := range c.Indicators {
		byTheme[ind.Theme]++
		byID[ind.ID] = ind
		for _, r := range referencedNames(ind.Formula) {
			if r.fn != "ind" && r.fn != "runtime" {
				used[r.name] = true
			}
		}
	}
	for _, th := range Themes {
		if byTheme[th] == 0 {
			t.Errorf("theme %s has no indicator", th)
		}
	}
	t.Logf("%d indicators: %v", len(c.Indicators), byTheme)
	for _, id := range []string{"reported", "on_time_closure_rate", "backlog", "mean_handle_hours", "events_per_minute"} {
		if _, ok := byID[id]; !ok {
			t.Errorf("indicator %s is gone", id)
		}
	}
	for name := range c.Measures {
		if !used[name] {
			t.Errorf("measure %s is used by no indicator", name)
		}
	}
	for _, ind := range c.Indicators {
		for _, r := range referencedNames(ind.Formula) {
			if r.fn != "ind" {
				continue
			}
			for _, w := range ind.Windows {
				if !slices.Contains(byID[r.name].Windows, w) {
					t.Errorf("%s uses ind(%q) over %s, a window %s does not have", ind.ID, r.name, w, r.name)
				}
			}
		}
	}
}

// A small valid catalog that each case of TestCatalogRefused breaks in one place.
const testCatalog = `name: test
measures:
  reported: {on: [CaseReported]}
  closed_on_time: {on: [CaseClosed], where: {onTime: ["true"]}}
  handle_time: {on: [CaseHandled], duration: sinceDispatched}
  open: {gauge: {status: [registered]}}
indicators:
  - id: a
    name: {zh: 甲, en: A}
    theme: case_loop
    unit: count
    definition: {zh: 上报数, en: Reports}
    formula: count("reported") + count("closed_on_time") + mean("handle_time") + gauge("open")
    dimensions: [city, district]
    windows: [today, 7d]
    thresholds: {better: higher, green: 90, amber: 80}
  - id: b
    name: {zh: 乙, en: B}
    theme: grid
    unit: score
    definition: {zh: 甲的两倍, en: Twice A}
    formula: 2 * ind("a")
    dimensions: [city]
    windows: [7d]
`

// TestCatalogRefused: a broken catalog is refused by ParseCatalog or New with an invalid error
// naming the measure or indicator and the field.
func TestCatalogRefused(t *testing.T) {
	aFormula := `count("reported") + count("closed_on_time") + mean("handle_time") + gauge("open")`
	for _, tc := range []struct {
		name, old, new string
		field, msg     string // "" field: accepted
	}{
		{"valid", "", "", "", ""},
		{"unknown measure in a formula", `count("reported") +`, `count("reportd") +`, "indicator a.formula", `count("reportd"): no such measure`},
		{"unknown attribute", `where: {onTime:`, `where: {colour:`, "measure closed_on_time.where.colour", "not an event attribute"},
		{"unknown event type", `on: [CaseReported]`, `on: [CaseExploded]`, "measure reported.on", `"CaseExploded"`},
		{"unknown duration", `sinceDispatched`, `sinceForever`, "measure handle_time.duration", `"sinceForever"`},
		{"unknown gauge state", `gauge: {status:`, `gauge: {colour:`, "measure open.gauge.colour", "not a state attribute"},
		{"missing zh name", `name: {zh: 甲, en: A}`, `name: {en: A}`, "indicator a.name", "zh and en"},
		{"missing en definition", `definition: {zh: 上报数, en: Reports}`, `definition: {zh: 上报数}`, "indicator a.definition", "zh and en"},
		{"cycle through ind()", aFormula, `ind("b")`, "indicator a.formula", "refers to itself"},
		{"ind() of no indicator", `2 * ind("a")`, `2 * ind("c")`, "indicator b.formula", `ind("c"): no such indicator`},
		{"thresholds the wrong way round", `green: 90, amber: 80`, `green: 80, amber: 90`, "indicator a.thresholds", "wrong way round"},
		{"thresholds better neither", `better: higher`, `better: bigger`, "indicator a.thresholds.better", `"bigger"`},
		{"unknown theme", `theme: grid`, `theme: weather`, "indicator b.theme", `"weather"`},
		{"unknown unit", `unit: score`, `unit: furlongs`, "indicator b.unit", `"furlongs"`},
		{"unknown dimension", `[city, district]`, `[city, planet]`, "indicator a.dimensions", `"planet"`},
		{"dimensions not from the city", `[city, district]`, `[district]`, "indicator a.dimensions", "must start with city"},
		{"unknown window", `[today, 7d]`, `[today, fortnight]`, "indicator a.windows", `"fortnight"`},
		{"duplicate id", `id: b`, `id: a`, "indicator a.id", "appears twice"},
		{"gauge counted", `gauge("open")`, `count("open")`, "indicator a.formula", "use gauge()"},
		{"mean of a counter", `mean("handle_time")`, `mean("reported")`, "indicator a.formula", "not a duration measure"},
		{"formula syntax", aFormula, `count("reported") +`, "indicator a.formula", ""},
		{"unknown field", `formula: 2 * ind("a")`, `formla: 2 * ind("a")`, "catalog", "formla"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testCatalog
			if tc.old != "" {
				if !strings.Contains(src, tc.old) {
					t.Fatalf("the test catalog has no %q", tc.old)
				}
				src = strings.Replace(src, tc.old, tc.new, 1)
			}
			c, err := ParseCatalog([]byte(src))
			if err == nil {
				_, err = New(c, Config{})
			}
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want an invalid error on %s", err, tc.field)
			}
			if de.Code != domain.CodeInvalid || de.Field != tc.field || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("err = %v (code %s, field %q), want invalid on %q saying %q", err, de.Code, de.Field, tc.field, tc.msg)
			}
		})
	}
}
