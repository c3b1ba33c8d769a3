package indicators

import (
	"math"
	"slices"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/chengyun/chengyun/domain"
)

// Scope is what an evaluation covers: the city, or one district, street, grid, department,
// category, source or urgency.
type Scope struct {
	Dim  string `json:"dim"`
	Code string `json:"code,omitempty"`
}

// Value is an indicator over one window: its value, the same window a year earlier (同比) and
// the previous period (环比), and its colour by the catalog's thresholds. A value with no
// denominator (no cases yet) is null.
type Value struct {
	Value  *float64 `json:"value"`
	YoY    *float64 `json:"yoy"`
	MoM    *float64 `json:"mom"`
	Status string   `json:"status,omitempty"` // green, amber, red
}

// Values are one indicator's values by window.
type Values struct {
	ID      string           `json:"id"`
	Windows map[string]Value `json:"windows"`
}

// env is the evaluation environment of formulas: functions over the current scope and span.
type env = map[string]any

// evalCtx is the state the formula functions read; one evaluation rebinds it per window.
type evalCtx struct {
	e       *Engine
	counts  *sums
	gauges  *sums
	span    span
	results map[string]float64 // indicators already evaluated for this window and shift
}

func (c *evalCtx) slot(name string) uint16 { return c.e.cc.byName[name].slot }

func newEnv(c *evalCtx) env {
	return env{
		"count": func(name string) float64 { return float64(c.counts.get(c.slot(name), subSum)) },
		"total": func(name string) float64 { return float64(c.counts.get(c.slot(name), subSum)) },
		"gauge": func(name string) float64 { return float64(c.gauges.get(c.slot(name), subSum)) },
		"mean": func(name string) float64 {
			s := c.slot(name)
			return ratio(c.counts.get(s, subSum), c.counts.get(s, subN))
		},
		"p50": func(name string) float64 { return c.quantile(name, 0.5) },
		"p90": func(name string) float64 { return c.quantile(name, 0.9) },
		"ind": func(id string) float64 {
			if v, ok := c.results[id]; ok {
				return v
			}
			return math.NaN() // not computed for this window: no value, not zero
		},
		"rate":    func(a, b float64) float64 { return ratioF(a, b) },
		"minutes": func() float64 { return c.span.to.Sub(c.span.from).Minutes() },
		"days":    func() float64 { return c.span.to.Sub(c.span.from).Hours() / 24 },
		"runtime": func(name string) float64 {
			if c.e.runtime != nil {
				if v, ok := c.e.runtime(name); ok {
					return v
				}
			}
			return math.NaN()
		},
	}
}

func ratio(a, b int64) float64 { return ratioF(float64(a), float64(b)) }

func ratioF(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// quantile reads a percentile off the histogram: the upper bound of the bin it falls in.
func (c *evalCtx) quantile(name string, q float64) float64 {
	s := c.slot(name)
	n := c.counts.get(s, subN)
	if n == 0 {
		return math.NaN()
	}
	want := int64(math.Ceil(q * float64(n)))
	var seen int64
	for b := range durationBins {
		seen += c.counts.get(s, subBin+b)
		if seen >= want {
			if b == len(durationBins)-1 {
				return float64(2 * durationBins[b-1])
			}
			return float64(durationBins[b])
		}
	}
	return math.NaN()
}

// Evaluate answers every indicator of the catalog that may be broken down by sc.Dim (or those
// in ids) at instant at, over each of its windows. Errors: invalid for an unknown dimension.
func (e *Engine) Evaluate(sc Scope, at time.Time, ids []string) ([]Values, error) {
	d := slices.Index(Dimensions, sc.Dim)
	if d < 0 {
		return nil, domain.Invalid("scope", "%q is not a dimension (%v)", sc.Dim, Dimensions)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	val := uint16(1)
	if d != dimCity {
		id, ok := e.intern[d].lookup(sc.Code)
		if !ok {
			id = 1<<16 - 1 // never seen: every sum is zero
		}
		val = id
	}
	return e.evaluate(d, val, at, ids, e.rangeSums), nil
}

type summer func(d int, val uint16, sp span) *sums

func (e *Engine) evaluate(d int, val uint16, at time.Time, ids []string, sum summer) []Values {
	inds := e.cc.cat.Indicators
	out := make([]Values, len(inds))
	selected := make([]bool, len(inds))
	for i, ind := range inds {
		selected[i] = slices.Contains(ind.Dimensions, Dimensions[d]) && (ids == nil || slices.Contains(ids, ind.ID))
		out[i] = Values{ID: ind.ID, Windows: map[string]Value{}}
	}
	ctx := &evalCtx{e: e}
	environment := newEnv(ctx)
	cache := map[span]*sums{}
	get := func(sp span) *sums {
		if s, ok := cache[sp]; ok {
			return s
		}
		s := sum(d, val, sp)
		cache[sp] = s
		return s
	}
	for _, w := range Windows {
		ends := [3]time.Time{at, yearEarlier(at), previousEnd(w, at)}
		var results [3]map[string]float64
		for k, end := range ends {
			sp := windowAt(w, end, e.loc)
			ctx.span, ctx.counts, ctx.gauges = sp, get(sp), get(span{time.Unix(0, 0), sp.to})
			ctx.results = map[string]float64{}
			for _, i := range e.cc.order {
				// Every indicator is computed so that ind() finds it; only selected ones are reported.
				if !slices.Contains(inds[i].Windows, w) && !selected[i] {
					continue
				}
				v, err := vm.Run(e.cc.programs[inds[i].ID], environment)
				ctx.results[inds[i].ID] = toFloat(v, err)
			}
			results[k] = ctx.results
		}
		for i, ind := range inds {
			if !selected[i] || !slices.Contains(ind.Windows, w) {
				continue
			}
			v := Value{Value: finite(results[0][ind.ID]), YoY: finite(results[1][ind.ID]), MoM: finite(results[2][ind.ID])}
			v.Status = colour(ind.Thresholds, v.Value)
			out[i].Windows[w] = v
		}
	}
	kept := out[:0]
	for i := range out {
		if selected[i] {
			kept = append(kept, out[i])
		}
	}
	return kept
}

func toFloat(v any, err error) float64 {
	if err != nil {
		return math.NaN()
	}
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	// Rounded to 1e-9 so that sums taken in another order print the same.
	r := math.Round(f*1e9) / 1e9
	return &r
}

func colour(t *Thresholds, v *float64) string {
	if t == nil || v == nil {
		return ""
	}
	x := *v
	if t.Better == "lower" {
		x, t = -x, &Thresholds{Green: -t.Green, Amber: -t.Amber}
	}
	switch {
	case x >= t.Green:
		return "green"
	case x >= t.Amber:
		return "amber"
	}
	return "red"
}
