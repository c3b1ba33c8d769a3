package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// accessFlags configure the app hub's identity and access.
type accessFlags struct {
	adminLogin    *string
	adminPassword *string
	publicScreen  *bool
	secureCookies *bool
	sessionTTL    *time.Duration
	oidc          oidcFlags
}

func addAccessFlags(f flags) accessFlags {
	return accessFlags{
		adminLogin:    f.string("admin-login", "admin", "login of the first admin, created at first start when the log holds no admin"),
		adminPassword: f.string("admin-password", "", "password of the first admin; empty prints a one-time password once at first start"),
		publicScreen:  f.bool("public-screen", false, "let the big screen and status page read without login (read-only, personal data masked)"),
		secureCookies: f.bool("secure-cookies", false, "mark session cookies Secure on plain HTTP (the server sits behind a TLS proxy)"),
		sessionTTL:    f.duration("session-ttl", 12*time.Hour, "how long a login lasts"),
		oidc:          addOIDCFlags(f),
	}
}

// startAccess folds the identity events of the log, follows it, and creates the first admin.
func startAccess(ctx context.Context, store domain.EventStore, af accessFlags, clock func() time.Time, log *slog.Logger) (*access.Service, error) {
	dir := access.NewDirectory()
	if err := dir.CatchUp(ctx, store); err != nil {
		return nil, fmt.Errorf("read users from the log: %w", err)
	}
	go dir.Follow(ctx, store, func(err error) { log.Warn("identity directory lost the log; resuming", "err", err) })
	svc := access.NewService(store, dir, clock, access.Options{SessionTTL: *af.sessionTTL})
	oneTime, created, err := svc.EnsureAdmin(ctx, *af.adminLogin, *af.adminPassword)
	if err != nil {
		return nil, fmt.Errorf("create the first admin %q: %w", *af.adminLogin, err)
	}
	if created {
		log.Info("first admin created", "login", *af.adminLogin, "role", identity.RoleAdmin)
	}
	if oneTime != "" {
		// Printed once, to the terminal, never to the log: it must be changed at first login.
		fmt.Fprintf(os.Stderr, "\n  First admin: login %q, one-time password %s\n  (change it at first login; set --admin-password or CHENGYUN_ADMIN_PASSWORD to choose it)\n\n", *af.adminLogin, oneTime)
	}
	return svc, nil
}
