package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testHub is a hub on a test server; its one event topic "t" snapshots to its delta count,
// and "indicators:city" is a state topic.
type testHub struct {
	hub    *Hub
	url    string
	deltas int
	ctx    context.Context
}

func newTestHub(t *testing.T, o Options) *testHub {
	th := &testHub{}
	th.hub = NewHub(func(topic string) (any, bool) { return map[string]int{"deltas": th.deltas}, true }, o)
	th.hub.seqStart = func() uint64 { return 0 } // the tests read sequences from 1
	allow := func(topic string) error { return nil }
	srv := httptest.NewServer(th.hub.Handler(Gate{Authorize: func(*http.Request) (func(string) error, error) { return allow, nil }},
		slog.Default(), func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), 403) }))
	ctx, cancel := context.WithCancel(context.Background())
	th.ctx = ctx
	go th.hub.Run(ctx)
	t.Cleanup(func() { cancel(); srv.Close() })
	th.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return th
}

func (th *testHub) publish(n int) {
	th.hub.Update(func(p Publisher) {
		for range n {
			th.deltas++
			p.Delta("t", json.RawMessage(fmt.Sprintf(`{"n":%d}`, th.deltas)))
		}
	})
}

func dial(t *testing.T, url string, header http.Header) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c *websocket.Conn, req string) {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, c *websocket.Conn) Frame {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return f
}

// numbers reads frames until it has seen the deltas up to seq, checking each frame follows
// the last without a gap or a repeat.
func numbers(t *testing.T, c *websocket.Conn, from, to uint64) {
	t.Helper()
	want := from
	for want <= to {
		f := next(t, c)
		if f.Kind != KindDeltas || f.From != want || f.Seq < f.From || int(f.Seq-f.From+1) != len(f.Deltas) {
			t.Fatalf("frame %+v, want deltas from %d", f, want)
		}
		want = f.Seq + 1
	}
}

// TestResumeAfterReconnect: a client gets a snapshot then numbered deltas; after a reconnect
// it names its last sequence and gets exactly the deltas it missed; a resume point older than
// the history gets a fresh snapshot, marked as such.
func TestResumeAfterReconnect(t *testing.T) {
	th := newTestHub(t, Options{Tick: 10 * time.Millisecond, History: 50})
	th.publish(3)
	time.Sleep(30 * time.Millisecond)
	c := dial(t, th.url, nil)
	send(t, c, `{"op":"subscribe","topic":"t"}`)
	snap := next(t, c)
	if snap.Kind != KindSnapshot || snap.Seq != 3 || snap.Fresh || string(snap.Data) != `{"deltas":3}` {
		t.Fatalf("snapshot %+v", snap)
	}
	for range 4 {
		th.publish(5)
		time.Sleep(3 * time.Millisecond)
	}
	numbers(t, c, 4, 23)
	c.Close()
	th.publish(7) // missed while away
	time.Sleep(30 * time.Millisecond)

	c2 := dial(t, th.url, nil)
	send(t, c2, `{"op":"subscribe","topic":"t","since":23}`)
	numbers(t, c2, 24, 30)
	th.publish(2)
	numbers(t, c2, 31, 32)

	c3 := dial(t, th.url, nil)
	send(t, c3, `{"op":"subscribe","topic":"t","since":32}`)
	if f := next(t, c3); f.Kind != KindResumed || f.Seq != 32 {
		t.Fatalf("resume when up to date: %+v", f)
	}
	th.publish(60) // more than the history holds
	time.Sleep(30 * time.Millisecond)
	c4 := dial(t, th.url, nil)
	send(t, c4, `{"op":"subscribe","topic":"t","since":32}`)
	if f := next(t, c4); f.Kind != KindSnapshot || !f.Fresh || f.Seq != 92 || string(f.Data) != `{"deltas":92}` {
		t.Fatalf("resume past the history: %+v", f)
	}
	// A sequence never sent is not trusted either.
	c5 := dial(t, th.url, nil)
	send(t, c5, `{"op":"subscribe","topic":"t","since":1000}`)
	if f := next(t, c5); f.Kind != KindSnapshot || !f.Fresh {
		t.Fatalf("resume from the future: %+v", f)
	}
}

