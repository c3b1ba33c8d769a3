package stream

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"
)

// Gate is what the app hub decides for a connection: whether it may open (the token hook:
// a session cookie, a bearer token or the public screen, resolved before Upgrade), and which
// topics it may subscribe to.
type Gate struct {
	// Authorize returns, for an admitted request, the check of each topic it subscribes to;
	// an error refuses the connection (401/403 before the upgrade).
	Authorize func(r *http.Request) (func(topic string) error, error)
	// Origins are the origins allowed besides the server's own (e.g. "https://screen.city.gov").
	Origins []string
}

// Handler upgrades GET requests to the protocol. Browsers send an Origin: it must be the
// server's own host or one of Gate.Origins (a page elsewhere must not read the city's feed
// with a visitor's cookie). Clients without an Origin (tools, the load tool) pass.
func (h *Hub) Handler(g Gate, log *slog.Logger, refuse func(http.ResponseWriter, error)) http.Handler {
	up := websocket.Upgrader{
		ReadBufferSize:    1024,
		WriteBufferSize:   4096,
		EnableCompression: h.opts.Compress,
		CheckOrigin:       func(r *http.Request) bool { return originAllowed(r, g.Origins) },
		// A shared pool keeps idle connections small: buffers are taken only while writing.
		WriteBufferPool: writePool,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authorize, err := g.Authorize(r)
		if err != nil {
			refuse(w, err)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade has answered
		}
		c := newConn(h, ws, authorize)
		h.mu.Lock()
		h.conns[c] = struct{}{}
		h.mu.Unlock()
		c.startPings()
		go c.writer()
		go func() {
			c.reader()
			c.ended()
			h.mu.Lock()
			delete(h.conns, c)
			for _, t := range h.topics {
				delete(t.subs, c)
				h.forget(t)
			}
			h.mu.Unlock()
		}()
	})
}

var writePool = &syncPool{}

func originAllowed(r *http.Request, extra []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range extra {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}
