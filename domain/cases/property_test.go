package cases_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// TestRandomSequences runs 10,000 random command sequences and checks the invariants of the
// loop after every step:
//   - a refused command changes nothing;
//   - a closed case was handled and passed inspection, or was closed on the spot by its
//     collector, or was answered at intake;
//   - a running deadline only moves by an extension, and only later;
//   - a deadline is warned about and marked overdue at most once, never before its time;
//   - folding the stored (encoded, decoded) events gives the state that decided them.
func TestRandomSequences(t *testing.T) {
	sequences, steps := 10000, 30
	if testing.Short() {
		sequences = 500
	}
	for seq := range sequences {
		seed := uint64(seq)
		rng := rand.New(rand.NewPCG(seed, 42))
		s := &cases.State{ID: "0190a6c5-0000-7000-8000-00000000abcd"}
		var stored []cases.Event
		replayed := &cases.State{ID: s.ID}
		now := start
		for step := range steps {
			now = now.Add(time.Duration(rng.Int64N(int64(36 * time.Hour))))
			cmd := randomCommand(rng, s, now)
			before := *s
			evs, err := cases.Decide(s, cmd, envAt(now))
			if err != nil {
				if domain.CodeOf(err) == domain.CodeInternal {
					t.Fatalf("seed %d step %d: %s: internal error %v", seed, step, cmd.Name(), err)
				}
				if !reflect.DeepEqual(*s, before) {
					t.Fatalf("seed %d step %d: refused %s changed the state", seed, step, cmd.Name())
				}
				continue
			}
			prev := *s
			prev.Deadlines = cloneDeadlines(s.Deadlines)
			prevWarned, prevOverdue := len(s.Warned), len(s.Overdue)
			for _, e := range evs {
				checkMark(t, seed, step, s, e, now)
				s.Apply(e)
			}
			trip := roundTrip(t, evs)
			for _, e := range trip {
				replayed.Apply(e)
			}
			stored = append(stored, trip...)
			checkClosed(t, seed, step, s)
			checkDeadlines(t, seed, step, &prev, s, evs)
			if len(s.Warned) < prevWarned || len(s.Overdue) < prevOverdue {
				t.Fatalf("seed %d step %d: marks were forgotten", seed, step)
			}
			if s.Version != uint64(len(stored)) {
				t.Fatalf("seed %d step %d: version %d after %d events", seed, step, s.Version, len(stored))
			}
			if !reflect.DeepEqual(replayed, s) {
				t.Fatalf("seed %d step %d: replaying the stored events gives\n%s\nbut the deciding state was\n%s", seed, step, snapshot(replayed), snapshot(s))
			}
		}
		if replay := cases.Fold(s.ID, stored); !reflect.DeepEqual(replay, s) {
			t.Fatalf("seed %d: folding all stored events gives\n%s\nbut the deciding state was\n%s", seed, snapshot(replay), snapshot(s))
		}
	}
}

func checkClosed(t *testing.T, seed uint64, step int, s *cases.State) {
	if s.Status != cases.StatusClosed {
		return
	}
	ok := (s.ClosedHow == cases.ClosedInspected && s.Handled && s.Passed) ||
		(s.ClosedHow == cases.ClosedOnTheSpot && s.Handled && s.Source == cases.SourcePatrol) ||
		(s.ClosedHow == cases.ClosedDirectReply && s.Source == cases.SourceHotline)
	if !ok {
		t.Fatalf("seed %d step %d: closed (%s) without the loop behind it: handled %v passed %v source %s", seed, step, s.ClosedHow, s.Handled, s.Passed, s.Source)
	}
}

func checkDeadlines(t *testing.T, seed uint64, step int, prev, s *cases.State, evs []cases.Event) {
	for stage, d := range s.Deadlines {
		old, ok := prev.Deadlines[stage]
		if !ok || old.Due.Equal(d.Due) || stageRestarted(prev, evs) {
			continue
		}
		if len(evs) != 1 || evs[0].Payload.EventType() != cases.TypeExtGranted || !d.Due.After(old.Due) {
			t.Fatalf("seed %d step %d: %s deadline moved from %s to %s by %v", seed, step, stage, old.Due, d.Due, types(evs))
		}
	}
}

// stageRestarted says the events began a new stage (a fresh deadline, not a moved one).
func stageRestarted(prev *cases.State, evs []cases.Event) bool {
	for _, e := range evs {
		switch e.Payload.(type) {
		case cases.Dispatched, cases.Returned, cases.ReworkOrdered, cases.Reopened, cases.Registered, cases.Handled:
			return true
		}
	}
	return false
}

func checkMark(t *testing.T, seed uint64, step int, s *cases.State, e cases.Event, now time.Time) {
	var stage catalog.Stage
	var due time.Time
	var marks map[cases.DeadlineKey]bool
	switch p := e.Payload.(type) {
	case cases.Overdue:
		stage, due, marks = p.Stage, p.Due, s.Overdue
		if now.Before(due) {
			t.Fatalf("seed %d step %d: overdue before %s", seed, step, due)
		}
	case cases.DeadlineWarned:
		stage, due, marks = p.Stage, p.Due, s.Warned
		if now.Before(s.Deadlines[stage].WarnAt) {
			t.Fatalf("seed %d step %d: warned before %s", seed, step, s.Deadlines[stage].WarnAt)
		}
	default:
		return
	}
	d, ok := s.Deadlines[stage]
	if !ok || !d.Due.Equal(due) {
		t.Fatalf("seed %d step %d: a mark for a deadline that is not running", seed, step)
	}
	if marks[d.Key()] {
		t.Fatalf("seed %d step %d: %s marked twice for %s", seed, step, e.Payload.EventType(), due)
	}
}

