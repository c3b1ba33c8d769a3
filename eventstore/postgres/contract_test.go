package postgres

import (
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) (domain.EventStore, func(t *testing.T) domain.EventStore) {
			url := needServer(t)
			schema := freshSchema(t, url)
			reopen := func(t *testing.T) domain.EventStore { return mustOpen(t, url, schema) }
			return mustOpen(t, url, schema), reopen
		},
		GapFree:   true,
		HashChain: true,
	})
}
