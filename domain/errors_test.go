package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodesMatchThroughWrapping(t *testing.T) {
	err := fmt.Errorf("while appending: %w", Conflict("expectedVersion", "stream %q is at %d", "case-1", 3))
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
		t.Fatalf("errors.Is by code failed for %v", err)
	}
	if CodeOf(err) != CodeConflict || CodeOf(errors.New("plain")) != CodeInternal {
		t.Fatal("CodeOf")
	}
	if got := err.Error(); got != `while appending: conflict: expectedVersion: stream "case-1" is at 3` {
		t.Fatalf("message %q", got)
	}
}

func TestExpectedVersionMatches(t *testing.T) {
	cases := []struct {
		e       ExpectedVersion
		current uint64
		want    bool
	}{
		{ExpectAny, 0, true}, {ExpectAny, 9, true},
		{ExpectNoStream, 0, true}, {ExpectNoStream, 1, false},
		{ExpectStreamExists, 0, false}, {ExpectStreamExists, 4, true},
		{3, 3, true}, {3, 2, false}, {3, 4, false},
	}
	for _, c := range cases {
		if got := c.e.Matches(c.current); got != c.want {
			t.Errorf("%v.Matches(%d) = %v", c.e, c.current, got)
		}
	}
}

func TestReplayedAppend(t *testing.T) {
	at := func(v, p uint64) StoredID { return StoredID{Found: true, Stream: "s", Version: v, Position: p} }
	if _, ok, err := ReplayedAppend("s", []StoredID{{}, {}}); ok || err != nil {
		t.Fatal("new append taken for a replay")
	}
	res, ok, err := ReplayedAppend("s", []StoredID{at(4, 10), at(5, 12)})
	if !ok || err != nil || res.FirstVersion != 4 || res.LastPosition != 12 {
		t.Fatalf("replay: %+v %v %v", res, ok, err)
	}
	for name, found := range map[string][]StoredID{
		"partly stored":   {at(4, 10), {}},
		"other stream":    {{Found: true, Stream: "t", Version: 1, Position: 1}},
		"not one append":  {at(4, 10), at(7, 15)},
		"reversed append": {at(5, 12), at(4, 10)},
	} {
		if _, _, err := ReplayedAppend("s", found); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: want conflict, got %v", name, err)
		}
	}
}

func TestHashCoversEveryField(t *testing.T) {
	base := Record(EventData{ID: "0b8a3b56-2f8e-4a44-9d0a-6b1b2c3d4e5f", Type: "CaseReported", Data: []byte(`{}`)}, "case-1", 1, 1, timeAt(0))
	h := ComputeHash(Hash{}, &base)
	edits := map[string]func(e *RecordedEvent){
		"stream":   func(e *RecordedEvent) { e.StreamID = "case-2" },
		"version":  func(e *RecordedEvent) { e.Version = 2 },
		"position": func(e *RecordedEvent) { e.Position = 2 },
		"type":     func(e *RecordedEvent) { e.Type = "CaseVoided" },
		"data":     func(e *RecordedEvent) { e.Data = []byte(`{ }`) },
		"schema":   func(e *RecordedEvent) { e.SchemaVersion = 2 },
		"occurred": func(e *RecordedEvent) { e.OccurredAt = timeAt(1) },
		"recorded": func(e *RecordedEvent) { e.RecordedAt = timeAt(1) },
		"actor":    func(e *RecordedEvent) { e.Metadata.Actor = "x" },
		"cause":    func(e *RecordedEvent) { e.Metadata.CausationID = "x" },
	}
	for name, edit := range edits {
		e := base
		edit(&e)
		if ComputeHash(Hash{}, &e) == h {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
	if ComputeHash(Hash{1}, &base) == h {
		t.Error("the previous hash is not covered")
	}
}
