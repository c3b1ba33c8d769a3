package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// The benchmark bodies are shared by every adapter so their figures compare like for like.
// Events are about 500 bytes of JSON; every append is durable before it returns.

// BenchAppendBatch appends batches of size events from one writer.
func BenchAppendBatch(b *testing.B, s domain.EventStore, size int) {
	batches := make([][]domain.EventData, 0, b.N/size+1)
	for n := 0; n < b.N; n += size {
		batch := make([]domain.EventData, size)
		for i := range batch {
			batch[i] = NewEvent("CaseReported", 500)
		}
		batches = append(batches, batch)
	}
	b.ResetTimer()
	start := time.Now()
	for i, batch := range batches {
		if _, err := s.Append(context.Background(), fmt.Sprintf("case-bench-%d", i), domain.ExpectNoStream, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batches)*size)/time.Since(start).Seconds(), "events/s")
}

// BenchAppendConcurrent runs writers goroutines, each appending single events to its own stream.
func BenchAppendConcurrent(b *testing.B, s domain.EventStore, writers int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	prefix := fmt.Sprintf("case-c%d-%d", writers, time.Now().UnixNano())
	evs := make([]domain.EventData, b.N)
	for i := range evs {
		evs[i] = NewEvent("CaseReported", 500)
	}
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("%s-%d", prefix, w)
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if _, err := s.Append(context.Background(), stream, domain.ExpectAny, evs[i-1:i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// Preload appends n events in batches of 1000 unless the store already holds at least n. It
// panics on failure (it may run outside any one benchmark, where b is nil).
func Preload(b *testing.B, s domain.EventStore, n int) {
	st, err := s.Stats(context.Background())
	if err != nil {
		panic(err)
	}
	for have := int(st.Events); have < n; have += 1000 {
		batch := make([]domain.EventData, 1000)
		for i := range batch {
			batch[i] = NewEvent("CaseReported", 500)
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("case-preload-%d", have), domain.ExpectAny, batch); err != nil {
			panic(err)
		}
	}
}

// BenchReadAll reads the log from the start in pages of 1000, b.N events in all (wrapping).
func BenchReadAll(b *testing.B, s domain.EventStore) {
	b.ResetTimer()
	start := time.Now()
	var after uint64
	for read := 0; read < b.N; {
		page, err := s.ReadAll(context.Background(), after, 1000)
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			after = 0
			continue
		}
		read += len(page)
		after = page[len(page)-1].Position
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchDelivery measures the time from an append call to the subscriber receiving the event,
// with writers concurrent writers at whatever pace the store takes, and reports p50 and p99.
func BenchDelivery(b *testing.B, s domain.EventStore, writers int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, _ := s.Stats(ctx)
	sub, err := s.Subscribe(ctx, st.LastPosition)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	var sent sync.Map
	lat := make([]time.Duration, 0, b.N)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(lat) < b.N {
			e, ok := <-sub.Events()
			if !ok {
				return
			}
			if t0, ok := sent.Load(e.ID); ok {
				lat = append(lat, time.Since(t0.(time.Time)))
			}
		}
	}()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				e := NewEvent("CaseReported", 500)
				sent.Store(e.ID, time.Now())
				if _, err := s.Append(ctx, fmt.Sprintf("case-lat-%d", w), domain.ExpectAny, []domain.EventData{e}); err != nil {
					b.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // a steady stream, not a flood
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatalf("subscriber received %d of %d", len(lat), b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}

// BenchFsync measures the disk's own fsync latency in dir: 4 KiB written and synced per op.
func BenchFsync(b *testing.B, dir string) {
	f, err := os.Create(filepath.Join(dir, "fsync-probe"))
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := f.WriteAt(buf, int64(i%256)*4096); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(ms(time.Since(start)/time.Duration(b.N)), "fsync-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
