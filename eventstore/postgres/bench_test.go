package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/chengyun/chengyun/eventstore/storetest"
)

// The append benchmarks share their bodies with the embedded store's (storetest), so the two
// stores' figures compare like for like.
func BenchmarkAppendBatch100(b *testing.B) {
	s, _, _ := openStore(b)
	storetest.BenchAppendBatch(b, s, 100)
}

func BenchmarkAppendConcurrent16(b *testing.B) {
	s, _, _ := openStore(b)
	storetest.BenchAppendConcurrent(b, s, 16)
}

// BenchmarkReadAll pre-loads the log once, then each iteration reads all of it back in pages
// of 1,000, as a projection rebuild or a catch-up subscription would.
func BenchmarkReadAll(b *testing.B) {
	const total = 200_000
	s, _, _ := openStore(b)
	ctx := context.Background()
	storetest.Preload(b, s, total)
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

// BenchmarkDeliveryP99 measures append→subscriber latency with 16 steady writers, the same
// body the embedded store runs.
func BenchmarkDeliveryP99(b *testing.B) {
	s, _, _ := openStore(b)
	storetest.BenchDelivery(b, s, 16)
}
