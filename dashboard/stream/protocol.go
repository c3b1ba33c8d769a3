// Package stream is the live-screen gateway of DESIGN.md §7: one WebSocket protocol for every
// screen and app. A client subscribes to topics; each answers with a snapshot, then deltas,
// every delta numbered by a per-topic sequence. Deltas are gathered for a short tick and sent
// as one frame per topic, encoded (and compressed) once for every subscriber. A client that
// reconnects names the last sequence it saw and gets exactly the deltas it missed, from a
// bounded history, or a fresh snapshot marked as such.
package stream

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/chengyun/chengyun/domain"
)

// Frame kinds, server to client.
const (
	KindSnapshot = "snapshot" // data is the topic's state at seq
	KindDeltas   = "deltas"   // deltas from..seq, in order
	KindState    = "state"    // a state topic's new value at seq (replaces the last)
	KindPatch    = "patch"    // what changed in a state topic's value from seq-1 to seq
	KindResumed  = "resumed"  // the client was up to date at seq: nothing was missed
	KindError    = "error"    // a request was refused (code, message)
	KindBye      = "bye"      // the server ends the connection (reason)
)

// Frame is a server message. Deltas and data are raw JSON encoded once by the publisher.
type Frame struct {
	Topic   string            `json:"topic,omitempty"`
	Kind    string            `json:"kind"`
	Seq     uint64            `json:"seq"`
	From    uint64            `json:"from,omitempty"`
	Fresh   bool              `json:"fresh,omitempty"` // a snapshot sent because the resume point was gone
	Data    json.RawMessage   `json:"data,omitempty"`
	Deltas  []json.RawMessage `json:"deltas,omitempty"`
	Code    string            `json:"code,omitempty"`
	Message string            `json:"message,omitempty"`
}

// Request is a client message: {"op":"subscribe","topic":"cases","since":41} resumes after
// sequence 41; without since the subscription starts from a snapshot.
type Request struct {
	Op    string  `json:"op"` // subscribe, unsubscribe
	Topic string  `json:"topic"`
	Since *uint64 `json:"since,omitempty"`
}

// MaxRequestBytes bounds a client message.
const MaxRequestBytes = 4 << 10

// DecodeRequest reads a client message. Errors: invalid naming the field.
func DecodeRequest(b []byte) (Request, error) {
	var r Request
	if len(b) > MaxRequestBytes {
		return r, domain.TooLarge("request", "at most %d bytes", MaxRequestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Request{}, domain.Invalid("request", "not a request like {\"op\":\"subscribe\",\"topic\":\"cases\"}: %v", err)
	}
	if dec.More() {
		return Request{}, domain.Invalid("request", "one JSON object per message")
	}
	switch r.Op {
	case "subscribe", "unsubscribe":
	default:
		return Request{}, domain.Invalid("op", "%q: want subscribe or unsubscribe", r.Op)
	}
	if r.Topic == "" || len(r.Topic) > 200 || !utf8.ValidString(r.Topic) {
		return Request{}, domain.Invalid("topic", "want a topic name of 1–200 bytes")
	}
	return r, nil
}

// encodeDeltas writes a deltas frame by hand: the deltas are already JSON, and this runs once
// per topic and tick for every subscriber.
// quoted is the topic's name as a JSON string.
func encodeDeltas(quoted []byte, from, to uint64, deltas []json.RawMessage) []byte {
	size := len(quoted) + 64
	for _, d := range deltas {
		size += len(d) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, `{"topic":`...)
	b = append(b, quoted...)
	b = append(b, `,"kind":"deltas","seq":`...)
	b = strconv.AppendUint(b, to, 10)
	b = append(b, `,"from":`...)
	b = strconv.AppendUint(b, from, 10)
	b = append(b, `,"deltas":[`...)
	for i, d := range deltas {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return append(b, "]}"...)
}

func encodeFrame(f Frame) []byte {
	b, _ := json.Marshal(f) // a Frame of raw JSON always encodes
	return b
}
