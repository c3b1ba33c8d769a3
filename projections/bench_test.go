package projections_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/projections"
)

// benchEvents is the size of the log BenchmarkCatchUp replays (CHENGYUN_BENCH_EVENTS).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("CHENGYUN_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// fillRealistic writes about n events of real case histories into store: a few hundred cases
// are run through the command handler, and their event streams are copied under new case ids
// until the log holds n events. Copies are appended step by step across many cases at once,
// as a city's log interleaves them, so a batch of the replay touches many cases.
func fillRealistic(b *testing.B, store domain.EventStore, n int) int {
	b.Helper()
	tmpl := newWorld(b)
	var streams [][]domain.RecordedEvent
	paths := benchPaths()
	for i := range 400 {
		id := tmpl.report(i%len(tmpl.city.places), cases.Report{Title: fmt.Sprintf("模板案件 %d", i), Description: "道路两侧堆放建筑垃圾，影响通行"})
		tmpl.run(id, paths[i%len(paths)]...)
		evs, err := tmpl.store.ReadStream(context.Background(), cases.StreamID(id), 1, 100)
		if err != nil {
			b.Fatal(err)
		}
		streams = append(streams, evs)
	}
	written := 0
	for round := 0; written < n; round++ {
		group := make([]string, len(streams))
		for i := range group {
			group[i] = uuid.Must(uuid.NewV7()).String()
		}
		for step := 0; written < n; step++ {
			var wg sync.WaitGroup
			sem := make(chan struct{}, 64)
			any := false
			for i, evs := range streams {
				if step >= len(evs) || written >= n {
					continue
				}
				any = true
				written++
				e := evs[step].EventData
				e.ID = uuid.Must(uuid.NewV7()).String()
				// Each round a day later, so reports arrive in time order as in a city's log.
				e.OccurredAt = e.OccurredAt.Add(time.Duration(round) * 24 * time.Hour)
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					if _, err := store.Append(context.Background(), cases.StreamID(group[i]), domain.ExpectedVersion(step), []domain.EventData{e}); err != nil {
						panic(err)
					}
				}()
			}
			wg.Wait()
			if !any {
				break
			}
		}
	}
	return written
}

func benchPaths() [][]cases.Command {
	return [][]cases.Command{
		toClose, toHandle, {verify},
		{verify, register, dispatch, cases.Return{Reason: "非本单位"}, dispatch, accept, cases.Supervise{Note: "请加快"}, handle, inspect, closeIt},
		{verify, register, dispatch, accept, cases.RequestExtension{Extra: "1d", Reason: "材料"}, cases.GrantExtension{}, handle,
			cases.Inspect{Pass: false, Note: "未完成"}, handle, inspect, closeIt, cases.Revisit{Reached: true, Satisfaction: cases.Satisfied, Solved: true}},
	}
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var benchStore struct {
	once   sync.Once
	dir    string
	events int
}

// BenchmarkCatchUp replays a log of realistic case events (CHENGYUN_BENCH_EVENTS, default
// 200,000) from the embedded store through the runner: the case list durable in a Pebble
// sink (what serve runs), the case list in memory, and a projection that does nothing (the
// runner's own ceiling: reading and decoding once).
func BenchmarkCatchUp(b *testing.B) {
	benchStore.once.Do(func() {
		dir, err := os.MkdirTemp("", "chengyun-catchup-bench")
		if err != nil {
			b.Fatal(err)
		}
		s, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		benchStore.dir, benchStore.events = dir, fillRealistic(b, s, benchEvents())
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	})
	store, err := embedded.Open(benchStore.dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	st, _ := store.Stats(context.Background())
	for _, mode := range []string{"cases-pebble", "cases-memory", "runner-only"} {
		b.Run(mode, func(b *testing.B) {
			var total, cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				var p projections.Projection = projections.NewCaseList(nil)
				var sink projections.Sink
				switch mode {
				case "cases-pebble":
					ps := openPebble(b, b.TempDir())
					defer ps.Close()
					sink = ps
				case "runner-only":
					p = &counter{name: "noop"}
				}
				r := projections.NewRunner(store, projections.Options{PageSize: benchBatch(), BatchSize: benchBatch()})
				if err := r.Add(p, sink); err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime()
				if err := r.Start(ctx); err != nil {
					b.Fatal(err)
				}
				if err := r.WaitFor(ctx, p.Name(), st.LastPosition); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				cpu += cpuTime() - cpu0
				b.StopTimer()
				cancel()
				r.Wait()
				b.StartTimer()
			}
			b.ReportMetric(float64(st.LastPosition)*float64(b.N)/total.Seconds(), "events/s")
			// CPU time per event says what the replay costs when other processes share the
			// machine and the wall clock figure wanders.
			b.ReportMetric(cpu.Seconds()*1e6/float64(st.LastPosition)/float64(b.N), "cpu-µs/event")
		})
	}
}

func benchBatch() int {
	if n, err := strconv.Atoi(os.Getenv("CHENGYUN_BENCH_BATCH")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// TestMain removes the log BenchmarkCatchUp filled once for all its runs.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore.dir != "" {
		_ = os.RemoveAll(benchStore.dir)
	}
	os.Exit(code)
}
