// Package indicators is the operation indicator engine of DESIGN.md §6: a declarative catalog
// of measures (what to count in the log) and indicators (formulas over measures, with
// dimensions, windows and thresholds), and an engine that folds the log into day rollups and
// a fact table, so that any indicator of any scope is answered at any instant.
package indicators

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/chengyun/chengyun/domain"
)

//go:embed catalog.yaml
var defaultCatalog []byte

// Text is a name or definition in Chinese and English.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// MeasureSpec declares what a measure counts. A counter counts matching events; a duration
// measure sums a duration attribute of matching events (mean and percentiles come from it);
// a gauge counts cases (or devices, alarms) whose state matches, at an instant.
type MeasureSpec struct {
	On       []string            `yaml:"on" json:"on,omitempty"`             // event types
	Where    map[string][]string `yaml:"where" json:"where,omitempty"`       // attribute → accepted values
	Duration string              `yaml:"duration" json:"duration,omitempty"` // a duration attribute: a duration measure
	Working  bool                `yaml:"working" json:"working,omitempty"`   // count working time on the city calendar
	Gauge    map[string][]string `yaml:"gauge" json:"gauge,omitempty"`       // state attribute → accepted values: a gauge
	Of       string              `yaml:"of" json:"of,omitempty"`             // a gauge's subject: case (default), device, alarm
}

// Thresholds colour a value: with Better "higher", value >= Green is green, >= Amber amber,
// else red; with "lower" the comparisons turn round.
type Thresholds struct {
	Better string  `yaml:"better" json:"better"`
	Green  float64 `yaml:"green" json:"green"`
	Amber  float64 `yaml:"amber" json:"amber"`
}

// Indicator is one operation indicator of the catalog.
type Indicator struct {
	ID         string      `yaml:"id" json:"id"`
	Name       Text        `yaml:"name" json:"name"`
	Theme      string      `yaml:"theme" json:"theme"`
	Unit       string      `yaml:"unit" json:"unit"`
	Definition Text        `yaml:"definition" json:"definition"`
	Formula    string      `yaml:"formula" json:"formula"`
	Dimensions []string    `yaml:"dimensions" json:"dimensions"`
	Windows    []string    `yaml:"windows" json:"windows"`
	Thresholds *Thresholds `yaml:"thresholds" json:"thresholds,omitempty"`
	Reference  string      `yaml:"reference" json:"reference,omitempty"`
}

// Catalog is a parsed, validated catalog file. It is immutable after parsing.
type Catalog struct {
	Name       string                 `yaml:"name" json:"name"`
	Measures   map[string]MeasureSpec `yaml:"measures" json:"measures"`
	Indicators []Indicator            `yaml:"indicators" json:"indicators"`
}

// Dimensions an indicator may be broken down by, in the order the engine stores them.
var Dimensions = []string{"city", "district", "street", "grid", "department", "category", "source", "urgency"}

// Windows an indicator may be evaluated over (each also with 同比 yoy and 环比 mom).
var Windows = []string{"today", "24h", "7d", "30d", "mtd"}

// Themes of DESIGN.md §6.
var Themes = []string{"case_loop", "hotline", "iot", "urban", "emergency", "grid", "platform"}

// Units a value may carry.
var Units = []string{"count", "percent", "hours", "minutes", "per_minute", "per_day", "score", "ratio", "events"}

// DefaultCatalog returns the shipped catalog (indicators/catalog.yaml).
func DefaultCatalog() (*Catalog, error) { return ParseCatalog(defaultCatalog) }

