package commands_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain/cases"
)

// loop is one case's life as the benchmarks drive it: eight commands from report to close.
func loop(cat string) []cases.Command {
	return []cases.Command{
		cases.Report{Source: cases.SourcePatrol, Category: cat, Title: "井盖破损", Location: cases.Location{Address: "武昌区中北路 1 号", District: "420106"}},
		cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{},
		cases.Handle{Feedback: "已更换"}, cases.Inspect{Pass: true}, cases.Close{},
	}
}

// BenchmarkExecute measures in-process load→decide→append on the embedded store with 64
// workers, each walking its own cases through the loop (every append is durable).
func BenchmarkExecute(b *testing.B) {
	r := newRig(b)
	steps := loop(category(b, r.city))
	const workers = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var id string
			for i := 0; next.Add(1) <= int64(b.N); i = (i + 1) % len(steps) {
				if i == 0 {
					id = commands.NewCaseID(commands.Meta{})
				}
				if _, err := r.h.Execute(context.Background(), id, steps[i], operator); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commands/s")
}
