package dashboard

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/geo/city"
)

//go:embed status.html
var statusPage []byte

//go:embed status.js
var statusScript []byte

// Server serves the status page, the JSON API, health checks and metrics.
type Server struct {
	store   domain.EventStore
	metrics *Metrics
	log     *slog.Logger
	started time.Time
	version string
	// followed is the last position the server's own live subscription has seen.
	followed atomic.Uint64
	mux      *http.ServeMux
	routes   []Route
	auth     *auth      // nil until UseAccess: then only public routes answer
	city     *city.City // the city model, set by HandleGeo (nil before)
}

// NewServer builds the HTTP handler around a store (already instrumented by metrics).
func NewServer(store domain.EventStore, metrics *Metrics, log *slog.Logger, version string) *Server {
	s := &Server{store: store, metrics: metrics, log: log, started: time.Now(), version: version, mux: http.NewServeMux()}
	public := Access{Public: true}
	s.mountScreen()
	s.route("GET /status.js", public, s.handleScript)
	s.route("GET /api/v1/status", Access{Perm: identity.PermStatusRead}, s.handleStatus)
	s.route("GET /healthz", public, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.route("GET /readyz", public, s.handleReady)
	metrics.SetLag("status", 0)
	s.route("GET /metrics", Access{Perm: identity.PermMetricsRead}, promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP)
	return s
}

// Status is the body of GET /api/v1/status.
type Status struct {
	Store         domain.StoreStats `json:"store"`
	Version       string            `json:"version"`
	StartedAt     time.Time         `json:"startedAt"`
	UptimeSeconds int64             `json:"uptimeSeconds"`
	LivePosition  uint64            `json:"livePosition"` // last event the server's live feed saw
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Stats(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Status{Store: st, Version: s.version, StartedAt: s.started,
		UptimeSeconds: int64(time.Since(s.started).Seconds()), LivePosition: s.followed.Load()})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.Stats(ctx); err != nil {
		writeError(w, domain.Unavailable("event store not ready", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handlePage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(statusPage)
}

func (s *Server) handleScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	_, _ = w.Write(statusScript)
}

// Follow keeps a live subscription from the log's current head, so the status shows that live
// delivery works and /metrics shows its lag. It returns when ctx ends.
func (s *Server) Follow(ctx context.Context) {
	for ctx.Err() == nil {
		st, err := s.store.Stats(ctx)
		if err == nil {
			s.followed.Store(st.LastPosition)
			err = s.follow(ctx, st.LastPosition)
		}
		if ctx.Err() == nil {
			s.log.Warn("live feed interrupted; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (s *Server) follow(ctx context.Context, after uint64) error {
	sub, err := s.store.Subscribe(ctx, after)
	if err != nil {
		return err
	}
	defer sub.Close()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				return sub.Err()
			}
			s.followed.Store(e.Position)
		case <-tick.C:
			if st, err := s.store.Stats(ctx); err == nil && st.LastPosition >= s.followed.Load() {
				s.metrics.SetLag("status", st.LastPosition-s.followed.Load())
			}
		case <-ctx.Done():
			return nil
		}
	}
}
