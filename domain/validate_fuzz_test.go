package domain

import (
	"encoding/json"
	"testing"
)

// FuzzValidateAppend feeds arbitrary appends, decoded from JSON as the HTTP API will, to the
// validator: it must never panic, and anything it accepts must be within the limits.
func FuzzValidateAppend(f *testing.F) {
	f.Add("case-1", int64(0), []byte(`[{"id":"0b8a3b56-2f8e-4a44-9d0a-6b1b2c3d4e5f","type":"CaseReported","data":{"a":1}}]`))
	f.Add("", int64(-3), []byte(`[{"id":"","type":"","data":"x"}]`))
	f.Add("case 1", int64(5), []byte(`[]`))
	f.Fuzz(func(t *testing.T, stream string, expected int64, raw []byte) {
		var events []EventData
		if json.Unmarshal(raw, &events) != nil {
			return
		}
		if err := ValidateAppend(stream, ExpectedVersion(expected), events); err != nil {
			if CodeOf(err) != CodeInvalid && CodeOf(err) != CodeTooLarge {
				t.Fatalf("unexpected code %s", CodeOf(err))
			}
			return
		}
		for i := range events {
			if EventSize(&events[i]) > MaxEventBytes || !json.Valid(events[i].Data) || events[i].Type == "" {
				t.Fatalf("accepted a bad event: %+v", events[i])
			}
		}
	})
}
