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
	last     map[string]uint64
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
			clients[i] = &client{ws: ws, last: map[string]uint64{}}
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
	keyAt       = []byte(`"at":`)
	keyDeltas   = []byte(`"deltas":[`)
	keyReported = []byte(`"reported":`)
)

// frame checks one frame. It parses only what it checks (topic, kind, sequence numbers and
// each delta's "at"): a full JSON decode would make the load tool the bottleneck.
func (cl *client) frame(b []byte, now int64) {
	topic, kind := string(field(b, keyTopic)), field(b, keyKind)
	seq := number(b, keySeq)
	wFrom, wTo := window.from.Load(), window.to.Load()
	switch string(kind) {
	case "snapshot", "resumed":
		cl.last[topic] = uint64(seq)
	case "state":
		if seq <= int64(cl.last[topic]) {
			cl.dups++
		}
		cl.last[topic] = uint64(seq)
		cl.states++
	case "patch": // it changes the value at seq-1
		switch last := int64(cl.last[topic]); {
		case seq <= last:
			cl.dups++
		case seq > last+1:
			cl.gaps++
		}
		cl.last[topic] = uint64(seq)
		cl.states++
	case "deltas":
		from := number(b, keyFrom)
		last := int64(cl.last[topic])
		switch {
		case from > last+1:
			cl.gaps++
		case from <= last:
			cl.dups++
		}
		cl.last[topic] = uint64(seq)
		cl.frames++
		if wFrom == 0 || topic != "cases" {
			return
		}
		// Each delta is a card with one "at" (when the store recorded the event: latency counts
		// from it) and, after it, one "reported" (when the case was reported: the window is of
		// that instant, which the reporter's acknowledgement also carries). Deltas start after
		// `"deltas":[`.
		i := bytes.Index(b, keyDeltas)
		if i < 0 {
			return
		}
		rest := b[i:]
		for {
			i := bytes.Index(rest, keyAt)
			if i < 0 {
				break
			}
			rest = rest[i+len(keyAt):]
			at, _ := leadingInt(rest)
			j := bytes.Index(rest, keyReported)
			if j < 0 {
				break
			}
			rest = rest[j+len(keyReported):]
			reported, _ := leadingInt(rest)
			if reported < wFrom || (wTo != 0 && reported > wTo) {
				continue
			}
			lat := max(0, min(now-at, int64(len(cl.hist)-1)))
			cl.hist[lat]++
			cl.received++
		}
	}
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
