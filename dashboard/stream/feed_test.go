package stream

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/projections"
)

// report is a live CaseReported event of a case in a district and street.
func report(pos uint64, id, district, street string, at time.Time) *projections.Event {
	e := &projections.Event{CaseID: id, Case: &cases.Event{OccurredAt: at, Payload: cases.Reported{CaseID: id, Source: cases.SourcePatrol,
		Category: "P0101", Title: "井盖缺失 " + id, Location: cases.Location{District: district, Street: street, Grid: street + "001001"}}}}
	e.RecordedEvent = domain.RecordedEvent{EventData: domain.EventData{Type: cases.TypeReported, OccurredAt: at}, Position: pos, StreamID: "case-" + id, RecordedAt: at}
	return e
}

// TestAreaFeeds: a district's and a street's feeds carry the cases of that area only, from a
// snapshot of the area's latest cases, and a grid's feed is forgotten when nobody watches it.
func TestAreaFeeds(t *testing.T) {
	th := newTestHub(t, Options{})
	now := time.Now()
	feed := NewFeed(th.hub, nil, func() time.Time { return now })
	feed.SetLive(0)
	apply := func(e *projections.Event) {
		t.Helper()
		if err := feed.Apply(nil, e); err != nil {
			t.Fatal(err)
		}
	}
	// Before anyone subscribes: one case in each of two districts.
	apply(report(1, "a1", "420106", "420106001", now))
	apply(report(2, "b1", "420102", "420102001", now))
	district, street, city := dial(t, th.url, nil), dial(t, th.url, nil), dial(t, th.url, nil)
	send(t, district, `{"op":"subscribe","topic":"cases:district:420106"}`)
	send(t, street, `{"op":"subscribe","topic":"map:cases:street:420102001"}`)
	send(t, city, `{"op":"subscribe","topic":"cases"}`)
	ids := func(f Frame) []string {
		var cards []Card
		for _, raw := range f.Deltas {
			var c Card
			_ = json.Unmarshal(raw, &c)
			cards = append(cards, c)
		}
		if f.Kind == KindSnapshot {
			_ = json.Unmarshal(f.Data, &cards)
		}
		out := []string{}
		for _, c := range cards {
			out = append(out, c.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    Frame
		want string
	}{
		{"district snapshot", next(t, district), "[a1]"},
		{"street snapshot", next(t, street), "[b1]"},
		{"city snapshot", next(t, city), "[b1 a1]"},
	} {
		if c.f.Kind != KindSnapshot || fmt.Sprint(ids(c.f)) != c.want {
			t.Errorf("%s: %+v, want %s", c.name, c.f, c.want)
		}
	}
	apply(report(3, "a2", "420106", "420106002", now))
	apply(report(4, "b2", "420102", "420102001", now))
	apply(report(5, "b3", "420102", "420102009", now))
	if f := next(t, district); f.Kind != KindDeltas || fmt.Sprint(ids(f)) != "[a2]" || f.From != 1 || f.Seq != 1 {
		t.Errorf("district deltas: %+v", f)
	}
	if f := next(t, street); f.Kind != KindDeltas || fmt.Sprint(ids(f)) != "[b2]" {
		t.Errorf("street deltas: %+v", f)
	}
	if f := next(t, city); f.Kind != KindDeltas || fmt.Sprint(ids(f)) != "[a2 b2 b3]" {
		t.Errorf("city deltas: %+v", f)
	}
	// A case located again in another district: the old district's feed gets its card too
	// (its district says where it went), so the screen there can drop it.
	moved := &projections.Event{CaseID: "a2", Case: &cases.Event{OccurredAt: now, Payload: cases.Registered{Category: "P0101",
		Location: cases.Location{District: "420102", Street: "420102001", Grid: "420102001001001"}}}}
	moved.RecordedEvent = domain.RecordedEvent{EventData: domain.EventData{Type: cases.TypeRegistered, OccurredAt: now}, Position: 6, StreamID: "case-a2", RecordedAt: now}
	apply(moved)
	if f := next(t, district); f.Kind != KindDeltas || fmt.Sprint(ids(f)) != "[a2]" || !strings.Contains(string(f.Deltas[0]), `"district":"420102"`) {
		t.Errorf("the moved case on its old district's feed: %+v", f)
	}
	if f := next(t, street); f.Kind != KindDeltas || fmt.Sprint(ids(f)) != "[a2]" {
		t.Errorf("the moved case on its new street's map feed: %+v", f)
	}
	// A grid's feed goes with its last subscriber; a district's stays, for resumes.
	send(t, district, `{"op":"subscribe","topic":"cases:grid:420106002001001"}`)
	if f := next(t, district); f.Kind != KindSnapshot || fmt.Sprint(ids(f)) != "[]" {
		t.Errorf("grid snapshot (its case moved away): %+v", f)
	}
	send(t, district, `{"op":"unsubscribe","topic":"cases:grid:420106002001001"}`)
	send(t, district, `{"op":"unsubscribe","topic":"cases:district:420106"}`)
	waitTopic(t, th.hub, "cases:grid:420106002001001", false)
	waitTopic(t, th.hub, "cases:district:420106", true)
}

// TestResumeAcrossTopicInstances: a sequence from a grid topic that was forgotten and made
// again, or from a server that restarted, is not resumed from: a fresh snapshot comes, never
// a false "resumed" or another instance's deltas.
func TestResumeAcrossTopicInstances(t *testing.T) {
	th := newTestHub(t, Options{})
	now := time.Now()
	feed := NewFeed(th.hub, nil, func() time.Time { return now })
	feed.SetLive(0)
	const topic = "cases:grid:420106001001001"
	c := dial(t, th.url, nil)
	send(t, c, `{"op":"subscribe","topic":"`+topic+`"}`)
	first := next(t, c)
	if first.Kind != KindSnapshot {
		t.Fatalf("snapshot: %+v", first)
	}
	send(t, c, `{"op":"unsubscribe","topic":"`+topic+`"}`)
	waitTopic(t, th.hub, topic, false)
	// While nobody watches, a case is reported in the grid; the topic is made again later.
	if err := feed.Apply(nil, report(1, "g1", "420106", "420106001", now)); err != nil {
		t.Fatal(err)
	}
	send(t, c, fmt.Sprintf(`{"op":"subscribe","topic":%q,"since":%d}`, topic, first.Seq))
	if f := next(t, c); f.Kind != KindSnapshot || !f.Fresh || f.Seq <= first.Seq {
		t.Fatalf("resume on a new instance of the topic: %+v", f)
	}
	// A second hub (a restarted server) starts its sequences at the clock, above the first's.
	a, b := NewHub(nil, Options{}), NewHub(nil, Options{})
	a.Update(func(p Publisher) { p.Delta("cases", json.RawMessage(`{}`)) })
	time.Sleep(2 * time.Millisecond)
	b.Update(func(p Publisher) { p.Delta("cases", json.RawMessage(`{}`)) })
	if sa, sb := a.topics["cases"].seq, b.topics["cases"].seq; sb <= sa || sa < 1<<40 || sb >= 1<<53 {
		t.Fatalf("sequences of two hubs: %d then %d", sa, sb)
	}
}

func waitTopic(t *testing.T, h *Hub, name string, exists bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		h.mu.Lock()
		got := h.topics[name] != nil
		h.mu.Unlock()
		if got == exists {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s exists %v, want %v", name, got, exists)
		}
	}
}
