package embedded

import (
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

func BenchmarkReadAll(b *testing.B) {
	s := benchStore(b)
	storetest.Preload(b, s, 200_000)
	storetest.BenchReadAll(b, s)
}

func BenchmarkDeliveryLatency(b *testing.B) { storetest.BenchDelivery(b, benchStore(b), 16) }
