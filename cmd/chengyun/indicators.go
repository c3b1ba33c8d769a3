package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/worktime"
	"github.com/chengyun/chengyun/indicators"
)

// startIndicators builds the indicator engine for the city, folds the log into it, and keeps
// it following the log. The engine lives in memory: it is rebuilt from the log at every start
// (about a second per 150,000 events on this class of machine... see BENCHMARKS.md).
func startIndicators(ctx context.Context, store domain.EventStore, cal worktime.Schedule, runtime func(string) (float64, bool), log *slog.Logger) (*indicators.Engine, error) {
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		return nil, fmt.Errorf("indicator catalog: %w", err)
	}
	loc := time.Local
	if c, ok := cal.(interface{ Location() *time.Location }); ok {
		loc = c.Location()
	}
	e, err := indicators.New(cat, indicators.Config{Location: loc, Calendar: cal, Runtime: runtime})
	if err != nil {
		return nil, err
	}
	go followIndicators(ctx, store, e, log)
	return e, nil
}

// followIndicators feeds the engine from its position: catch-up then live, resumed after a
// lost subscription. An event the engine cannot read stops it on that event (reported in the
// log) rather than skipping it.
func followIndicators(ctx context.Context, store domain.EventStore, e *indicators.Engine, log *slog.Logger) {
	for ctx.Err() == nil {
		sub, err := store.Subscribe(ctx, e.Position())
		if err == nil {
			for ev := range sub.Events() {
				if err = e.Apply(ev, nil); err != nil {
					log.Error("indicator engine stopped at an event it cannot read", "position", ev.Position, "id", ev.ID, "type", ev.Type, "err", err)
					sub.Close()
					return
				}
			}
			err = sub.Err()
			sub.Close()
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("indicator feed interrupted; resuming", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