// randomCommand mostly proposes what the current status allows, sometimes anything, and
// sometimes a bad field, so both the legal paths and the refusals are exercised.
func randomCommand(rng *rand.Rand, s *cases.State, now time.Time) cases.Command {
	cat := categoryCodes[rng.IntN(len(categoryCodes))]
	blank := func(s string) string {
		if rng.IntN(12) == 0 {
			return ""
		}
		return s
	}
	switch rng.IntN(27) {
	case 26:
		return cases.Merge{Into: randomMaster.ID, Master: randomMaster}
	case 0, 1:
		src := cases.Sources[rng.IntN(len(cases.Sources))]
		return cases.Report{Source: src, Category: cat, Urgency: catalog.Urgencies[rng.IntN(len(catalog.Urgencies))], Title: blank("井盖缺失"),
			Location: cases.Location{Address: "武昌区中北路"}, Reporter: &cases.Reporter{Phone: "027-12345"}}
	case 2:
		return cases.Verify{}
	case 3:
		return cases.Void{Reason: blank("误报")}
	case 4:
		return cases.Register{Category: []string{"", cat, "X9999"}[rng.IntN(3)]}
	case 5:
		return cases.CloseOnSpot{Feedback: blank("已处理")}
	case 6:
		return cases.DirectAnswer{Answer: blank("已答复")}
	case 7, 8:
		d := cases.Dispatch{}
		if rng.IntN(4) == 0 {
			at := now.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 2*time.Hour)
			d.Deadline = &at
		}
		return d
	case 9:
		return cases.Accept{}
	case 10:
		return cases.Return{Reason: blank("非本单位职责")}
	case 11:
		return cases.RequestExtension{Extra: []string{"2d", "4h", "0h", "bad", "1d2h"}[rng.IntN(5)], Reason: blank("需协调")}
	case 12:
		return cases.GrantExtension{}
	case 13:
		return cases.DenyExtension{Reason: blank("不予延期")}
	case 14:
		return cases.Suspend{Reason: blank("等待审批")}
	case 15:
		return cases.Resume{}
	case 16, 17:
		return cases.Handle{Feedback: blank("已修复")}
	case 18:
		return cases.Inspect{Pass: rng.IntN(3) > 0, Note: blank("不合格"), Rework: []string{"", "1d", "4h"}[rng.IntN(3)]}
	case 19:
		return cases.Close{}
	case 20:
		return cases.Revisit{Reached: rng.IntN(4) > 0, Satisfaction: []string{cases.Satisfied, cases.Unsatisfied, "meh"}[rng.IntN(3)], Solved: rng.IntN(2) == 0}
	case 21:
		return cases.Reopen{Reason: blank("问题复发")}
	case 22:
		return cases.Supervise{Note: blank("督办")}
	case 23:
		return cases.Escalate{Level: rng.IntN(4), Reason: "超期"}
	default:
		// The scheduler: pick a running deadline (or a stale one) and mark it.
		for _, d := range s.Deadlines {
			due := d.Due
			if rng.IntN(5) == 0 {
				due = due.Add(time.Minute)
			}
			return cases.MarkDeadline{Stage: d.Stage, Due: due, Overdue: rng.IntN(2) == 0}
		}
		return cases.MarkDeadline{Stage: catalog.Stages[0], Due: now}
	}
}

// randomMaster is an open case the random sequences may merge into.
var randomMaster = func() *cases.State {
	m := &cases.State{ID: "0190a6c5-0000-7000-8000-00000000beef"}
	evs, err := cases.Decide(m, cases.Report{Source: cases.SourceHotline, Category: categoryCodes[0], Title: "主诉求", Location: cases.Location{Address: "江汉区"}}, envAt(start))
	if err != nil {
		panic(err)
	}
	for _, e := range evs {
		m.Apply(e)
	}
	return m
}()

var categoryCodes = func() (codes []string) {
	for _, c := range wuhan.Catalog.Categories() {
		codes = append(codes, c.Code)
	}
	return codes
}()

func roundTrip(t *testing.T, evs []cases.Event) []cases.Event {
	out := make([]cases.Event, len(evs))
	for i, e := range evs {
		data, err := cases.Encode(e, "0190a6c5-0000-7000-8000-000000000000", domain.Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		out[i], err = cases.Decode(domain.RecordedEvent{EventData: data})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// snapshot renders a state comparably (times in UTC, maps sorted by encoding/json).
func snapshot(s *cases.State) string {
	type view struct {
		*cases.State
		Deadlines map[catalog.Stage]cases.Deadline
	}
	b, err := json.Marshal(view{s, s.Deadlines})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cloneDeadlines(m map[catalog.Stage]cases.Deadline) map[catalog.Stage]cases.Deadline {
	out := make(map[catalog.Stage]cases.Deadline, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func types(evs []cases.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Payload.EventType()
	}
	return out
}
