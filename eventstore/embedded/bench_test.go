package embedded

import (
	"os"
	"sync"
	"testing"

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
