package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/chengyun/chengyun/commands/access"
)

// resetPassword gives a user a new one-time password, for an admin locked out of their own
// city. It opens the store directly, so an embedded store's server must be stopped first.
func resetPassword(args []string, out io.Writer) error {
	f := newFlags("reset-password", "Gives a user a new one-time password (printed once), enables and unlocks them, and ends their sessions.")
	sf := addStoreFlags(f)
	login := f.string("login", "admin", "the user's login")
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ctx := context.Background()
	store, err := openStore(ctx, sf, slog.New(slog.DiscardHandler), true) // a typo must not make an empty store
	if err != nil {
		return fmt.Errorf("open store %s: %w", redact(*sf.url), err)
	}
	defer store.Close()
	dir := access.NewDirectory()
	if err := dir.CatchUp(ctx, store); err != nil {
		return err
	}
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	go dir.Follow(fctx, store, nil)
	pw, err := access.NewService(store, dir, time.Now, access.Options{}).Recover(ctx, *login)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "User %q: one-time password %s (change it at the next login)\n", *login, pw)
	return nil
}
