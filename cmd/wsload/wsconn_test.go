package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestClientReadsWhatGorillaWrites: the lean client's handshake and framing against a gorilla
// server writing whole, fragmented, compressed and control frames.
func TestClientReadsWhatGorillaWrites(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "deflate"}[compress], func(t *testing.T) {
			got := make(chan string, 1)
			up := websocket.Upgrader{EnableCompression: compress, WriteBufferSize: 64}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer k" {
					http.Error(w, "no token", 401)
					return
				}
				ws, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer ws.Close()
				_, req, err := ws.ReadMessage()
				if err != nil {
					return
				}
				got <- string(req)
				_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"topic":"a","kind":"snapshot","seq":1}`))
				_ = ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
				// A 64-byte write buffer makes gorilla send this in fragments.
				_ = ws.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("城运"), 500))
				pong := make(chan string, 1)
				ws.SetPongHandler(func(s string) error { pong <- s; return nil })
				go func() { _, _, _ = ws.ReadMessage() }()
				select {
				case s := <-pong:
					_ = ws.WriteMessage(websocket.TextMessage, []byte("pong "+s))
				case <-time.After(5 * time.Second):
				}
				_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4008, "too slow"), time.Now().Add(time.Second))
			}))
			defer srv.Close()
			url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/s"
			if _, err := dialWS(context.Background(), url, nil, compress); err == nil || !strings.Contains(err.Error(), "401") {
				t.Fatalf("without the token: %v", err)
			}
			ws, err := dialWS(context.Background(), url, http.Header{"Authorization": {"Bearer k"}}, compress)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.close()
			if ws.deflate != compress {
				t.Fatalf("deflate negotiated %v, want %v", ws.deflate, compress)
			}
			if err := ws.send(1, []byte(`{"op":"subscribe","topic":"a"}`)); err != nil {
				t.Fatal(err)
			}
			if r := <-got; r != `{"op":"subscribe","topic":"a"}` {
				t.Fatalf("server read %q", r)
			}
			var texts []string
			var closed string
			scratch := make([]byte, 100) // small reads: frames arrive in pieces
			deadline := time.Now().Add(5 * time.Second)
			for closed == "" && time.Now().Before(deadline) {
				n, err := ws.readOnce(scratch)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					time.Sleep(time.Millisecond)
					continue
				}
				err = ws.feed(scratch[:n], func(m message) error {
					switch m.opcode {
					case 1:
						texts = append(texts, string(m.payload))
					case 8:
						closed = fmt.Sprintf("%s %d", m.payload[2:], binary.BigEndian.Uint16(m.payload))
					case 9:
						return ws.send(10, m.payload)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			want := []string{`{"topic":"a","kind":"snapshot","seq":1}`, strings.Repeat("城运", 500), "pong p"}
			if len(texts) != 3 || texts[0] != want[0] || texts[1] != want[1] || texts[2] != want[2] {
				t.Fatalf("read %d messages: %.80q", len(texts), texts)
			}
			if closed != "too slow 4008" {
				t.Fatalf("close: %q", closed)
			}
		})
	}
}

// FuzzFeed: no bytes from a server make the client panic, however they are split.
func FuzzFeed(f *testing.F) {
	f.Add([]byte{0x81, 0x03, 'a', 'b', 'c', 0x89, 0x00}, uint8(2))
	f.Add([]byte{0x01, 0x01, 'a', 0x80, 0x01, 'b'}, uint8(1))
	f.Add([]byte{0xc1, 0x05, 0x4a, 0x4c, 0x4a, 0x06, 0x00}, uint8(7))
	f.Add([]byte{0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, uint8(3))
	f.Add([]byte{0x81, 0x7e, 0x00, 0x02, 'o', 'k'}, uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, split uint8) {
		w := &wsConn{fd: -1}
		cut := min(int(split), len(b))
		deliver := func(m message) error { return nil }
		if err := w.feed(b[:cut], deliver); err != nil {
			return
		}
		_ = w.feed(b[cut:], deliver)
	})
}
