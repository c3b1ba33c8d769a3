package indicators

import (
	"cmp"
	"slices"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Ranked is one value of a dimension with the indicator's value there.
type Ranked struct {
	Code  string `json:"code"`
	Value Value  `json:"value"`
}

// Ranking evaluates indicator id over window for every value of dimension by that the log
// has seen, best first by the indicator's thresholds (higher first when it has none); values
// with no result go last. Errors: not_found for an unknown indicator, invalid for a dimension
// or window the indicator does not have.
func (e *Engine) Ranking(id, by, window string, at time.Time) ([]Ranked, error) {
	i, ok := e.cc.indicator[id]
	if !ok {
		return nil, domain.NotFound("id", "no indicator %q", id)
	}
	ind := e.cc.cat.Indicators[i]
	d := slices.Index(Dimensions, by)
	switch {
	case d <= 0 || !slices.Contains(ind.Dimensions, by):
		return nil, domain.Invalid("by", "%q: %s is broken down by %v", by, id, ind.Dimensions[1:])
	case !slices.Contains(ind.Windows, window):
		return nil, domain.Invalid("window", "%q: %s has windows %v", window, id, ind.Windows)
	}
	e.mu.RLock()
	codes := slices.Clone(e.intern[d].codes[1:])
	e.mu.RUnlock()
	out := make([]Ranked, 0, len(codes))
	for _, code := range codes {
		vs, err := e.Evaluate(Scope{Dim: by, Code: code}, at, []string{id})
		if err != nil {
			return nil, err
		}
		if len(vs) == 1 {
			out = append(out, Ranked{Code: code, Value: vs[0].Windows[window]})
		}
	}
	lowerBetter := ind.Thresholds != nil && ind.Thresholds.Better == "lower"
	slices.SortStableFunc(out, func(a, b Ranked) int {
		switch {
		case a.Value.Value == nil && b.Value.Value == nil:
			return cmp.Compare(a.Code, b.Code)
		case a.Value.Value == nil:
			return 1
		case b.Value.Value == nil:
			return -1
		}
		c := cmp.Compare(*b.Value.Value, *a.Value.Value)
		if lowerBetter {
			c = -c
		}
		if c == 0 {
			return cmp.Compare(a.Code, b.Code)
		}
		return c
	})
	return out, nil
}
