package indicators

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
)

// BenchmarkLiveLatency measures event → indicator: from the moment the embedded store
// acknowledges an appended report to the moment the engine, following the store's live
// subscription, has folded it (its city "reported" today value includes it). p99 in ms.
func BenchmarkLiveLatency(b *testing.B) {
	store, err := embedded.Open(b.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	e := newEngine(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := store.Subscribe(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	applied := map[uint64]time.Time{}
	go func() {
		for ev := range sub.Events() {
			if err := e.Apply(ev, nil); err != nil {
				panic(err)
			}
			mu.Lock()
			applied[ev.Position] = time.Now()
			mu.Unlock()
		}
	}()
	acked := make([]time.Time, 0, b.N)
	positions := make([]uint64, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := uuid.NewString()
		p := cases.Reported{CaseID: id, Source: "hotline", Category: "E0101", Urgency: "normal", Title: "噪音",
			Location: cases.Location{District: "420106"}, VerifyDue: cases.Deadline{Stage: "verify", Due: time.Now().Add(time.Hour)}}
		data, _ := json.Marshal(p)
		res, err := store.Append(ctx, cases.StreamID(id), domain.ExpectedVersion(0), []domain.EventData{{ID: uuid.NewString(),
			Type: cases.TypeReported, SchemaVersion: 1, OccurredAt: time.Now(), Data: data}})
		if err != nil {
			b.Fatal(err)
		}
		acked, positions = append(acked, time.Now()), append(positions, res.LastPosition)
		if i%10 == 9 {
			time.Sleep(2 * time.Millisecond) // a live rate, not a bulk load: about 400 reports/s
		}
	}
	last := positions[len(positions)-1]
	for deadline := time.Now().Add(10 * time.Second); e.Position() < last; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the engine did not catch up")
		}
	}
	b.StopTimer()
	mu.Lock()
	lat := make([]time.Duration, len(positions))
	for i, pos := range positions {
		lat[i] = max(0, applied[pos].Sub(acked[i]))
	}
	mu.Unlock()
	slices.Sort(lat)
	vs, _ := e.Evaluate(Scope{Dim: "city"}, time.Now(), []string{"reported"})
	if got := *vs[0].Windows["today"].Value; got < float64(b.N) {
		b.Fatalf("reported today %v after %d reports", got, b.N)
	}
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
}
