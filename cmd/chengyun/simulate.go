package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/chengyun/chengyun/cmd/chengyun/sim"
	"github.com/chengyun/chengyun/geo/cities"
)

// simulate drives a running server through its HTTP API: the demo city's citizens and staff,
// or, with --rate, a load test that reports the rate achieved and its latency percentiles.
// With --plan it prints the cases the seed gives instead, one JSON line each.
func simulate(args []string, out io.Writer) error {
	f := newFlags("simulate", "Simulates the city's citizens and staff against a running server (only through its HTTP API); with --rate it is a load test.")
	target := f.string("target", "http://localhost:8080", "the server to drive")
	login := f.string("login", "admin", "the user every simulated role acts as (it needs their permissions: an admin has them all)")
	password := f.string("password", "", "that user's password")
	rate := f.float("rate", 0, "load test: requests per second (0: the demo's pace, set by --speed)")
	speed := f.float("speed", 10, "demo pace: this many times the city's normal activity")
	duration := f.duration("duration", 0, "how long to run (0: until interrupted)")
	workers := f.int("workers", 0, "requests in flight at most (default 8, or 256 with --rate)")
	seed := f.int("seed", 1, "the seed every simulated case is drawn from")
	scale := f.float("scale", sim.DefaultRates.Scale, fmt.Sprintf("volume as a fraction of Wuhan's %d cases a day", sim.WuhanCasesPerDay))
	cityName := f.string("city", cities.Default, "the target's city: a shipped one ("+strings.Join(cities.Names(), ", ")+") or a city folder")
	plan := f.bool("plan", false, "print the cases the seed gives for --from and --hours as JSON lines, and send nothing")
	from := f.string("from", "", "with --plan: the first hour (RFC 3339; default the current hour)")
	hours := f.int("hours", 1, "with --plan: how many hours")
	every := f.duration("report-every", 5*time.Second, "how often to print progress (0: only the summary)")
	replay := f.string("replay", "", "replay a 311 export (NYC Open Data CSV) instead of drawing cases: a file, or a file of the city folder (--city nyc --replay 311_service_requests.csv)")
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case *rate < 0:
		return fmt.Errorf("--rate %v: must be 0 or more", *rate)
	case *speed <= 0:
		return fmt.Errorf("--speed %v: must be above 0", *speed)
	case *scale <= 0:
		return fmt.Errorf("--scale %v: must be above 0", *scale)
	case *hours < 1 || *hours > 24*400:
		return fmt.Errorf("--hours %d: want 1 to %d", *hours, 24*400)
	}
	cityFS, err := cities.Open(*cityName)
	if err != nil {
		return fmt.Errorf("--city: %w", err)
	}
	lc, err := loadCity(*cityName, cityFS)
	if err != nil {
		return err
	}
	rates := sim.Rates{Scale: *scale, YearAgo: sim.DefaultRates.YearAgo}
	if *plan {
		g := sim.NewGenerator(sim.NewWorld(lc.City, lc.model, lc.index), rates, uint64(*seed))
		return printPlan(out, g, *from, *hours)
	}
	if *password == "" {
		return errors.New("--password (or CHENGYUN_PASSWORD) is needed: the simulator logs in like any user")
	}
	rates.Floor = 1
	g := sim.NewGenerator(sim.NewWorld(lc.City, lc.model, lc.index), rates, uint64(*seed))
	g.DayShift = *rate == 0 && *speed <= 1
	if *workers <= 0 {
		*workers = 8
		if *rate > 0 {
			*workers = 256
		}
	}
	var replayed []sim.Arrival
	if *replay != "" {
		if *rate > 0 {
			return errors.New("--replay sends the file at its own pace (set by --speed), not at a --rate")
		}
		if replayed, err = readReplay(*replay, cityFS, g, out); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	c := sim.NewClient(*target, *workers)
	creds := sim.Credentials{}
	for _, r := range sim.Roles {
		creds[r] = [2]string{*login, *password}
	}
	if err := c.Login(ctx, creds); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	live := sim.NewLive(g, c, sim.LiveOptions{Speed: *speed, Rate: *rate, Workers: *workers, Backlog: *rate == 0 && *replay == "", Replay: replayed,
		KeyPrefix: fmt.Sprintf("sim-%d-", time.Now().UnixNano()), Interval: *every,
		Report: func(s sim.Summary) { fmt.Fprintln(out, s) }}, log)
	mode := fmt.Sprintf("demo pace ×%g", *speed)
	if *rate > 0 {
		mode = fmt.Sprintf("load test at %g requests/s", *rate)
	}
	if *replay != "" {
		mode = fmt.Sprintf("replay of %s ×%g", *replay, *speed)
	}
	fmt.Fprintf(out, "simulating %s against %s (%s, seed %d, %d in flight at most)\n", lc.model.Name, *target, mode, *seed, *workers)
	total := live.Run(ctx)
	printSummary(out, total)
	return nil
}

// readReplay reads a 311 export from the disk or, failing that, from the city folder.
func readReplay(name string, cityFS fs.FS, g *sim.Generator, out io.Writer) ([]sim.Arrival, error) {
	var r io.ReadCloser
	r, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		r, err = cityFS.Open(name)
	}
	if err != nil {
		return nil, fmt.Errorf("--replay: %w", err)
	}
	defer r.Close()
	reqs, err := sim.Read311(r, g.Location())
	if err != nil {
		return nil, fmt.Errorf("--replay %s: %w", name, err)
	}
	arrivals, skipped := g.Replay(reqs)
	fmt.Fprintf(out, "replaying %d of %d requests (%d without a point or of a complaint type the catalog lacks)\n", len(arrivals), len(reqs), skipped)
	return arrivals, nil
}

func printSummary(out io.Writer, s sim.Summary) {
	fmt.Fprintf(out, "total: %s\n", s)
	fmt.Fprintf(out, "answers: %d ok, %d refused by the domain (409), %d failed\n", s.OK, s.Refused, s.Failed)
	for _, k := range sortedKeys(s.Failures) {
		fmt.Fprintf(out, "  failed %s: %d\n", k, s.Failures[k])
	}
	var parts []string
	for _, k := range sortedKeys(s.Commands) {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.Commands[k]))
	}
	fmt.Fprintf(out, "commands: %s\n", strings.Join(parts, ", "))
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// printPlan writes the arrivals of hours hours from from, one JSON object a line: the same
// seed prints the same lines.
func printPlan(out io.Writer, g *sim.Generator, from string, hours int) error {
	start := time.Now().Truncate(time.Hour)
	if from != "" {
		t, err := time.Parse(time.RFC3339, from)
		if err != nil {
			return fmt.Errorf("--from %q: want an RFC 3339 instant like 2026-03-02T09:00:00+08:00", from)
		}
		start = t
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for h := range hours {
		for _, a := range g.Hour(start.Add(time.Duration(h)*time.Hour), 1) {
			steps := make([]planStep, len(a.Steps))
			for i, s := range a.Steps {
				steps[i] = planStep{After: s.After.String(), Command: s.Cmd.Name(), Body: s.Cmd}
			}
			if err := enc.Encode(planLine{Key: a.Key, At: a.At, CaseID: a.CaseID, Report: a.Report, Steps: steps}); err != nil {
				return err
			}
		}
	}
	return nil
}

type planLine struct {
	Key    string     `json:"key"`
	At     time.Time  `json:"at"`
	CaseID string     `json:"caseId"`
	Report any        `json:"report"`
	Steps  []planStep `json:"steps"`
}

type planStep struct {
	After   string `json:"after"`
	Command string `json:"command"`
	Body    any    `json:"body"`
}
