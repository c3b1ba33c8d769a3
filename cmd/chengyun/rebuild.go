package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/projections"
)

// durableProjections are the read models a rebuild knows, by name: the ones serve keeps in
// the sink. In-memory projections (the indicators) replay at every start and need none.
func durableProjections() map[string]func() projections.Projection {
	return map[string]func() projections.Projection{
		projections.CaseListName: func() projections.Projection { return projections.NewCaseList(nil) },
	}
}

// rebuild drops the named durable projections (all when none is named) and replays them from
// the log to the head the log had when it started, printing progress and events/s. With
// --resume it drops nothing and carries on from each projection's checkpoint (an interrupted
// rebuild). The server must be stopped: it holds an embedded store's files, and two writers of
// one projection would refuse each other's batches.
func rebuild(args []string, out io.Writer) error {
	f := newFlags("rebuild", "Drops read models and replays them from the event log (stop the server first).\n\nUsage: chengyun rebuild [flags] [projection ...]   (projections: "+strings.Join(knownProjections(), ", ")+")")
	sf := addStoreFlags(f)
	pf := addProjectionFlags(f)
	resume := f.bool("resume", false, "carry on from the projections' checkpoints instead of dropping them")
	every := f.duration("progress", time.Second, "how often to print progress")
	batch := f.int("batch", 1000, "events per committed batch")
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *batch < 1 || *batch > 100_000 {
		return fmt.Errorf("--batch %d: want 1 to 100000", *batch)
	}
	names, err := projectionNames(f.Args())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := openStore(ctx, sf, log, true) // a typo must not rebuild from an empty store
	if err != nil {
		return fmt.Errorf("open store %s (is the server running? stop it first): %w", redact(*sf.url), err)
	}
	defer store.Close()
	sink, where, err := openSink(ctx, sf, pf, log)
	if err != nil {
		return err
	}
	if sink == nil {
		return errors.New("a KurrentDB store keeps its read models in memory: give --projections to keep them on disk")
	}
	defer sink.Close()
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	r := projections.NewRunner(store, projections.Options{Log: log, PageSize: *batch, BatchSize: *batch, MaxCommit: *batch})
	known := durableProjections()
	for _, n := range names {
		from, err := sink.Checkpoint(ctx, n)
		if err != nil {
			return err
		}
		if *resume {
			fmt.Fprintf(out, "%s: resuming from position %d of %d\n", n, from, st.LastPosition)
		} else {
			if err := sink.Drop(ctx, n); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: dropped at position %d; replaying %d events into %s\n", n, from, st.LastPosition, where)
		}
		if err := r.Add(known[n](), sink); err != nil {
			return err
		}
	}
	return replay(ctx, r, names, st.LastPosition, *every, out)
}

// replay runs r until every projection has reached head, printing progress every interval.
func replay(ctx context.Context, r *projections.Runner, names []string, head uint64, every time.Duration, out io.Writer) error {
	rctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); r.Wait() }()
	start := time.Now()
	if err := r.Start(rctx); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		for _, n := range names {
			if err := r.WaitFor(rctx, n, head); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			elapsed := time.Since(start)
			for _, s := range r.Status() {
				fmt.Fprintf(out, "%s: %s at position %d, %d events in %s (%.0f events/s)\n", s.Name, doneWord(err), s.Position, s.Applied,
					elapsed.Round(time.Millisecond), float64(s.Applied)/max(elapsed.Seconds(), 1e-9))
			}
			if err != nil && ctx.Err() != nil {
				return errors.New("interrupted: run rebuild --resume to carry on")
			}
			return err
		case <-tick.C:
			elapsed := time.Since(start).Seconds()
			for _, s := range r.Status() {
				fmt.Fprintf(out, "%s: %d of %d events, %.0f events/s\n", s.Name, s.Position, head, float64(s.Applied)/max(elapsed, 1e-9))
			}
		}
	}
}

func doneWord(err error) string {
	if err != nil {
		return "stopped"
	}
	return "rebuilt"
}

func knownProjections() []string {
	var names []string
	for n := range durableProjections() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// projectionNames checks the named projections (all when none). Errors: invalid naming an
// unknown one.
func projectionNames(args []string) ([]string, error) {
	if len(args) == 0 {
		return knownProjections(), nil
	}
	known := durableProjections()
	var out []string
	for _, a := range args {
		if known[a] == nil {
			return nil, domain.Invalid("projection", "%q is not a projection (one of %s)", a, strings.Join(knownProjections(), ", "))
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}
