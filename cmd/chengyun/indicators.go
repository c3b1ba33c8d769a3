package main

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/chengyun/chengyun/projections"

	"github.com/chengyun/chengyun/domain/worktime"
	"github.com/chengyun/chengyun/indicators"
)

// newIndicators builds the indicator engine for the city. It lives in memory and is fed by the
// projection runner (indicatorProjection), which rebuilds it from the log at every start and
// then keeps it following the log, decoding each event once for every projection.
func newIndicators(cal worktime.Schedule, runtime func(string) (float64, bool)) (*indicators.Engine, error) {
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
	return e, nil
}

// lagGauge is the largest projection lag, refreshed every second, for the platform indicator
// runtime("projection_lag_seconds_max"). It is read from an atomic, never from the runner
// during an evaluation: the runner may be waiting on the engine's lock to apply an event.
type lagGauge struct{ bits atomic.Uint64 }

func (g *lagGauge) runtime(name string) (float64, bool) {
	if name != "projection_lag_seconds_max" {
		return 0, false
	}
	return math.Float64frombits(g.bits.Load()), true
}

func (g *lagGauge) follow(ctx context.Context, r *projections.Runner) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		var worst float64
		for _, st := range r.Status() {
			worst = max(worst, st.LagSeconds)
		}
		g.bits.Store(math.Float64bits(worst))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
