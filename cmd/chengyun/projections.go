package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/geo/aggregate"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/indicators"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
	"github.com/chengyun/chengyun/projections/pgsink"
)

// projectionFlags say where the durable read models live. By default they sit beside the
// event store: an embedded store in var/data keeps them in var/data-projections (a Pebble
// database of their own, so a rebuild never touches the log's files); a PostgreSQL store keeps
// them in the schema "<pg-schema>_rm" of the same database.
type projectionFlags struct {
	dir      *string
	pgSchema *string
}

func addProjectionFlags(f flags) projectionFlags {
	return projectionFlags{
		dir:      f.string("projections", "", "directory of the read models for an embedded (or KurrentDB) store; default: the store directory with -projections appended"),
		pgSchema: f.string("rm-schema", "", "PostgreSQL schema of the read-model tables; default: the --pg-schema with _rm appended"),
	}
}

// openSink opens the read models' sink the store URL calls for; nil (in memory, replayed from
// the log at every start) for KurrentDB without --projections, which has no directory of its
// own to put them beside. It returns where the sink is, for logs.
func openSink(ctx context.Context, sf storeFlags, pf projectionFlags, log *slog.Logger) (projections.Sink, string, error) {
	url := *sf.url
	switch storeKind(url) {
	case "postgres":
		schema := *pf.pgSchema
		if schema == "" {
			schema = *sf.pgSchema + "_rm"
		}
		s, err := pgsink.Open(ctx, url, schema)
		if err != nil {
			return nil, "", fmt.Errorf("read models in schema %s: %w", schema, err)
		}
		return s, "postgres schema " + schema, nil
	case "esdb":
		if *pf.dir == "" {
			return nil, "memory", nil
		}
	}
	dir := *pf.dir
	if dir == "" {
		dir = filepath.Clean(strings.TrimPrefix(url, "embedded://")) + "-projections"
	}
	s, err := pebblesink.Open(dir, log)
	if err != nil {
		return nil, "", fmt.Errorf("read models in %s (is another chengyun using them? stop it first): %w", dir, err)
	}
	return s, dir, nil
}

// readModels are the running projections of a server.
type readModels struct {
	runner *projections.Runner
	cases  *projections.CaseList
	sink   projections.Sink
	cancel context.CancelFunc
	store  domain.EventStore
	head   uint64 // the log's last position when the runner started
}

// startProjections opens the read models' sink, loads the case list from it and starts the
// runner that keeps it (and any in-memory projections given, such as the indicator engine)
// current: catching up in the background, then following the log. The case list feeds the
// live count layers. Lag goes to /metrics as chengyun_subscription_lag_events{subscriber=
// "projection-<name>"}. stop ends it all; call it before the store closes.
func startProjections(ctx context.Context, store domain.EventStore, sf storeFlags, pf projectionFlags, counts map[city.Level]*aggregate.Layer,
	metrics *dashboard.Metrics, log *slog.Logger, inMemory ...projections.Projection) (*readModels, error) {
	sink, where, err := openSink(ctx, sf, pf, log)
	if err != nil {
		return nil, err
	}
	rm := &readModels{sink: sink, cases: projections.NewCaseList(counts), store: store}
	opts := catchUpOptions
	opts.Log = log
	if metrics != nil {
		opts.OnLag = func(name string, events uint64, _ float64) { metrics.SetLag("projection-"+name, events) }
	}
	rm.runner = projections.NewRunner(store, opts)
	err = rm.runner.Add(rm.cases, sink)
	for _, p := range inMemory {
		if err == nil {
			err = rm.runner.Add(p, nil)
		}
	}
	var rctx context.Context
	rctx, rm.cancel = context.WithCancel(ctx)
	if err == nil {
		var st domain.StoreStats
		if st, err = store.Stats(ctx); err == nil {
			rm.head = st.LastPosition
			err = rm.runner.Start(rctx)
		}
	}
	if err != nil {
		rm.cancel()
		if sink != nil {
			_ = sink.Close()
		}
		return nil, fmt.Errorf("start projections: %w", err)
	}
	log.Info("projections started", "read models", where, "cases", rm.cases.Len(), "projections", strings.Join(rm.runner.Names(), ","))
	return rm, nil
}

// caughtUp returns once every projection has read the log as it stood at start (or ctx ends).
func (rm *readModels) caughtUp(ctx context.Context) {
	for _, name := range rm.runner.Names() {
		_ = rm.runner.WaitFor(ctx, name, rm.head)
	}
}

// stop ends the runner (each projection's last batch is committed or dropped whole) and
// closes the sink.
func (rm *readModels) stop() error {
	rm.cancel()
	rm.runner.Wait()
	if rm.sink != nil {
		return rm.sink.Close()
	}
	return nil
}

// indicatorProjection runs the indicator engine as an in-memory projection of the runner: it is
// handed the case events the runner decoded once for every projection, instead of following
// and decoding the log on its own. Pass indicatorProjection{engine} to startProjections.
type indicatorProjection struct{ e *indicators.Engine }

func (p indicatorProjection) Name() string { return "indicators" }

func (p indicatorProjection) Apply(_ projections.Tx, ev *projections.Event) error {
	return p.e.Apply(ev.RecordedEvent, ev.Case)
}

// catchUpOptions are the runner's options in serve: the collector runs less often while the
// read models catch up at start (memory is plentiful then; cores are not).
var catchUpOptions = projections.Options{CatchUpGC: 400}
