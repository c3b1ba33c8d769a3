package esdb

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// The contract suite needs a KurrentDB server: CHENGYUN_ESDB_URL, for example
// esdb://127.0.0.1:2113?tls=false. Each store opened by the harness gets its own random stream
// prefix, so runs never see each other's events on a shared server. Nothing is deleted
// afterwards: KurrentDB keeps the test streams (a throwaway server is best).
const skipMsg = "SKIPPED: KurrentDB contract tests need CHENGYUN_ESDB_URL (no KurrentDB server here)"

func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("CHENGYUN_ESDB_URL")
	if u == "" {
		t.Skip(skipMsg)
	}
	return u
}

func openPrefixed(t *testing.T, url, prefix string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, url, Options{StreamPrefix: prefix})
	if err != nil {
		t.Fatalf("open KurrentDB at CHENGYUN_ESDB_URL: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	url := serverURL(t)
	storetest.Run(t, storetest.Harness{
		GapFree:      false, // commit positions are byte offsets in the log
		HashChain:    false, // see the package comment
		PerStreamIDs: true,  // KurrentDB has no index by event id: an id reused in another stream is not refused
		Open: func(t *testing.T) (domain.EventStore, func(t *testing.T) domain.EventStore) {
			prefix := "chengyun-test-" + uuid.NewString()[:8] + "-"
			return openPrefixed(t, url, prefix), func(t *testing.T) domain.EventStore { return openPrefixed(t, url, prefix) }
		},
	})
}