// TestStateTopicsCoalesce: a state topic sends its latest value only, however often it
// changed within a tick.
func TestStateTopicsCoalesce(t *testing.T) {
	th := newTestHub(t, Options{Tick: 50 * time.Millisecond})
	c := dial(t, th.url, nil)
	send(t, c, `{"op":"subscribe","topic":"indicators:city"}`)
	if f := next(t, c); f.Kind != KindSnapshot {
		t.Fatalf("%+v", f)
	}
	th.hub.Update(func(p Publisher) {
		for i := range 10 {
			p.State("indicators:city", json.RawMessage(fmt.Sprintf(`{"v":%d}`, i)))
		}
	})
	if f := next(t, c); f.Kind != KindState || f.Seq != 10 || string(f.Data) != `{"v":9}` {
		t.Fatalf("state frame %+v", f)
	}
}

// TestSlowClientIsDisconnected: a client that stops reading is cut off with a reason once its
// queue is full; the others go on.
func TestSlowClientIsDisconnected(t *testing.T) {
	th := newTestHub(t, Options{Tick: 2 * time.Millisecond, Queue: 4})
	slow := dial(t, th.url, nil)
	send(t, slow, `{"op":"subscribe","topic":"t"}`)
	time.Sleep(20 * time.Millisecond)
	big := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	for th.hub.Stats().Slow == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the slow client was never cut off")
		}
		th.hub.Update(func(p Publisher) { p.Delta("t", json.RawMessage(`"`+big+`"`)) })
		time.Sleep(3 * time.Millisecond)
	}
	// Reading now, the client finds the close frame and its reason after what was queued.
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := slow.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errorsAs(err, &ce) || ce.Code != CloseTooSlow || !strings.Contains(ce.Text, "too slow") {
			t.Fatalf("closed with %v, want %d too slow", err, CloseTooSlow)
		}
		break
	}
}

// TestOriginIsChecked: a browser page of another origin may not open the feed.
func TestOriginIsChecked(t *testing.T) {
	th := newTestHub(t, Options{})
	host := strings.TrimPrefix(th.url, "ws://")
	if _, resp, err := websocket.DefaultDialer.Dial(th.url, http.Header{"Origin": {"https://evil.example"}}); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	dial(t, th.url, http.Header{"Origin": {"http://" + host}})
}

// TestBadRequestsAreRefused: a malformed request gets an error frame naming the field; the
// connection stays.
func TestBadRequestsAreRefused(t *testing.T) {
	th := newTestHub(t, Options{})
	c := dial(t, th.url, nil)
	for _, req := range []string{`nonsense`, `{"op":"shout","topic":"t"}`, `{"op":"subscribe"}`, `{"op":"subscribe","topic":"t","x":1}`} {
		send(t, c, req)
		if f := next(t, c); f.Kind != KindError || f.Code != "invalid" {
			t.Fatalf("%s: %+v", req, f)
		}
	}
	send(t, c, `{"op":"subscribe","topic":"t"}`)
	if f := next(t, c); f.Kind != KindSnapshot {
		t.Fatalf("after the errors: %+v", f)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"op":"subscribe","topic":"cases","since":41}`))
	f.Add([]byte(`{"op":"unsubscribe","topic":"indicators:district:420102"}`))
	f.Add([]byte(`{"op":"subscribe","topic":"\u0000","since":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequest(b)
		if err == nil && (r.Topic == "" || (r.Op != "subscribe" && r.Op != "unsubscribe")) {
			t.Fatalf("accepted %q as %+v", b, r)
		}
	})
}

