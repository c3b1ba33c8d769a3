package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// client is one screen: it checks the sequence of every frame and keeps a latency histogram.
// Only its poller touches it while the pollers run.
type client struct {
	ws       *wsConn
	topics   []topicSeq // the last sequence of each topic (a client has a few)
	gaps     int64
	dups     int64
	received int64       // deltas of the case feed whose cases were reported in the window
	hist     [2001]int64 // latency in ms, the last bin is 2 s and more
	frames   int64
	states   int64
	closed   string
}

// connect dials the clients (64 at a time) and subscribes each to the topics. Their first
// frames wait in the sockets until the pollers start.
func connect(ctx context.Context, c config, token string) ([]*client, error) {
	url := "ws" + strings.TrimPrefix(c.target, "http") + "/api/v1/stream"
	h := http.Header{"Authorization": {"Bearer " + token}}
	clients := make([]*client, c.clients)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	sem := make(chan struct{}, 64)
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ws, err := dialWS(ctx, url, h, c.compress)
			if err == nil {
				for _, topic := range c.topics {
					if err = ws.send(1, []byte(`{"op":"subscribe","topic":"`+topic+`"}`)); err != nil {
						break
					}
				}
			}
			if err != nil {
				select {
				case errs <- fmt.Errorf("client %d: %w", i, err):
				default:
				}
				return
			}
			clients[i] = &client{ws: ws}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	return clients, nil
}

// errClosed ends a client when the server closes it.
var errClosed = errors.New("closed by the server")

// readable reads what the client's socket holds and handles every whole frame in it.
func (cl *client) readable(scratch []byte) error {
	n, err := cl.ws.readOnce(scratch)
	if err != nil || n == 0 {
		if err != nil && cl.closed == "" {
			cl.closed = "connection lost: " + err.Error()
		}
		return err
	}
	now := time.Now().UnixMilli()
	err = cl.ws.feed(scratch[:n], func(m message) error {
		switch m.opcode {
		case 1, 2:
			cl.frame(m.payload, now)
		case 8:
			cl.closed = "1005"
			if len(m.payload) >= 2 {
				cl.closed = fmt.Sprintf("%d %s", binary.BigEndian.Uint16(m.payload), m.payload[2:])
			}
			return errClosed
		case 9:
			return cl.ws.send(10, m.payload)
		}
		return nil
	})
	if err != nil && cl.closed == "" {
		cl.closed = "protocol: " + err.Error()
	}
	return err
}

var (
	keyTopic    = []byte(`"topic":"`)
	keyKind     = []byte(`"kind":"`)
	keySeq      = []byte(`"seq":`)
	keyFrom     = []byte(`"from":`)
	keyDeltas   = []byte(`"deltas":[`)
	keyReported = []byte(`"reported":`)
	keyClosedAt = []byte(`"closedAt":`)
	keyCardID   = []byte(`{"id":"`)
	keyEvent    = []byte(`,"event":"`)
	keyAtNext   = []byte(`,"at":`)
)

// frame checks one frame. It parses only what it checks (topic, kind, sequence numbers and
// each delta's "at"): a full JSON decode would make the load tool the bottleneck.
func (cl *client) frame(b []byte, now int64) {
	topicName, kind := field(b, keyTopic), field(b, keyKind)
	last := cl.seqOf(topicName)
	seq := number(b, keySeq)
	wFrom, wTo := window.from.Load(), window.to.Load()
	switch string(kind) {
	case "snapshot", "resumed":
		*last = uint64(seq)
	case "state":
		if seq <= int64(*last) {
			cl.dups++
		}
		*last = uint64(seq)
		cl.states++
	case "patch": // it changes the value at seq-1
		switch had := int64(*last); {
		case seq <= had:
			cl.dups++
		case seq > had+1:
			cl.gaps++
		}
		*last = uint64(seq)
		cl.states++
	case "deltas":
		from := number(b, keyFrom)
		had := int64(*last)
		switch {
		case from > had+1:
			cl.gaps++
		case from <= had:
			cl.dups++
		}
		*last = uint64(seq)
		cl.frames++
		if wFrom == 0 || string(topicName) != "cases" {
			return
		}
		// Each delta is a flat card: its "at" (when the store recorded the event: latency counts
		// from it) comes third, its "reported" (when the case was reported: the window is of
		// that instant, which the reporter's acknowledgement also carries) last or just before
		// "closedAt". The tool's own titles hold no brace, so a card ends at its first '}'.
		i := bytes.Index(b, keyDeltas)
		if i < 0 {
			return
		}
		rest := b[i+len(keyDeltas):]
		for len(rest) > 0 && rest[0] == '{' {
			end := bytes.IndexByte(rest, '}')
			if end < 0 {
				break
			}
			at, reported, ok := cardTimes(rest[:end])
			rest = rest[end+1:]
			if len(rest) > 0 && rest[0] == ',' {
				rest = rest[1:]
			}
			if !ok || reported < wFrom || (wTo != 0 && reported > wTo) {
				continue
			}
			lat := max(0, min(now-at, int64(len(cl.hist)-1)))
			cl.hist[lat]++
			cl.received++
		}
	}
}

// afterString skips prefix and the string value it opens, up to its closing quote (card
// values the tool reads hold no escaped quote).
func afterString(b, prefix []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, prefix) {
		return nil, false
	}
	b = b[len(prefix):]
	i := bytes.IndexByte(b, '"')
	if i < 0 {
		return nil, false
	}
	return b[i+1:], true
}

// cardTimes reads a card's "at" and "reported" (the card without its closing brace).
func cardTimes(card []byte) (at, reported int64, ok bool) {
	rest, ok := afterString(card, keyCardID) // {"id":"…","event":"…","at":
	if ok {
		rest, ok = afterString(rest, keyEvent)
	}
	if !ok || !bytes.HasPrefix(rest, keyAtNext) {
		return 0, 0, false
	}
	at, _ = leadingInt(rest[len(keyAtNext):])
	tail := card
	if j := bytes.LastIndexByte(tail, ','); j >= 0 && bytes.HasPrefix(tail[j+1:], keyClosedAt) {
		tail = tail[:j] // a closed case's card ends with its closing instant
	}
	j := len(tail)
	for j > 0 && tail[j-1] >= '0' && tail[j-1] <= '9' {
		j--
	}
	if !bytes.HasSuffix(tail[:j], keyReported) {
		return 0, 0, false
	}
	reported, _ = leadingInt(tail[j:])
	return at, reported, true
}

type topicSeq struct {
	name string
	seq  uint64
}

// seqOf is where the client keeps a topic's last sequence.
func (cl *client) seqOf(name []byte) *uint64 {
	for i := range cl.topics {
		if cl.topics[i].name == string(name) {
			return &cl.topics[i].seq
		}
	}
	cl.topics = append(cl.topics, topicSeq{name: string(name)})
	return &cl.topics[len(cl.topics)-1].seq
}

func field(b, key []byte) []byte {
	i := bytes.Index(b, key)
	if i < 0 {
		return nil
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

func number(b, key []byte) int64 {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0
	}
	n, _ := leadingInt(b[i+len(key):])
	return n
}

func leadingInt(b []byte) (int64, int) {
	var n int64
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	return n, i
}
