package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// Close while appends are in flight: every append either is acknowledged and then survives
// the reopen, or is refused as unavailable. None is lost, none hangs.
func TestCloseFinishesInFlightAppends(t *testing.T) {
	dir := t.TempDir() + "/data"
	s := openAt(t, dir)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				e := storetest.NewEvent("CaseReported", 300)
				_, err := s.Append(context.Background(), fmt.Sprintf("case-close-%d", w), domain.ExpectAny, []domain.EventData{e})
				if errors.Is(err, domain.ErrUnavailable) {
					return
				}
				if err != nil {
					t.Errorf("append: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, e.ID)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s = openAt(t, dir)
	defer s.Close()
	stored := map[string]bool{}
	for _, e := range storetest.ReadAllEvents(t, s) {
		stored[e.ID] = true
	}
	for _, id := range acked {
		if !stored[id] {
			t.Fatalf("acknowledged %s is missing after close and reopen", id)
		}
	}
	if len(acked) == 0 {
		t.Fatal("nothing was appended before close")
	}
	t.Logf("%d acknowledged before close, all present", len(acked))
}
