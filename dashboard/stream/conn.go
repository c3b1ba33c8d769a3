package stream

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chengyun/chengyun/domain"
)

// Timeouts of a connection.
const (
	writeWait  = 10 * time.Second // a frame not written by then ends the connection
	pongWait   = 60 * time.Second // a client silent this long (no pong, no message) is gone
	pingPeriod = 25 * time.Second // every connection is pinged this often (Options.Ping)
)

// CloseTooSlow is the close code for a client that fell too far behind (4000–4999 are the
// application's; the reason says how far).
const CloseTooSlow = 4008

// conn is one client. Frames reach it through enqueue (under the hub's lock); its own writer
// goroutine is the only one that writes to the socket.
type conn struct {
	hub       *Hub
	ws        *websocket.Conn
	authorize func(topic string) error

	mu      sync.Mutex
	queue   []*outFrame // deltas and one-off frames, in order
	states  []*outFrame // state topics: only the latest value of each waits (a screen has few)
	pingDue bool
	pinger  *time.Timer // its own ping timer; Reset and Stop under mu
	closed  bool
	reason  string
	gone    bool // the peer went away: nothing more is written, not even a close frame
	// wake has room for one signal: the writer waits on it alone (no select, no timer of its
	// own), which is most of what an idle-then-busy connection costs at a tick.
	wake chan struct{}
}

func newConn(h *Hub, ws *websocket.Conn, authorize func(string) error) *conn {
	return &conn{hub: h, ws: ws, authorize: authorize, wake: make(chan struct{}, 1)}
}

// enqueue hands a frame to the writer. State frames replace the one waiting for their topic;
// other frames join the queue, and a client whose queue is full is disconnected: it would
// otherwise hold an unbounded backlog, and a gap is worse than a reconnect.
func (c *conn) enqueue(f *outFrame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if f.state {
		c.setState(f)
	} else {
		if len(c.queue) >= c.hub.opts.Queue {
			c.hub.slow.Add(1)
			c.closeLocked(fmt.Sprintf("too slow: %d frames behind", len(c.queue)))
			return
		}
		c.queue = append(c.queue, f)
	}
	c.signal()
}

func (c *conn) setState(f *outFrame) {
	for i, s := range c.states {
		if s.topic == f.topic {
			if f.full != nil { // the value it patches is the one replaced: it never arrives
				f = f.full
			}
			c.states[i] = f
			return
		}
	}
	c.states = append(c.states, f)
}

// dropState forgets a state topic's value waiting for the writer.
func (c *conn) dropState(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.states = slices.DeleteFunc(c.states, func(f *outFrame) bool { return f.topic == topic })
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// startPings pings the connection every Options.Ping from a timer of its own, the first at a
// random point of the first period: screens connect in bursts (a wall after a restart), and
// pings all due at one instant would be a burst of writes of their own.
func (c *conn) startPings() {
	every := c.hub.opts.Ping
	c.mu.Lock() // the timer's function reads pinger under the same lock
	defer c.mu.Unlock()
	c.pinger = time.AfterFunc(every/2+rand.N(every/2), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			return
		}
		c.pingDue = true
		c.signal()
		c.pinger.Reset(every)
	})
}

// bye ends the connection with a reason (sent as the close frame's text).
func (c *conn) bye(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(reason)
}

// ended is the reader's word that the peer is gone: the writer stops without writing.
func (c *conn) ended() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone = true
	c.closeLocked("")
	c.signal() // closeLocked signals only the first time; the writer must see gone
}

func (c *conn) closeLocked(reason string) {
	if c.closed {
		return
	}
	c.closed, c.reason = true, reason
	if c.pinger != nil {
		c.pinger.Stop()
	}
	c.signal()
}

// writer writes queued frames, pings, and the close frame, until the connection ends.
func (c *conn) writer() {
	defer c.ws.Close()
	defer func() {
		// Whatever ended the writer, frames stop queueing for it (the reader sees the closed
		// socket next and takes the connection off the hub).
		c.mu.Lock()
		c.closeLocked("")
		c.queue, c.states = nil, nil
		c.mu.Unlock()
	}()
	var spare, spareStates []*outFrame // the queues swap with these, so a tick allocates nothing
	for range c.wake {
		c.mu.Lock()
		frames, states := c.queue, c.states
		c.queue, c.states = spare[:0], spareStates[:0]
		ping, closed, reason, gone := c.pingDue, c.closed, c.reason, c.gone
		c.pingDue = false
		c.mu.Unlock()
		if gone {
			return
		}
		// One deadline for the batch: gorilla arms the socket's own deadline on each write.
		deadline := time.Now().Add(writeWait)
		_ = c.ws.SetWriteDeadline(deadline)
		for _, batch := range [2][]*outFrame{frames, states} {
			for _, f := range batch {
				if err := c.ws.WritePreparedMessage(f.pm); err != nil {
					return
				}
			}
		}
		clear(frames)
		clear(states)
		spare, spareStates = frames, states
		if ping {
			if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
				return
			}
		}
		if closed {
			code := websocket.CloseGoingAway
			if len(reason) > 8 && reason[:8] == "too slow" {
				code = CloseTooSlow
			}
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
			return
		}
	}
}

// reader handles the client's requests until the connection ends.
func (c *conn) reader() {
	c.ws.SetReadLimit(MaxRequestBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		req, err := DecodeRequest(msg)
		if err == nil && req.Op == "subscribe" {
			err = c.authorize(req.Topic)
		}
		if err != nil {
			c.refuse(req.Topic, err)
			continue
		}
		c.hub.mu.Lock()
		if req.Op == "subscribe" {
			c.hub.subscribe(c, req.Topic, req.Since)
		} else {
			c.hub.unsubscribe(c, req.Topic)
		}
		c.hub.mu.Unlock()
	}
}

func (c *conn) refuse(topic string, err error) {
	f := Frame{Topic: topic, Kind: KindError, Code: string(domain.CodeOf(err)), Message: err.Error()}
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeInternal {
		f.Message = "internal error"
	}
	c.enqueue(single(f))
}
