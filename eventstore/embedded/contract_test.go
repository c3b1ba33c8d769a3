package embedded

import (
	"path/filepath"
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func openAt(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		GapFree:   true,
		HashChain: true,
		Open: func(t *testing.T) (domain.EventStore, func(t *testing.T) domain.EventStore) {
			dir := filepath.Join(t.TempDir(), "data")
			return openAt(t, dir), func(t *testing.T) domain.EventStore { return openAt(t, dir) }
		},
	})
}
