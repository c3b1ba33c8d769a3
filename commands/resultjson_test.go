package commands

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

// TestResultShowsWhatTheAppendAcknowledged: a command's answer carries its events' versions
// and positions, and no zero recording instant or hash (the append does not answer them).
func TestResultShowsWhatTheAppendAcknowledged(t *testing.T) {
	r := Result{CaseID: "c1", Version: 2, Status: "reported", Events: []domain.RecordedEvent{{
		EventData: domain.EventData{ID: "e1", Type: "CaseReported", Data: json.RawMessage(`{"a":1}`)}, StreamID: "case-c1", Version: 2, Position: 41}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"caseId":"c1"`, `"version":2`, `"position":41`, `"streamId":"case-c1"`, `"type":"CaseReported"`, `"data":{"a":1}`} {
		if !strings.Contains(s, want) {
			t.Errorf("no %s in %s", want, s)
		}
	}
	for _, absent := range []string{"recordedAt", "prevHash", `"hash"`} {
		if strings.Contains(s, absent) {
			t.Errorf("%s in %s", absent, s)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || back.Events[0].Position != 41 || back.Events[0].ID != "e1" {
		t.Fatalf("reads back as %+v: %v", back, err)
	}
}
