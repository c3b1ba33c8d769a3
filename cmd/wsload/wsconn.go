package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// wsConn is the client side of one WebSocket (RFC 6455), read by a poller rather than by a
// goroutine of its own: thousands of simulated screens on two cores cannot each pay a
// goroutine wake-up and two read syscalls per frame, or the tool, not the server, is what
// the figures measure. The server under test is the real one; only the screens are lean.
type wsConn struct {
	fd       int    // the socket, outside Go's own poller
	deflate  bool   // per-message compression was negotiated
	pending  []byte // bytes read and not yet a whole frame
	fragment []byte // a message whose first frames have come (FIN not yet seen)
	inFrag   bool
	fragRSV1 bool
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// dialWS opens url (ws://host:port/path) with the given header and does the opening
// handshake; with compress it offers permessage-deflate without context takeover.
func dialWS(ctx context.Context, url string, header http.Header, compress bool) (*wsConn, error) {
	rest, ok := strings.CutPrefix(url, "ws://")
	if !ok {
		return nil, fmt.Errorf("%s: only ws:// URLs", url)
	}
	host, path, _ := strings.Cut(rest, "/")
	d := net.Dialer{Timeout: 30 * time.Second}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	nc := c.(*net.TCPConn)
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	var req strings.Builder
	fmt.Fprintf(&req, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", path, host, key)
	if compress {
		req.WriteString("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n")
	}
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	req.WriteString("\r\n")
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := nc.Write([]byte(req.String())); err != nil {
		nc.Close()
		return nil, err
	}
	// The server writes nothing after its answer until the client subscribes, so the reader
	// holds the answer alone and nothing of the frames that follow.
	resp, err := http.ReadResponse(bufio.NewReaderSize(nc, 4096), &http.Request{Method: "GET"})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	resp.Body.Close()
	sum := sha1.Sum([]byte(key + wsGUID))
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		nc.Close()
		return nil, fmt.Errorf("handshake: HTTP %d", resp.StatusCode)
	case resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]):
		nc.Close()
		return nil, errors.New("handshake: wrong Sec-WebSocket-Accept")
	}
	w := &wsConn{fd: -1, deflate: strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")}
	// A duplicate of the socket, and nc closed: Go's poller forgets the socket, so a frame
	// wakes only the tool's own epoll (the socket stays non-blocking).
	raw, err := nc.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) { w.fd, err = syscall.Dup(int(fd)) })
		err = errors.Join(err, cerr)
	}
	nc.Close()
	if err != nil {
		return nil, fmt.Errorf("duplicate the socket: %w", err)
	}
	syscall.CloseOnExec(w.fd)
	return w, nil
}

// close closes the socket.
func (w *wsConn) close() { _ = syscall.Close(w.fd) }

// send writes one masked client frame (clients must mask, RFC 6455 §5.3).
func (w *wsConn) send(opcode byte, payload []byte) error {
	frame := make([]byte, 0, 14+len(payload))
	frame = append(frame, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	case n <= 0xffff:
		frame = append(frame, 0x80|126, byte(n>>8), byte(n))
	default:
		frame = append(frame, 0x80|127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	// Requests are small and rare: a non-blocking write that finds the buffer full retries.
	for len(frame) > 0 {
		n, err := syscall.Write(w.fd, frame)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			time.Sleep(time.Millisecond)
			continue
		case err != nil:
			return err
		}
		frame = frame[n:]
	}
	return nil
}

// message is what a frame parse yields: a whole data message, or a control frame.
type message struct {
	opcode  byte
	payload []byte
}

// errIncomplete says the buffer does not hold a whole frame yet.
var errIncomplete = errors.New("incomplete frame")

// nextFrame parses one server frame at the start of b (servers do not mask), returning it and
// the bytes it took.
func nextFrame(b []byte) (fin, rsv1 bool, opcode byte, payload []byte, n int, err error) {
	if len(b) < 2 {
		return false, false, 0, nil, 0, errIncomplete
	}
	fin, rsv1, opcode = b[0]&0x80 != 0, b[0]&0x40 != 0, b[0]&0x0f
	if b[1]&0x80 != 0 {
		return false, false, 0, nil, 0, errors.New("the server masked a frame")
	}
	size, head := uint64(b[1]&0x7f), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return false, false, 0, nil, 0, errIncomplete
		}
		size, head = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return false, false, 0, nil, 0, errIncomplete
		}
		size, head = binary.BigEndian.Uint64(b[2:]), 10
	}
	if size > 64<<20 {
		return false, false, 0, nil, 0, fmt.Errorf("a %d-byte frame", size)
	}
	if uint64(len(b)-head) < size {
		return false, false, 0, nil, 0, errIncomplete
	}
	end := head + int(size)
	return fin, rsv1, opcode, b[head:end], end, nil
}

// feed adds bytes read from the socket and calls deliver for each whole message or control
// frame; a data message's payload is only valid during the call.
func (w *wsConn) feed(read []byte, deliver func(message) error) error {
	buf := read
	if len(w.pending) > 0 {
		w.pending = append(w.pending, read...)
		buf = w.pending
	}
	for {
		fin, rsv1, op, payload, n, err := nextFrame(buf)
		if errors.Is(err, errIncomplete) {
			break
		}
		if err != nil {
			return err
		}
		buf = buf[n:]
		if op >= 8 { // control frames come whole, even between a message's fragments
			if err := deliver(message{op, payload}); err != nil {
				return err
			}
			continue
		}
		if op != 0 {
			w.fragRSV1 = rsv1
		}
		if !fin || w.inFrag {
			w.fragment = append(w.fragment, payload...)
			if w.inFrag = !fin; w.inFrag {
				continue
			}
			payload, w.fragment = w.fragment, nil
		}
		if w.fragRSV1 {
			if payload, err = inflate(payload); err != nil {
				return err
			}
		}
		if err := deliver(message{1, payload}); err != nil {
			return err
		}
	}
	// Keep what is left of a frame (copied: read is the poller's scratch buffer).
	w.pending = append(w.pending[:0:0], buf...)
	if len(w.pending) == 0 {
		w.pending = nil
	}
	return nil
}

// inflate undoes permessage-deflate: the sender dropped the final empty block's tail.
func inflate(p []byte) ([]byte, error) {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(p), strings.NewReader("\x00\x00\xff\xff\x01\x00\x00\xff\xff")))
	defer r.Close()
	return io.ReadAll(r)
}

// readOnce reads what the socket holds into scratch: 0 bytes with nil when it holds nothing.
func (w *wsConn) readOnce(scratch []byte) (int, error) {
	for {
		// A raw read: the socket never blocks, so the scheduler need not hear of it.
		r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(w.fd), uintptr(unsafe.Pointer(&scratch[0])), uintptr(len(scratch)))
		n, err := int(r), error(nil)
		if errno != 0 {
			err = errno
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, nil
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
