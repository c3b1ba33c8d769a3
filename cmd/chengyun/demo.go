package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/chengyun/chengyun/cmd/chengyun/sim"
	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// demoFlags turn serve into the demo city: a history written at first start, and simulated
// citizens and staff working through the server's own HTTP API.
type demoFlags struct {
	on    *bool
	seed  *int
	scale *float64
	days  *int
	speed *float64
}

func addDemoFlags(f flags) demoFlags {
	return demoFlags{
		on:    f.bool("demo", false, "run the demo city: write a history at first start, then simulate citizens and staff live"),
		seed:  f.int("demo-seed", 1, "demo: the seed every simulated case is drawn from"),
		scale: f.float("demo-scale", sim.DefaultRates.Scale, fmt.Sprintf("demo: volume as a fraction of Wuhan's %d cases a day", sim.WuhanCasesPerDay)),
		days:  f.int("demo-days", 60, "demo: days of history before the first start (plus the same month a year earlier)"),
		speed: f.float("demo-speed", 10, "demo: live activity runs this many times faster than the history's pace"),
	}
}

// demoStaff are the simulated users, one per role, all city-wide.
var demoStaff = map[sim.Role]identity.Role{sim.Operator: identity.RoleOperator, sim.Dispatcher: identity.RoleDispatcher,
	sim.Handler: identity.RoleHandler, sim.Patroller: identity.RoleGrid}

var demoNames = map[sim.Role]string{sim.Operator: "演示受理员 Demo operator", sim.Dispatcher: "演示派遣员 Demo dispatcher",
	sim.Handler: "演示处置员 Demo handler", sim.Patroller: "演示网格员 Demo grid worker"}

// startDemo writes the history if the log has none (in the background: the server serves
// meanwhile), sets up the simulated staff with fresh passwords, and starts the live
// simulator against base, the server's own address. It returns once the staff exist.
func startDemo(ctx context.Context, store domain.EventStore, svc *access.Service, lc *loadedCity, df demoFlags, base string, caughtUp func(context.Context), log *slog.Logger) error {
	world := sim.NewWorld(lc.City, lc.model, lc.index)
	rates := sim.Rates{Scale: *df.scale, YearAgo: sim.DefaultRates.YearAgo}
	if rates.Scale <= 0 || rates.Scale > 10 {
		return fmt.Errorf("--demo-scale %v: want a fraction above 0 (at most 10)", rates.Scale)
	}
	if *df.days < 1 || *df.days > 400 {
		return fmt.Errorf("--demo-days %d: want 1 to 400", *df.days)
	}
	if *df.speed <= 0 || *df.speed > 10000 {
		return fmt.Errorf("--demo-speed %v: want a factor above 0 (at most 10000)", *df.speed)
	}
	plan, done, err := sim.HistoryState(ctx, store)
	if err != nil {
		return fmt.Errorf("demo: read the history's record: %w", err)
	}
	if plan == nil {
		p, err := sim.RecordPlan(ctx, store, sim.Plan{Seed: uint64(*df.seed), Anchor: time.Now().Truncate(time.Second),
			Days: *df.days, Scale: rates.Scale, YearAgo: rates.YearAgo})
		if err != nil {
			return fmt.Errorf("demo: record the history's plan: %w", err)
		}
		plan = &p
	}
	// The stored plan wins over the flags: the history is the one already (being) written.
	histGen := sim.NewGenerator(world, sim.Rates{Scale: plan.Scale, YearAgo: plan.YearAgo}, plan.Seed)
	recent, backfilled := make(chan struct{}), make(chan struct{})
	if done != nil {
		log.Info("demo history present", "cases", done.Cases, "events", done.Events, "from", plan.Anchor.AddDate(0, 0, -plan.Days).Format(time.DateOnly), "to", plan.Anchor.Format(time.RFC3339))
		close(recent)
		close(backfilled)
	} else {
		go func() {
			caughtUp(ctx) // a resumed history waits for the projections to read what is written
			runBackfill(ctx, store, histGen, *plan, recent, backfilled, log)
		}()
	}
	creds := sim.Credentials{}
	for role, r := range demoStaff {
		pw, err := demoPassword()
		if err != nil {
			return err
		}
		login := sim.StaffLogin(role)
		if err := svc.EnsureUser(ctx, "system:demo", access.NewUser{Login: login, Name: demoNames[role], Password: pw,
			Grants: []identity.Grant{{Role: r, Scope: identity.City}}}); err != nil {
			return fmt.Errorf("demo: set up the simulated %s %q: %w", role, login, err)
		}
		creds[role] = [2]string{login, pw}
	}
	// The live city does not sleep: no hour has fewer reports than an average one, and staff
	// accelerated beyond real time work round the clock.
	liveRates := rates
	liveRates.Floor = 1
	liveGen := sim.NewGenerator(world, liveRates, uint64(*df.seed))
	liveGen.DayShift = *df.speed <= 1
	go runDemoLive(ctx, liveGen, creds, base, *df.speed, recent, backfilled, log)
	return nil
}

// runBackfill writes the history; recent is closed once the last 30 days are written (their
// open cases are what the live staff work on first), done once all is.
func runBackfill(ctx context.Context, store domain.EventStore, g *sim.Generator, plan sim.Plan, recent, done chan<- struct{}, log *slog.Logger) {
	var once sync.Once
	defer close(done)
	defer once.Do(func() { close(recent) })
	// Like a projection catch-up, the backfill allocates for every event it makes; on two
	// cores the collector would otherwise take a good part of it. Memory is not the limit,
	// but the heap it grew to is handed back once the history is written.
	defer debug.FreeOSMemory()
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	log.Info("demo history: writing", "days", plan.Days, "scale", plan.Scale, "seed", plan.Seed, "anchor", plan.Anchor.Format(time.RFC3339))
	var p sim.Progress
	p.WindowDone = func(i int) {
		if i == 0 {
			log.Info("demo history: the last 30 days are written", "cases", p.Cases.Load(), "events", p.Events.Load())
		}
		once.Do(func() { close(recent) })
	}
	w, err := sim.Backfill(ctx, store, g, plan, 256, &p)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("demo history stopped; it resumes at the next start", "err", err, "cases", p.Cases.Load())
		}
		return
	}
	log.Info("demo history written", "cases", w.Cases, "events", w.Events, "open", w.Open,
		"seconds", fmt.Sprintf("%.1f", w.Seconds), "events_per_second", int(float64(w.Events)/w.Seconds))
}

// runDemoLive logs the simulated staff in and runs the live city until ctx ends.
func runDemoLive(ctx context.Context, g *sim.Generator, creds sim.Credentials, base string, speed float64, recent, backfilled <-chan struct{}, log *slog.Logger) {
	c := sim.NewClient(base, 16)
	if err := c.Login(ctx, creds); err != nil {
		log.Error("demo: the simulated staff cannot log in", "err", err)
		return
	}
	live := sim.NewLive(g, c, sim.LiveOptions{Speed: speed, Workers: 8, Backlog: true,
		KeyPrefix: fmt.Sprintf("demo-%d-", time.Now().Unix()), Interval: time.Minute,
		Report: func(s sim.Summary) {
			log.Info("demo city", "requests", s.Requests, "per_second", fmt.Sprintf("%.1f", s.Rate), "p99_ms", s.P99.Milliseconds())
		}},
		log)
	go func() {
		for _, written := range []<-chan struct{}{recent, backfilled} {
			select {
			case <-written:
				live.ScanBacklog()
			case <-ctx.Done():
				return
			}
		}
	}()
	live.Run(ctx)
}

func demoPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
