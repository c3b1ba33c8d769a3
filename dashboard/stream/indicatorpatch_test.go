package stream

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chengyun/chengyun/indicators"
)

func num(x float64) *float64 { return &x }

// TestIndicatorPatch: a patch holds the indicators with a changed window, each with only its
// changed windows, and the new instant; an indicator the old value lacks comes whole.
func TestIndicatorPatch(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	prev := IndicatorState{At: at, Indicators: []indicators.Values{
		{ID: "reported", Windows: map[string]indicators.Value{"today": {Value: num(10)}, "7d": {Value: num(70), YoY: num(0.1)}}},
		{ID: "closed", Windows: map[string]indicators.Value{"today": {Value: num(3), Status: "green"}}},
	}}
	cur := IndicatorState{At: at.Add(2 * time.Second), Indicators: []indicators.Values{
		{ID: "reported", Windows: map[string]indicators.Value{"today": {Value: num(11)}, "7d": {Value: num(70), YoY: num(0.1)}}},
		{ID: "closed", Windows: map[string]indicators.Value{"today": {Value: num(3), Status: "green"}}},
		{ID: "overdue", Windows: map[string]indicators.Value{"today": {Value: nil}}},
	}}
	var got IndicatorState
	if err := json.Unmarshal(indicatorPatch(prev, cur), &got); err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(cur.At) || len(got.Indicators) != 2 {
		t.Fatalf("patch %+v, want the new instant and two indicators", got)
	}
	if r := got.Indicators[0]; r.ID != "reported" || len(r.Windows) != 1 || *r.Windows["today"].Value != 11 {
		t.Errorf("reported: %+v, want today alone at 11", r)
	}
	if o := got.Indicators[1]; o.ID != "overdue" || len(o.Windows) != 1 {
		t.Errorf("overdue: %+v, want it whole", o)
	}
	var none IndicatorState
	_ = json.Unmarshal(indicatorPatch(cur, cur), &none)
	if none.Indicators == nil || len(none.Indicators) != 0 {
		t.Errorf("an unchanged value patches to %+v, want an empty list", none.Indicators)
	}
}

// TestPreviousValue: the feed patches against its own last value while the hub still holds
// it, decodes the hub's copy otherwise, and has nothing to patch when the topic holds none.
func TestPreviousValue(t *testing.T) {
	f := &Feed{published: map[string]published{}}
	held := IndicatorState{Indicators: []indicators.Values{{ID: "reported"}}}
	raw, _ := json.Marshal(held)
	if v, ok := f.previous("indicators:city", raw, 7); !ok || len(v.Indicators) != 1 {
		t.Fatalf("decoded %+v %v", v, ok)
	}
	f.published["indicators:city"] = published{seq: 7, value: IndicatorState{Indicators: []indicators.Values{{ID: "a"}, {ID: "b"}}}}
	if v, ok := f.previous("indicators:city", raw, 7); !ok || len(v.Indicators) != 2 {
		t.Fatalf("own value %+v %v", v, ok)
	}
	if v, ok := f.previous("indicators:city", raw, 8); !ok || len(v.Indicators) != 1 {
		t.Fatalf("after another value: %+v %v, want the hub's copy", v, ok)
	}
	for _, held := range []string{"", "null", `{"deltas":3}`} {
		if _, ok := f.previous("indicators:district:420102", json.RawMessage(held), 1); ok {
			t.Errorf("%q: a value to patch", held)
		}
	}
}
