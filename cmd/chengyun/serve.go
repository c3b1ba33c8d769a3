package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/dashboard/stream"
	"github.com/chengyun/chengyun/geo/cities"
)

func serve(args []string) error {
	f := newFlags("serve", "Runs the command center: status page, JSON API, /healthz, /readyz, /metrics.")
	addr := f.string("addr", ":8080", "HTTP listen address")
	sf := addStoreFlags(f)
	logLevel := f.string("log-level", "info", "log level: debug, info, warn, error")
	logFormat := f.string("log-format", "text", "log format: text or json")
	shutdown := f.duration("shutdown-timeout", 30*time.Second, "how long a graceful shutdown waits for in-flight requests")
	cityName := f.string("city", cities.Default, "the city: a shipped one ("+strings.Join(cities.Names(), ", ")+") or the path of a city folder")
	clockStart := f.string("clock-start", "", "simulated clock: the instant the server starts at (RFC 3339); empty for the wall clock")
	clockRate := f.float("clock-rate", 1, "simulated clock: how many seconds pass per real second")
	af := addAccessFlags(f)
	pf := addProjectionFlags(f)
	df := addDemoFlags(f)
	streamTick := f.duration("stream-tick", 50*time.Millisecond, "how long live-screen deltas gather before they go out as one frame per topic")
	streamOrigins := f.string("stream-origins", "", "browser origins allowed on the live-screen WebSocket besides the server's own (space-separated, e.g. https://screen.example.gov)")
	cpuProfile := f.string("cpuprofile", "", "write a CPU profile of the whole run to this file (for load measurements)")
	tick := f.string("deadline-tick", "@every 1s", "how often the scheduler looks for due deadlines (robfig/cron spec with seconds)")
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log, err := newLogger(*logLevel, *logFormat)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer stopProfile()
	}
	clock, err := newClock(*clockStart, *clockRate)
	if err != nil {
		return err
	}
	cityFS, err := cities.Open(*cityName)
	if err != nil {
		return fmt.Errorf("--city: %w", err)
	}
	city, err := loadCity(*cityName, cityFS)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	raw, err := openStore(ctx, sf, log, false)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redact(*sf.url), err)
	}
	metrics := dashboard.NewMetrics()
	store := metrics.Instrument(raw)
	srv := dashboard.NewServer(store, metrics, log, version)
	handler := commands.NewHandler(store, city.City, clock)
	srv.HandleCases(handler, city.Catalog, city.Routing)
	srv.HandleGeo(city.model, city.index, city.tiles)
	// Sessions, lockouts and keys run on the wall clock even when the city runs on a
	// simulated one: a drill at 60× must not expire a login in twelve minutes.
	svc, err := startAccess(ctx, store, af, time.Now, log)
	if err != nil {
		_ = raw.Close()
		return err
	}
	oidc, err := af.oidc.provider(ctx)
	if err != nil {
		_ = raw.Close()
		return err
	}
	srv.UseAccess(svc, dashboard.AuthOptions{PublicScreen: *af.publicScreen, SecureCookies: *af.secureCookies, OIDC: oidc})
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	var lag lagGauge
	engine, err := newIndicators(city.Calendar, lag.runtime)
	if err != nil {
		_ = raw.Close()
		return err
	}
	hub := stream.NewHub(nil, stream.Options{Compress: true, Tick: *streamTick})
	feed := stream.NewFeed(hub, engine, clock)
	rm, err := startProjections(followCtx, store, sf, pf, city.counts, metrics, log, indicatorProjection{engine}, feed)
	if err != nil {
		_ = raw.Close()
		return err
	}
	go lag.follow(followCtx, rm.runner)
	feed.SetLive(rm.head)
	go hub.Run(followCtx)
	go feed.Run(followCtx)
	srv.HandleStream(hub, strings.Fields(*streamOrigins))
	srv.HandleReadModels(rm.cases, rm.runner)
	srv.HandleIndicators(engine, clock)
	followed := make(chan struct{})
	go func() { defer close(followed); srv.Follow(followCtx) }()
	scheduled := make(chan struct{})
	go func() {
		defer close(scheduled)
		runScheduler(followCtx, func() *commands.Scheduler { return commands.NewScheduler(store, handler, clock, log) }, *tick, log)
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		_ = rm.stop()
		_ = raw.Close()
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	httpSrv := newHTTPServer(srv, log)
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	if *df.on {
		// A signal during the demo's setup is a shutdown like any other, not a failure.
		if err := startDemo(followCtx, store, svc, city, df, "http://"+loopbackAddr(ln.Addr()), rm.caughtUp, log); err != nil && followCtx.Err() == nil {
			stopFollow()
			_ = httpSrv.Close()
			_ = rm.stop()
			_ = raw.Close()
			return err
		}
	}
	log.Info("chengyun serving", "city", city.model.Name, "districts", len(city.model.Districts), "grids", len(city.model.Grids), "clock", clock().Format(time.RFC3339), "addr", "http://"+displayAddr(ln.Addr()), "store", storeKind(*sf.url), "url", redact(*sf.url), "version", version)

	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight requests and appends")
	case err = <-errc:
		log.Error("http server stopped", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		log.Warn("graceful shutdown cut short", "err", err)
	}
	stopFollow()
	<-followed
	<-scheduled
	if err := rm.stop(); err != nil {
		log.Warn("closing the read models", "err", err)
	}
	// Close drains the store's queue: appends accepted before the signal become durable.
	if cerr := raw.Close(); cerr != nil {
		return fmt.Errorf("close store: %w", cerr)
	}
	log.Info("stopped")
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}

func displayAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// loopbackAddr is how the server's own clients (the demo city) reach a listener.
func loopbackAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
	}
	return a.String()
}

// runScheduler keeps the deadline scheduler running until ctx ends; a lost subscription (the
// store restarting) starts it again from the log, which rebuilds every deadline.
func runScheduler(ctx context.Context, newScheduler func() *commands.Scheduler, spec string, log *slog.Logger) {
	for ctx.Err() == nil {
		err := newScheduler().Run(ctx, spec)
		if ctx.Err() != nil {
			return
		}
		log.Warn("deadline scheduler stopped; restarting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// newHTTPServer wraps the handler in a server whose timeouts bound what a slow or idle client
// can hold (slowloris, dangling keep-alives). Streams (WebSocket) lift the write deadline on
// their own connection.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}
