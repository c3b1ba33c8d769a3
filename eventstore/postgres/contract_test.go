package postgres

import (
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// TestContract runs the shared contract suite; each store gets a fresh schema of the shared
// server, dropped when its test ends, and reopening opens the same schema.
func TestContract(t *testing.T) {
	url := needServer(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) (domain.EventStore, func(t *testing.T) domain.EventStore) {
			schema := freshSchema(t, url)
			reopen := func(t *testing.T) domain.EventStore { return mustOpen(t, url, schema) }
			return mustOpen(t, url, schema), reopen
		},
		GapFree:   true,
		HashChain: true,
	})
}