// ParseCatalog reads and validates a catalog. Errors: invalid naming the indicator or measure
// and the field.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, domain.Invalid("catalog", "%v", err)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Catalog) validate() error {
	if len(c.Measures) == 0 || len(c.Indicators) == 0 {
		return domain.Invalid("catalog", "needs measures and indicators")
	}
	for name, m := range c.Measures {
		if err := validateMeasure(name, m); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for i, ind := range c.Indicators {
		at := fmt.Sprintf("indicators[%d]", i)
		if ind.ID != "" {
			at = "indicator " + ind.ID
		}
		switch {
		case ind.ID == "" || strings.ContainsAny(ind.ID, " :/,"):
			return domain.Invalid(at+".id", "%q is not an id", ind.ID)
		case seen[ind.ID]:
			return domain.Invalid(at+".id", "%q appears twice", ind.ID)
		case ind.Name.ZH == "" || ind.Name.EN == "":
			return domain.Invalid(at+".name", "needs zh and en")
		case ind.Definition.ZH == "" || ind.Definition.EN == "":
			return domain.Invalid(at+".definition", "needs zh and en")
		case !slices.Contains(Themes, ind.Theme):
			return domain.Invalid(at+".theme", "%q is not one of %s", ind.Theme, strings.Join(Themes, ", "))
		case !slices.Contains(Units, ind.Unit):
			return domain.Invalid(at+".unit", "%q is not one of %s", ind.Unit, strings.Join(Units, ", "))
		case strings.TrimSpace(ind.Formula) == "":
			return domain.Invalid(at+".formula", "is empty")
		case len(ind.Dimensions) == 0 || ind.Dimensions[0] != "city":
			return domain.Invalid(at+".dimensions", "must start with city")
		case len(ind.Windows) == 0:
			return domain.Invalid(at+".windows", "needs at least one window")
		}
		seen[ind.ID] = true
		for _, d := range ind.Dimensions {
			if !slices.Contains(Dimensions, d) {
				return domain.Invalid(at+".dimensions", "%q is not one of %s", d, strings.Join(Dimensions, ", "))
			}
		}
		for _, w := range ind.Windows {
			if !slices.Contains(Windows, w) {
				return domain.Invalid(at+".windows", "%q is not one of %s", w, strings.Join(Windows, ", "))
			}
		}
		if t := ind.Thresholds; t != nil && t.Better != "higher" && t.Better != "lower" {
			return domain.Invalid(at+".thresholds.better", "%q: want higher or lower", t.Better)
		}
		if t := ind.Thresholds; t != nil && ((t.Better == "higher" && t.Green < t.Amber) || (t.Better == "lower" && t.Green > t.Amber)) {
			return domain.Invalid(at+".thresholds", "green %v and amber %v are the wrong way round for %s-is-better", t.Green, t.Amber, t.Better)
		}
	}
	return nil
}

func validateMeasure(name string, m MeasureSpec) error {
	at := "measure " + name
	if m.Gauge != nil {
		if len(m.On) > 0 || m.Duration != "" || len(m.Where) > 0 {
			return domain.Invalid(at, "a gauge takes no on, where or duration")
		}
		of := m.Of
		if of == "" {
			of = "case"
		}
		for attr := range m.Gauge {
			if !slices.Contains(stateAttributes[of], attr) {
				return domain.Invalid(at+".gauge."+attr, "is not a state attribute of a %s (%s)", of, strings.Join(stateAttributes[of], ", "))
			}
		}
		if _, ok := stateAttributes[of]; !ok {
			return domain.Invalid(at+".of", "%q: want case, device or alarm", m.Of)
		}
		return nil
	}
	if len(m.On) == 0 {
		return domain.Invalid(at+".on", "needs at least one event type")
	}
	for _, t := range m.On {
		if !knownEventType(t) {
			return domain.Invalid(at+".on", "%q is not a case or sensor event type", t)
		}
	}
	for attr := range m.Where {
		if _, ok := eventAttribute[attr]; !ok {
			return domain.Invalid(at+".where."+attr, "is not an event attribute (%s)", strings.Join(sortedKeys(eventAttribute), ", "))
		}
	}
	if m.Duration != "" {
		if _, ok := durationAttribute[m.Duration]; !ok {
			return domain.Invalid(at+".duration", "%q is not a duration (%s)", m.Duration, strings.Join(sortedKeys(durationAttribute), ", "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
