package commands

import (
	"encoding/json"

	"github.com/chengyun/chengyun/domain"
)

// appendedEvent is an event of a Result as the API shows it: what the append acknowledged.
// The store's append answers versions and positions, not the instant it recorded the events
// nor their hashes, so those are left out rather than shown as zero (read the stream for
// them).
type appendedEvent struct {
	domain.EventData
	StreamID string `json:"streamId"`
	Version  uint64 `json:"version"`
	Position uint64 `json:"position"`
}

// MarshalJSON writes the result with its events as appendedEvent.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // without this method
	events := make([]appendedEvent, len(r.Events))
	for i, e := range r.Events {
		events[i] = appendedEvent{EventData: e.EventData, StreamID: e.StreamID, Version: e.Version, Position: e.Position}
	}
	return json.Marshal(struct {
		plain
		Events []appendedEvent `json:"events"`
	}{plain(r), events})
}
