package indicators

import (
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/chengyun/chengyun/domain"
)

const (
	kindCounter = iota
	kindDuration
	kindGauge
)

type cond struct {
	attr   int
	values []string
}

// measure is a compiled MeasureSpec.
type measure struct {
	name     string
	slot     uint16
	kind     int
	any      bool // on "*": every event
	where    []cond
	duration int
	working  bool
	of       string
	gauge    []gaugeCond
}

type gaugeCond struct {
	attr   string
	values []string
}

// compiled is a catalog ready to run: measures by event type, formulas compiled.
type compiled struct {
	cat       *Catalog
	measures  []*measure
	byName    map[string]*measure
	byType    map[string][]*measure
	anyType   []*measure
	gauges    map[string][]*measure // by subject
	programs  map[string]*vm.Program
	order     []int // indicators in evaluation order (an indicator after those it refers to)
	indicator map[string]int
}

func compile(c *Catalog) (*compiled, error) {
	cc := &compiled{cat: c, byName: map[string]*measure{}, byType: map[string][]*measure{}, gauges: map[string][]*measure{},
		programs: map[string]*vm.Program{}, indicator: map[string]int{}}
	names := sortedKeys(c.Measures)
	if len(names) > 1000 {
		return nil, domain.TooLarge("measures", "%d, at most 1000", len(names))
	}
	for i, name := range names {
		spec := c.Measures[name]
		m := &measure{name: name, slot: uint16(i), working: spec.Working, of: spec.Of}
		switch {
		case spec.Gauge != nil:
			m.kind = kindGauge
			if m.of == "" {
				m.of = "case"
			}
			for _, a := range sortedKeys(spec.Gauge) {
				m.gauge = append(m.gauge, gaugeCond{attr: a, values: spec.Gauge[a]})
			}
			cc.gauges[m.of] = append(cc.gauges[m.of], m)
		case spec.Duration != "":
			m.kind, m.duration = kindDuration, durationAttribute[spec.Duration]
		}
		for _, a := range sortedKeys(spec.Where) {
			m.where = append(m.where, cond{attr: eventAttribute[a], values: spec.Where[a]})
		}
		for _, t := range spec.On {
			if t == "*" {
				m.any = true
				cc.anyType = append(cc.anyType, m)
				continue
			}
			cc.byType[t] = append(cc.byType[t], m)
		}
		cc.measures = append(cc.measures, m)
		cc.byName[name] = m
	}
	for i, ind := range c.Indicators {
		cc.indicator[ind.ID] = i
	}
	if err := cc.compileFormulas(); err != nil {
		return nil, err
	}
	return cc, nil
}

// compileFormulas checks every formula against the functions of the evaluation environment
// and every name it uses, and orders indicators so that ind("x") is evaluated after x.
func (cc *compiled) compileFormulas() error {
	deps := map[string][]string{}
	for _, ind := range cc.cat.Indicators {
		p, err := expr.Compile(ind.Formula, expr.Env(newEnv(&evalCtx{})), expr.AsFloat64())
		if err != nil {
			return domain.Invalid("indicator "+ind.ID+".formula", "%v", err)
		}
		cc.programs[ind.ID] = p
		for _, ref := range referencedNames(ind.Formula) {
			switch ref.fn {
			case "ind":
				if _, ok := cc.indicator[ref.name]; !ok {
					return domain.Invalid("indicator "+ind.ID+".formula", "ind(%q): no such indicator", ref.name)
				}
				deps[ind.ID] = append(deps[ind.ID], ref.name)
			case "runtime":
			default:
				m, ok := cc.byName[ref.name]
				if !ok {
					return domain.Invalid("indicator "+ind.ID+".formula", "%s(%q): no such measure", ref.fn, ref.name)
				}
				if err := checkUse(ref.fn, m); err != nil {
					return domain.Invalid("indicator "+ind.ID+".formula", "%s(%q): %v", ref.fn, ref.name, err)
				}
			}
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case 1:
			return domain.Invalid("indicator "+id+".formula", "refers to itself through ind()")
		case 2:
			return nil
		}
		state[id] = 1
		for _, d := range deps[id] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[id] = 2
		cc.order = append(cc.order, cc.indicator[id])
		return nil
	}
	for _, ind := range cc.cat.Indicators {
		if err := visit(ind.ID); err != nil {
			return err
		}
	}
	return nil
}

func checkUse(fn string, m *measure) error {
	switch fn {
	case "count":
		if m.kind == kindGauge {
			return errString("a gauge: use gauge()")
		}
	case "gauge":
		if m.kind != kindGauge {
			return errString("not a gauge")
		}
	case "mean", "p50", "p90", "total":
		if m.kind != kindDuration {
			return errString("not a duration measure")
		}
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

type ref struct{ fn, name string }

// referencedNames finds fn("name") calls in a formula, for validation and ordering.
func referencedNames(f string) []ref {
	var out []ref
	for _, fn := range []string{"count", "gauge", "mean", "p50", "p90", "total", "ind", "runtime"} {
		rest := f
		for {
			i := strings.Index(rest, fn+"(")
			if i < 0 {
				break
			}
			if i > 0 && (isIdent(rest[i-1])) {
				rest = rest[i+len(fn)+1:]
				continue
			}
			rest = rest[i+len(fn)+1:]
			arg := strings.TrimSpace(rest)
			if len(arg) > 0 && (arg[0] == '"' || arg[0] == '\'') {
				if j := strings.IndexByte(arg[1:], arg[0]); j >= 0 {
					out = append(out, ref{fn, arg[1 : j+1]})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b ref) int { return strings.Compare(a.fn+a.name, b.fn+b.name) })
	return slices.Compact(out)
}

func isIdent(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
