package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/domain"
)

const testAdminPassword = "correct horse battery"

// useAccess turns on authentication with a first admin whose password is testAdminPassword.
func useAccess(t testing.TB, store domain.EventStore, srv *dashboard.Server, clock func() time.Time, o dashboard.AuthOptions) *access.Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := access.NewDirectory()
	if err := dir.CatchUp(ctx, store); err != nil {
		t.Fatal(err)
	}
	go dir.Follow(ctx, store, nil)
	svc := access.NewService(store, dir, clock, access.Options{})
	if _, _, err := svc.EnsureAdmin(ctx, "admin", testAdminPassword); err != nil {
		t.Fatal(err)
	}
	srv.UseAccess(svc, o)
	return svc
}

// loginAs logs in over HTTP and returns the session token.
func loginAs(t testing.TB, base, login, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l dashboard.LoginReply
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil || resp.StatusCode != 200 || l.Token == "" {
		t.Fatalf("login %s: %d %v", login, resp.StatusCode, err)
	}
	return l.Token
}
