package indicators

import (
	"encoding/json"
	"testing"
	"time"
)

// TestAgreement is the proof of DESIGN.md §2 for indicators: over a random history of about
// 100,000 events, the state built live (with queries between the events), a rebuild from
// zero, and a brute-force scan of the facts give exactly the same value for every indicator,
// window (with 同比 and 环比) and dimension; and what the live engine answered at past
// instants is what the final engine answers as of those instants.
func TestAgreement(t *testing.T) {
	n := 9600 // about 100,000 events
	if testing.Short() || raceEnabled {
		n = 1500
	}
	events := generate(t, genOpts{cases: n, start: time.Date(2026, 2, 1, 0, 0, 0, 0, shanghai), span: 45 * 24 * time.Hour, seed: 7})
	t.Logf("%d events", len(events))
	if !testing.Short() && !raceEnabled && len(events) < 100_000 {
		t.Fatalf("%d events: the agreement run is meant to cover 100,000", len(events))
	}
	live := newEngine(t)
	type snap struct {
		at  time.Time
		sc  Scope
		out string
	}
	var snaps []snap
	for i, e := range events {
		if err := live.Apply(e, nil); err != nil {
			t.Fatal(err)
		}
		// A snapshot after the last event of its instant: as of that instant, the log holds
		// exactly what the live engine has applied.
		if i%4000 == 3999 && i+1 < len(events) && events[i+1].OccurredAt.After(e.OccurredAt) {
			for _, sc := range []Scope{{Dim: "city"}, {Dim: "district", Code: "420106"}, {Dim: "source", Code: "hotline"}} {
				snaps = append(snaps, snap{at: e.OccurredAt, sc: sc, out: mustJSON(t, live, sc, e.OccurredAt)})
			}
		}
	}
	rebuilt := newEngine(t)
	for _, e := range events {
		if err := rebuilt.Apply(e, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range snaps {
		if got := mustJSON(t, rebuilt, s.sc, s.at); got != s.out {
			t.Fatalf("as of %s for %v: %s", s.at, s.sc, firstDiff(got, s.out))
		}
	}
	end := events[len(events)-1].OccurredAt
	checked := 0
	for d, dim := range Dimensions {
		codes := rebuilt.intern[d].codes[1:]
		if d == dimCity {
			codes = []string{""}
		}
		// Every value of the small dimensions, a spread of the large ones (streets, grids,
		// categories): each check is three full evaluations.
		if len(codes) > 12 {
			step := len(codes) / 12
			var spread []string
			for i := 0; i < len(codes); i += step {
				spread = append(spread, codes[i])
			}
			codes = spread
		}
		for _, code := range codes {
			sc := Scope{Dim: dim, Code: code}
			for _, at := range []time.Time{end, end.Add(-9*24*time.Hour - 5*time.Hour)} {
				a, b := mustJSON(t, live, sc, at), mustJSON(t, rebuilt, sc, at)
				if a != b {
					t.Fatalf("%v at %s: live and rebuilt differ: %s", sc, at, firstDiff(a, b))
				}
				val := uint16(1)
				if d != dimCity {
					val, _ = rebuilt.intern[d].lookup(code)
				}
				rebuilt.mu.RLock()
				scan := rebuilt.evaluate(d, val, at, nil, func(d int, val uint16, sp span) *sums {
					out := &sums{v: make([]int64, len(rebuilt.cc.measures)*stride)}
					rebuilt.scanSums(out, d, val, sp)
					return out
				})
				rebuilt.mu.RUnlock()
				if c := string(mustMarshal(t, scan)); c != b {
					t.Fatalf("%v at %s: rollups and scan differ: %s", sc, at, firstDiff(b, c))
				}
				checked++
			}
		}
	}
	if nonEmpty(t, rebuilt, end) < len(rebuilt.cc.cat.Indicators)/2 {
		t.Fatalf("the history leaves most indicators empty: a weak test")
	}
	t.Logf("%d scope × instant evaluations agree", checked)
}

func newEngine(t testing.TB) *Engine {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	city, err := wuhanCity()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c, Config{Location: shanghai, Calendar: city.Calendar})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustJSON(t testing.TB, e *Engine, sc Scope, at time.Time) string {
	t.Helper()
	v, err := e.Evaluate(sc, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(mustMarshal(t, v))
}

func mustMarshal(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nonEmpty counts indicators with a city value in the last 30 days.
func nonEmpty(t testing.TB, e *Engine, at time.Time) int {
	vs, _ := e.Evaluate(Scope{Dim: "city"}, at, nil)
	n := 0
	for _, v := range vs {
		for _, w := range v.Windows {
			if w.Value != nil && *w.Value != 0 {
				n++
				break
			}
		}
	}
	return n
}

// firstDiff shows where two evaluations part: the indicator and the values.
func firstDiff(a, b string) string {
	var x, y []Values
	_ = json.Unmarshal([]byte(a), &x)
	_ = json.Unmarshal([]byte(b), &y)
	for i := range min(len(x), len(y)) {
		if xa, yb := string(mustMarshalAny(x[i])), string(mustMarshalAny(y[i])); xa != yb {
			return xa + " vs " + yb
		}
	}
	return "different lengths"
}

func mustMarshalAny(v any) []byte { b, _ := json.Marshal(v); return b }
