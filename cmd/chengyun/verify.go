package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/chengyun/chengyun/domain"
)

// verify walks the log and prints OK with the count, or the first broken position. Exit code
// 0 when the chain is intact, 1 when it is broken; errors (store unreachable) exit 2.
func verify(args []string, out io.Writer) (int, error) {
	f := newFlags("verify", "Walks the whole event log in global order and checks its hash chain.")
	sf := addStoreFlags(f)
	asJSON := f.Bool("json", false, "print the report as JSON")
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, nil
		}
		return 2, err
	}
	ctx := context.Background()
	store, err := openStore(ctx, sf, slog.New(slog.DiscardHandler), true)
	if err != nil {
		return 2, fmt.Errorf("open store %s: %w", redact(*sf.url), err)
	}
	defer store.Close()
	rep, err := domain.VerifyChain(ctx, store)
	if err != nil {
		return 2, err
	}
	if *asJSON {
		_ = json.NewEncoder(out).Encode(rep)
	} else {
		fmt.Fprintln(out, rep)
	}
	if !rep.OK {
		return 1, nil
	}
	return 0, nil
}
