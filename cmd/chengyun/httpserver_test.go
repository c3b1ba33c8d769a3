package main

import (
	"log/slog"
	"net/http"
	"testing"
)

// Every timeout of the HTTP server is set: a client that sends its headers, its body or its
// next request slowly, or never reads the answer, is cut off.
func TestServerTimeouts(t *testing.T) {
	s := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("unbounded server: %+v", s)
	}
	if s.ReadHeaderTimeout > s.ReadTimeout || s.ReadTimeout > s.WriteTimeout {
		t.Fatalf("timeouts out of order: header %v, read %v, write %v", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout)
	}
}