// TestPingsKeepAnIdleClient: every connection is pinged each Options.Ping, between the
// frames it writes, and a client that answers keeps its subscription.
func TestPingsKeepAnIdleClient(t *testing.T) {
	th := newTestHub(t, Options{Ping: 30 * time.Millisecond})
	c := dial(t, th.url, nil)
	pings := make(chan struct{}, 16)
	c.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	send(t, c, `{"op":"subscribe","topic":"t"}`)
	if f := next(t, c); f.Kind != KindSnapshot {
		t.Fatalf("first frame %+v", f)
	}
	// Pings arrive only while the client reads: read in the background.
	frames := make(chan Frame, 16)
	go func() {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				close(frames)
				return
			}
			var f Frame
			_ = json.Unmarshal(b, &f)
			frames <- f
		}
	}()
	for range 3 {
		select {
		case <-pings:
		case <-time.After(2 * time.Second):
			t.Fatal("no ping within 2 s")
		}
	}
	th.publish(2)
	select {
	case f := <-frames:
		if f.Kind != KindDeltas || f.From != 1 || f.Seq != 2 {
			t.Fatalf("after the pings: %+v", f)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no deltas after the pings")
	}
}

// TestCompressionIsNegotiated: a client that offers permessage-deflate gets it, and reads the
// compressed frames (each compressed once for all the clients of a topic) as they were sent.
func TestCompressionIsNegotiated(t *testing.T) {
	th := newTestHub(t, Options{Compress: true})
	var clients []*websocket.Conn
	for range 2 {
		d := websocket.Dialer{EnableCompression: true}
		c, resp, err := d.Dial(th.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
			t.Fatalf("extensions answered: %q", ext)
		}
		send(t, c, `{"op":"subscribe","topic":"t"}`)
		if f := next(t, c); f.Kind != KindSnapshot {
			t.Fatalf("first frame %+v", f)
		}
		clients = append(clients, c)
	}
	th.publish(3)
	for _, c := range clients {
		if f := next(t, c); f.Kind != KindDeltas || f.From != 1 || f.Seq != 3 || len(f.Deltas) != 3 {
			t.Fatalf("deltas: %+v", f)
		}
	}
}

