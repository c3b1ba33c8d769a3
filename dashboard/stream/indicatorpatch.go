package stream

import (
	"encoding/json"

	"github.com/chengyun/chengyun/indicators"
)

// published is the last value the feed gave an indicator topic, and the sequence it got: the
// next patch is computed against it without decoding the hub's copy.
type published struct {
	seq   uint64
	value IndicatorState
}

// indicatorPatch is what changed from prev to cur: the indicators with a window whose value
// changed, each with only those windows, and cur's scope and instant. The catalog does not
// change while a server runs, so an indicator or window never disappears from one value to
// the next.
func indicatorPatch(prev, cur IndicatorState) json.RawMessage {
	was := make(map[string]map[string]indicators.Value, len(prev.Indicators))
	for _, v := range prev.Indicators {
		was[v.ID] = v.Windows
	}
	patch := IndicatorState{Scope: cur.Scope, At: cur.At, Indicators: []indicators.Values{}}
	for _, v := range cur.Indicators {
		old, known := was[v.ID]
		var changed map[string]indicators.Value
		for w, x := range v.Windows {
			if y, ok := old[w]; known && ok && sameValue(x, y) {
				continue
			}
			if changed == nil {
				changed = map[string]indicators.Value{}
			}
			changed[w] = x
		}
		if changed != nil {
			patch.Indicators = append(patch.Indicators, indicators.Values{ID: v.ID, Windows: changed})
		}
	}
	raw, _ := json.Marshal(patch)
	return raw
}

// previous is the value an indicator topic holds at seq: the feed's own last one when the hub
// still holds it, else the hub's copy decoded (a snapshot the hub made); ok is false when the
// topic holds no value to patch.
func (f *Feed) previous(name string, raw json.RawMessage, seq uint64) (IndicatorState, bool) {
	if p, ok := f.published[name]; ok && p.seq == seq {
		return p.value, true
	}
	var v IndicatorState
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v.Indicators == nil {
		return v, false
	}
	return v, true
}

func sameValue(a, b indicators.Value) bool {
	return samePtr(a.Value, b.Value) && samePtr(a.YoY, b.YoY) && samePtr(a.MoM, b.MoM) && a.Status == b.Status
}

func samePtr(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
