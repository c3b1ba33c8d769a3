package embedded

import (
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/chengyun/chengyun/eventstore/storetest"
)

func benchStore(b *testing.B) *Store {
	s, err := Open(b.TempDir()+"/data", Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func BenchmarkFsync(b *testing.B) { storetest.BenchFsync(b, b.TempDir()) }

func BenchmarkAppendBatch100(b *testing.B) { storetest.BenchAppendBatch(b, benchStore(b), 100) }

func BenchmarkAppendConcurrent16(b *testing.B) { storetest.BenchAppendConcurrent(b, benchStore(b), 16) }

func BenchmarkAppendConcurrent256(b *testing.B) {
	storetest.BenchAppendConcurrent(b, benchStore(b), 256)
}

// readDir holds 200,000 preloaded events, written once per run and closed (flushed to tables)
// so every round of BenchmarkReadAll reads the same settled files.
var readDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "chengyun-readall")
	if err != nil {
		return "", err
	}
	s, err := Open(dir, Options{})
	if err != nil {
		return "", err
	}
	storetest.Preload(nil, s, 200_000)
	return dir, s.Close()
})

func BenchmarkReadAll(b *testing.B) {
	dir, err := readDir()
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchReadAll(b, s)
}

func BenchmarkDeliveryLatency(b *testing.B) { storetest.BenchDelivery(b, benchStore(b), 16) }

// The ceilings: bare Pebble on the same disk, two keys per event like the store, no
// validation, hashing or index. They show how far the store is from its engine.
func BenchmarkPebbleCeilingBatch100(b *testing.B) { pebbleCeiling(b, 1, 100) }

func BenchmarkPebbleCeilingConcurrent16(b *testing.B) { pebbleCeiling(b, 16, 1) }

func pebbleCeiling(b *testing.B, writers, batch int) {
	db, err := pebble.Open(b.TempDir(), &pebble.Options{MemTableSize: 64 << 20, Logger: quietLogger{slog.New(slog.DiscardHandler)}})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	val := make([]byte, 600)
	var pos atomic.Uint64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				first := pos.Add(uint64(batch)) - uint64(batch) + 1
				if first > uint64(b.N) {
					return
				}
				bt := db.NewBatch()
				for p := first; p < first+uint64(batch); p++ {
					_ = bt.Set(eventKey(p), val, nil)
					_ = bt.Set(idKey([16]byte{byte(p >> 40), byte(p >> 32), byte(p >> 24), byte(p >> 16), byte(p >> 8), byte(p)}), val[:40], nil)
				}
				if err := bt.Commit(pebble.Sync); err != nil {
					b.Error(err)
				}
				_ = bt.Close()
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