// TestClientsGetControlAnswers: the client's ping is answered with a pong carrying its data,
// in order with the frames, and its close is echoed.
func TestClientsGetControlAnswers(t *testing.T) {
	th := newTestHub(t, Options{Compress: true})
	c := dial(t, th.url, nil)
	pong := make(chan string, 1)
	c.SetPongHandler(func(s string) error { pong <- s; return nil })
	send(t, c, `{"op":"subscribe","topic":"t"}`)
	if f := next(t, c); f.Kind != KindSnapshot {
		t.Fatalf("first frame %+v", f)
	}
	if err := c.WriteControl(websocket.PingMessage, []byte("还在吗"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	th.publish(1)
	if f := next(t, c); f.Kind != KindDeltas || f.Seq != 1 { // the pong is read on the way
		t.Fatalf("deltas: %+v", f)
	}
	select {
	case s := <-pong:
		if s != "还在吗" {
			t.Fatalf("pong %q", s)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no pong")
	}
	if err := c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("after the client's close: %v", err)
	}
}

// TestStatePatches: a client that holds a state topic's value gets the next value's patch
// alone; one that holds an older value, or a patch whose base is no longer the topic's value,
// gets the whole value.
func TestStatePatches(t *testing.T) {
	th := newTestHub(t, Options{Tick: 10 * time.Millisecond})
	c := dial(t, th.url, nil)
	send(t, c, `{"op":"subscribe","topic":"indicators:city"}`)
	if f := next(t, c); f.Kind != KindSnapshot || f.Seq != 0 {
		t.Fatalf("%+v", f)
	}
	change := func(value, patch string, base uint64) {
		th.hub.Update(func(p Publisher) { p.Change("indicators:city", json.RawMessage(value), json.RawMessage(patch), base) })
	}
	change(`{"v":1}`, `{"p":1}`, 0)
	if f := next(t, c); f.Kind != KindPatch || f.Seq != 1 || string(f.Data) != `{"p":1}` {
		t.Fatalf("patch frame %+v", f)
	}
	change(`{"v":2}`, `{"p":2}`, 0) // computed against a value the topic no longer holds
	if f := next(t, c); f.Kind != KindState || f.Seq != 2 || string(f.Data) != `{"v":2}` {
		t.Fatalf("a stale patch: %+v", f)
	}
	th.hub.Update(func(p Publisher) {
		p.Change("indicators:city", json.RawMessage(`{"v":3}`), json.RawMessage(`{"p":3}`), 2)
		p.Change("indicators:city", json.RawMessage(`{"v":4}`), json.RawMessage(`{"p":4}`), 3)
	})
	if f := next(t, c); f.Kind != KindState || f.Seq != 4 || string(f.Data) != `{"v":4}` {
		t.Fatalf("two values in one tick: %+v", f)
	}
	th.hub.Update(func(p Publisher) {
		if v, seq := p.Value("indicators:city"); string(v) != `{"v":4}` || seq != 4 {
			t.Errorf("Value = %s at %d, want {\"v\":4} at 4", v, seq)
		}
	})
}

// TestPatchBehindAWaitingValueGoesWhole: a patch queued behind a value the writer has not
// sent yet replaces it with the whole new value (the patch's base would never arrive).
func TestPatchBehindAWaitingValueGoesWhole(t *testing.T) {
	h := NewHub(nil, Options{})
	c := newConn(h, nil, nil)
	whole1 := &outFrame{topic: "indicators:city", to: 1, state: true}
	whole2 := &outFrame{topic: "indicators:city", to: 2, state: true}
	patch2 := &outFrame{topic: "indicators:city", to: 2, state: true, full: whole2}
	c.enqueue(patch2)
	if c.states[0] != patch2 {
		t.Fatal("a patch with nothing waiting goes as it is")
	}
	c.states[0] = whole1
	c.enqueue(patch2)
	if len(c.states) != 1 || c.states[0] != whole2 {
		t.Fatalf("states %v, want the whole value 2 alone", c.states)
	}
}

// TestUnwatchedStateStartsFresh: a state topic is refreshed only while watched, so a client
// that subscribes after everyone left gets a fresh value, not the one from when they left; a
// value still queued for a client that resubscribes does not follow its new snapshot.
func TestUnwatchedStateStartsFresh(t *testing.T) {
	th := newTestHub(t, Options{Tick: 10 * time.Millisecond})
	c := dial(t, th.url, nil)
	send(t, c, `{"op":"subscribe","topic":"indicators:city"}`)
	if f := next(t, c); f.Kind != KindSnapshot || string(f.Data) != `{"deltas":0}` {
		t.Fatalf("%+v", f)
	}
	th.hub.Update(func(p Publisher) { p.State("indicators:city", json.RawMessage(`{"v":1}`)) })
	if f := next(t, c); f.Kind != KindState || string(f.Data) != `{"v":1}` {
		t.Fatalf("%+v", f)
	}
	send(t, c, `{"op":"unsubscribe","topic":"indicators:city"}`)
	th.publish(2) // the city moves on; the snapshot counts its deltas
	time.Sleep(30 * time.Millisecond)
	send(t, c, `{"op":"subscribe","topic":"indicators:city"}`)
	if f := next(t, c); f.Kind != KindSnapshot || string(f.Data) != `{"deltas":2}` {
		t.Fatalf("after everyone left, the snapshot is %s %s, want a fresh {\"deltas\":2}", f.Kind, f.Data)
	}
	h := NewHub(nil, Options{})
	w := newConn(h, nil, nil)
	w.enqueue(&outFrame{topic: "indicators:city", state: true})
	w.enqueue(&outFrame{topic: "indicators:district:420102", state: true})
	w.dropState("indicators:city")
	if len(w.states) != 1 || w.states[0].topic != "indicators:district:420102" {
		t.Fatalf("states after dropping the city's: %v", w.states)
	}
}
