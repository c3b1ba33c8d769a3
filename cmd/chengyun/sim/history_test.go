package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// TestStoriesFitTheDomain decides three days of the demo's cases with the real domain: every
// step of every story must be accepted (a refused step would be a person clicking a button
// that is not there).
func TestStoriesFitTheDomain(t *testing.T) {
	g := NewGenerator(wuhanWorld(t), DefaultRates, 7)
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, g.Location())
	cut := start.AddDate(0, 0, 30)
	n, refused := 0, 0
	for h := range 72 {
		for _, a := range g.Hour(start.Add(time.Duration(h)*time.Hour), 1) {
			hist := g.History(a, cut)
			n++
			for _, err := range hist.Refused {
				if refused++; refused <= 10 {
					t.Errorf("case %s (%s): %v", a.CaseID, a.Report.Source, err)
				}
			}
			if hist.Open {
				t.Errorf("case %s is still open 27 days after its last arrival", a.CaseID)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("three days gave %d cases, want a tenth of Wuhan's (about 2,000)", n)
	}
	if refused > 0 {
		t.Fatalf("%d of %d cases had refused steps", refused, n)
	}
}

// TestHistoryIsReproducible draws the same day twice from one seed, and once from another: the
// same seed gives the same cases, events and ids; another seed another city.
func TestHistoryIsReproducible(t *testing.T) {
	w := wuhanWorld(t)
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	digest := func(seed uint64) (string, int) {
		g := NewGenerator(w, DefaultRates, seed)
		h := sha256.New()
		n := 0
		for hour := range 24 {
			for _, a := range g.Hour(day.Add(time.Duration(hour)*time.Hour), 1) {
				for _, e := range g.History(a, day.AddDate(0, 0, 2)).Events {
					fmt.Fprintf(h, "%s|%s|%s|%s|%s\n", a.CaseID, e.ID, e.Type, e.OccurredAt.Format(time.RFC3339Nano), e.Data)
					n++
				}
			}
		}
		return hex.EncodeToString(h.Sum(nil)), n
	}
	a, n := digest(42)
	b, _ := digest(42)
	c, _ := digest(43)
	if n < 3000 {
		t.Fatalf("a day gave %d events, want a tenth of Wuhan's (about 7,000)", n)
	}
	if a != b {
		t.Fatal("the same seed gave two different histories")
	}
	if a == c {
		t.Fatal("two seeds gave the same history")
	}
}

// TestContinueFitsTheDomain cuts stories at random instants and continues each open case from
// its status as the live staff would: every continued step must be accepted, and the case must
// end closed (or voided).
func TestContinueFitsTheDomain(t *testing.T) {
	w := wuhanWorld(t)
	g := NewGenerator(w, DefaultRates, 3)
	start := time.Date(2026, 11, 10, 8, 0, 0, 0, g.Location())
	statuses := map[cases.Status]int{}
	for hour := range 48 {
		for i, a := range g.Hour(start.Add(time.Duration(hour)*time.Hour), 1) {
			cut := a.At.Add(time.Duration(1+(hour*7+i)%96) * time.Hour)
			h := g.History(a, cut)
			if !h.Open {
				continue
			}
			recorded := make([]domain.RecordedEvent, len(h.Events))
			for j, e := range h.Events {
				recorded[j] = domain.RecordedEvent{EventData: e, StreamID: h.Stream, Version: uint64(j + 1)}
			}
			st := cases.Fold(a.CaseID, nil)
			for _, e := range recorded {
				ce, err := cases.Decode(e)
				if err != nil {
					t.Fatal(err)
				}
				st.Apply(ce)
			}
			if st.Status == cases.StatusClosed {
				continue // only the revisit was left
			}
			statuses[st.Status]++
			now := cut
			from := st.Status
			steps := g.Continue(a.CaseID, st.Source, st.Status, now)
			for _, s := range steps {
				evs, err := cases.Decide(st, s.Cmd, cases.Env{Now: now.Add(s.After), Actor: "test", Catalog: w.City.Catalog,
					Routing: w.City.Routing, Calendar: w.City.Calendar, Locate: w.locate})
				if err != nil {
					t.Fatalf("case %s continued from %s: %s refused: %v", a.CaseID, st.Status, s.Cmd.Name(), err)
				}
				for _, e := range evs {
					st.Apply(e)
				}
			}
			if st.Status != cases.StatusClosed {
				var names []string
				for _, s := range steps {
					names = append(names, s.Cmd.Name())
				}
				t.Fatalf("case %s continued from %s by %v to %s, want closed", a.CaseID, from, names, st.Status)
			}
		}
	}
	for _, s := range []cases.Status{cases.StatusDispatched, cases.StatusAccepted, cases.StatusHandled} {
		if statuses[s] == 0 {
			t.Errorf("no case was cut in status %s (cut in: %v)", s, statuses)
		}
	}
}

// TestRainstormFloodsTheLowGrids finds the seed's storm days in two months: on each, the
// afternoon brings waterlogging reports from the low-lying grids on top of the usual cases.
func TestRainstormFloodsTheLowGrids(t *testing.T) {
	w := wuhanWorld(t)
	g := NewGenerator(w, DefaultRates, 1)
	low := map[string]bool{}
	for _, a := range w.lowGrids {
		low[a.Code] = true
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, g.Location())
	storms := 0
	for d := range 61 {
		day := start.AddDate(0, 0, d)
		waterlogged, inLow := 0, 0
		for h := 12; h < 22; h++ {
			for _, a := range g.Hour(day.Add(time.Duration(h)*time.Hour), 1) {
				if a.Report.Category != "E0406" {
					continue
				}
				waterlogged++
				if loc := w.locate(*a.Report.Location.Point); low[loc.Grid] {
					inLow++
				}
			}
		}
		if !g.StormOn(day) {
			if waterlogged > 5 {
				t.Errorf("%s is no storm day but had %d waterlogging reports", day.Format(time.DateOnly), waterlogged)
			}
			continue
		}
		storms++
		if waterlogged < 30 || inLow < waterlogged*3/4 {
			t.Errorf("storm on %s: %d waterlogging reports, %d in low-lying grids", day.Format(time.DateOnly), waterlogged, inLow)
		}
	}
	if storms == 0 || storms > 8 {
		t.Fatalf("%d storm days in 61, want about one in twenty", storms)
	}
}
