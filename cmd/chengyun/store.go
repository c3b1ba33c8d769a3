package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/eventstore/esdb"
	"github.com/chengyun/chengyun/eventstore/postgres"
)

// openStore chooses the adapter from the store URL: this is the one place adapters are picked.
// mustExist refuses to create an embedded store where none is (for verify).
func openStore(ctx context.Context, f storeFlags, log *slog.Logger, mustExist bool) (domain.EventStore, error) {
	url := *f.url
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url, postgres.Options{Schema: *f.pgSchema, Logger: log})
	case strings.HasPrefix(url, "esdb://"), strings.HasPrefix(url, "esdb+discover://"),
		strings.HasPrefix(url, "kurrentdb://"), strings.HasPrefix(url, "kurrentdb+discover://"):
		return esdb.Open(ctx, url, esdb.Options{Logger: log})
	}
	return embedded.Open(strings.TrimPrefix(url, "embedded://"), embedded.Options{Logger: log, MustExist: mustExist})
}

// storeKind names the adapter a URL selects, for logs.
func storeKind(url string) string {
	switch {
	case strings.HasPrefix(url, "postgres"):
		return "postgres"
	case strings.HasPrefix(url, "esdb"), strings.HasPrefix(url, "kurrentdb"):
		return "esdb"
	}
	return "embedded"
}

// redact hides a password in a store URL before it is logged.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	creds := url[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return url[:scheme+3] + user + ":***" + url[at:]
	}
	return url
}
