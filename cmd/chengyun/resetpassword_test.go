package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/eventstore/embedded"
)

func TestResetPasswordLetsTheAdminBackIn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	withService := func(fn func(*access.Service)) {
		store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		d := access.NewDirectory()
		if err := d.CatchUp(context.Background(), store); err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		go d.Follow(ctx, store, nil)
		fn(access.NewService(store, d, time.Now, access.Options{}))
	}
	withService(func(svc *access.Service) {
		if _, _, err := svc.EnsureAdmin(context.Background(), "admin", "a forgotten password"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ { // and locked out, too
			_, _ = svc.PasswordLogin(context.Background(), "admin", "wrong guess number")
		}
	})
	var out bytes.Buffer
	if err := resetPassword([]string{"--store", dir, "--login", "admin"}, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`one-time password (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no password printed: %s", out.String())
	}
	withService(func(svc *access.Service) {
		l, err := svc.PasswordLogin(context.Background(), "admin", m[1])
		if err != nil || !l.Principal.MustChangePassword {
			t.Fatalf("login with the new one-time password: %+v %v", l.Principal, err)
		}
	})
	if err := resetPassword([]string{"--store", dir, "--login", "nobody"}, &out); err == nil {
		t.Fatal("reset of an unknown login succeeded")
	}
}
