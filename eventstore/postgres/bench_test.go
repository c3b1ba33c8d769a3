package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// benchEvents returns n events of about 500 bytes of JSON, each with a fresh id.
func benchEvents(tmpl domain.EventData, n int) []domain.EventData {
	out := make([]domain.EventData, n)
	for i := range out {
		out[i] = tmpl
		out[i].ID = uuid.NewString()
	}
	return out
}

func BenchmarkAppendBatch100(b *testing.B) {
	s, _, _ := openStore(b)
	ctx := context.Background()
	tmpl := storetest.NewEvent("CaseReported", 500)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, "case-bench", domain.ExpectAny, benchEvents(tmpl, 100)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/time.Since(start).Seconds(), "events/s")
}

func BenchmarkAppendConcurrent16(b *testing.B) {
	const writers = 16
	s, _, _ := openStore(b)
	ctx := context.Background()
	tmpl := storetest.NewEvent("CaseReported", 500)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("case-bench-%d", w)
			for next.Add(1) <= int64(b.N) {
				if _, err := s.Append(ctx, stream, domain.ExpectAny, benchEvents(tmpl, 1)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// BenchmarkReadAll pre-loads the log once, then each iteration reads all of it back in pages
// of 1,000, as a projection rebuild or a catch-up subscription would.
func BenchmarkReadAll(b *testing.B) {
	const total = 200_000
	s, _, _ := openStore(b)
	ctx := context.Background()
	tmpl := storetest.NewEvent("CaseReported", 500)
	for i := 0; i < total; i += 1000 {
		if _, err := s.Append(ctx, fmt.Sprintf("case-read-%d", i%7), domain.ExpectAny, benchEvents(tmpl, 1000)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("200k", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			var after uint64
			n := 0
			for {
				page, err := s.ReadAll(ctx, after, 1000)
				if err != nil {
					b.Fatal(err)
				}
				n += len(page)
				if len(page) < 1000 {
					break
				}
				after = page[len(page)-1].Position
			}
			if n != total {
				b.Fatalf("read %d events, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/time.Since(start).Seconds(), "events/s")
	})
}

// BenchmarkDeliveryP99 appends single events at about 500 a second with a subscriber attached
// and reports the latency from the start of Append to delivery by the subscription.
func BenchmarkDeliveryP99(b *testing.B) {
	s, _, _ := openStore(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := s.Subscribe(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	tmpl := storetest.NewEvent("CaseReported", 500)
	sent := make([]time.Time, b.N)
	lat := make([]time.Duration, 0, b.N)
	got := make(chan struct{})
	go func() {
		defer close(got)
		for e := range sub.Events() {
			lat = append(lat, time.Since(sent[e.Position-1]))
			if len(lat) == b.N {
				return
			}
		}
	}()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		<-tick.C
		sent[i] = time.Now()
		if _, err := s.Append(ctx, "case-latency", domain.ExpectAny, benchEvents(tmpl, 1)); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		b.Fatalf("subscriber got %d of %d events", len(lat), b.N)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
