package stream

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chengyun/chengyun/domain"
)

// Timeouts of a connection.
const (
	writeWait  = 10 * time.Second // a frame not written by then ends the connection
	pongWait   = 60 * time.Second // a client silent this long (no pong, no message) is gone
	pingPeriod = 25 * time.Second
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

	mu     sync.Mutex
	queue  []*outFrame          // deltas and one-off frames, in order
	states map[string]*outFrame // state topics: only the latest value waits
	closed bool
	reason string
	wake   chan struct{}
}

func newConn(h *Hub, ws *websocket.Conn, authorize func(string) error) *conn {
	return &conn{hub: h, ws: ws, authorize: authorize, states: map[string]*outFrame{}, wake: make(chan struct{}, 1)}
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
		c.states[f.topic] = f
	} else {
		if len(c.queue) >= c.hub.opts.Queue {
			c.hub.slow.Add(1)
			c.closeLocked(fmt.Sprintf("too slow: %d frames behind", len(c.queue)))
			return
		}
		c.queue = append(c.queue, f)
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// bye ends the connection with a reason (sent as the close frame's text).
func (c *conn) bye(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(reason)
}

func (c *conn) closeLocked(reason string) {
	if c.closed {
		return
	}
	c.closed, c.reason = true, reason
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writer writes queued frames, pings, and the close frame, until the connection ends.
func (c *conn) writer(done <-chan struct{}) {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	defer c.ws.Close()
	for {
		select {
		case <-done:
			return
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
			continue
		case <-c.wake:
		}
		c.mu.Lock()
		frames := c.queue
		c.queue = nil
		for _, f := range c.states {
			frames = append(frames, f)
		}
		clear(c.states)
		closed, reason := c.closed, c.reason
		c.mu.Unlock()
		for _, f := range frames {
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WritePreparedMessage(f.pm); err != nil {
				return
			}
		}
		if closed {
			code := websocket.CloseGoingAway
			if len(reason) > 8 && reason[:8] == "too slow" {
				code = CloseTooSlow
			}
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeWait))
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
