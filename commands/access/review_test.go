package access

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/eventstore/embedded"
)

func newStoreService(t *testing.T) (*Service, domain.EventStore, identity.Principal) {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	svc := newTestService(t, store)
	if _, _, err := svc.EnsureAdmin(context.Background(), "admin", "admin password here"); err != nil {
		t.Fatal(err)
	}
	return svc, store, svc.Directory().UserByLogin("admin").Principal()
}

func (s *Service) mustUser(t *testing.T, by identity.Principal, login string, g identity.Grant) {
	t.Helper()
	if _, err := s.CreateUser(context.Background(), by, NewUser{Login: login, Name: login, Password: "password of " + login, Grants: []identity.Grant{g}}); err != nil {
		t.Fatal(err)
	}
}

// Guesses in flight when the lock is written must not get in: the lock is checked again after
// the hash, on the stream as it is then.
func TestLockCheckedAgainAfterTheHash(t *testing.T) {
	svc, _, admin := newStoreService(t)
	svc.mustUser(t, admin, "wang", identity.Grant{Role: identity.RoleLeader, Scope: identity.City})
	for range cap(svc.hashing) {
		svc.hashing <- struct{}{} // every hashing slot busy: the right guess waits after its first check
	}
	done := make(chan error)
	go func() {
		_, err := svc.PasswordLogin(context.Background(), "wang", "password of wang")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	id := UserID("wang")
	if err := svc.changeUser(context.Background(), id, "test", func(*identity.User) ([]identity.Payload, error) {
		return []identity.Payload{identity.LockedOut{Until: time.Now().Add(time.Hour)}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	for range cap(svc.hashing) {
		<-svc.hashing
	}
	if err := <-done; domain.CodeOf(err) != domain.CodeUnauthorized || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a right guess in flight when the lock landed: %v", err)
	}
}

// A user's stream is read whole, however long: decisions see its latest password and state.
func TestLongUserStreams(t *testing.T) {
	svc, _, admin := newStoreService(t)
	svc.mustUser(t, admin, "li", identity.Grant{Role: identity.RoleLeader, Scope: identity.City})
	for i := 0; i < 11; i++ {
		ps := make([]identity.Payload, 100)
		for j := range ps {
			ps[j] = identity.FailuresCleared{}
		}
		u, _ := svc.loadUser(context.Background(), UserID("li"))
		if err := svc.append(context.Background(), identity.UserStreamPrefix+UserID("li"), u.Version, "test", ps...); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.SetEnabled(context.Background(), admin, UserID("li"), false, "left"); err != nil {
		t.Fatalf("disabling a user with 1,100 events: %v", err)
	}
	if _, err := svc.PasswordLogin(context.Background(), "li", "password of li"); domain.CodeOf(err) != domain.CodeUnauthorized {
		t.Fatalf("a disabled user with a long stream logged in: %v", err)
	}
}

// Only a city-wide admin manages users and keys, and the admin role is city-wide only.
func TestAdminIsCityWide(t *testing.T) {
	svc, _, admin := newStoreService(t)
	err := svc.mustCreate(admin, "dadmin", identity.Grant{Role: identity.RoleAdmin, Scope: identity.Scope{Kind: identity.ScopeDistrict, Code: "420106"}})
	if domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("a district admin: %v", err)
	}
	scoped := identity.Principal{Kind: identity.KindUser, ID: "x", Login: "x", Grants: []identity.Grant{{Role: identity.RoleAdmin, Scope: identity.Scope{Kind: identity.ScopeDistrict, Code: "420106"}}}}
	if err := svc.mustCreate(scoped, "escalated", identity.Grant{Role: identity.RoleAdmin, Scope: identity.City}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("a scoped admin principal made a city admin: %v", err)
	}
	if _, err := svc.IssueKey(context.Background(), scoped, identity.KeyIssued{Name: "k"}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("a scoped admin principal issued a key: %v", err)
	}
}

func (s *Service) mustCreate(by identity.Principal, login string, g identity.Grant) error {
	_, err := s.CreateUser(context.Background(), by, NewUser{Login: login, Name: login, Password: "password of " + login, Grants: []identity.Grant{g}})
	return err
}

// A disabled user's sessions end: enabling the user again does not revive a stolen token.
func TestDisableEndsSessions(t *testing.T) {
	svc, _, admin := newStoreService(t)
	svc.mustUser(t, admin, "zhao", identity.Grant{Role: identity.RoleLeader, Scope: identity.City})
	l, err := svc.PasswordLogin(context.Background(), "zhao", "password of zhao")
	if err != nil {
		t.Fatal(err)
	}
	for _, enabled := range []bool{false, true} {
		if err := svc.SetEnabled(context.Background(), admin, UserID("zhao"), enabled, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := svc.Session(l.Token); domain.CodeOf(err) != domain.CodeUnauthorized {
		t.Fatalf("the old token after disable and enable: %v", err)
	}
}

// An admin is never linked to a provider identity on a claim alone; a provider login is not
// locked out by someone guessing passwords.
func TestExternalLoginRules(t *testing.T) {
	svc, _, admin := newStoreService(t)
	if _, err := svc.ExternalLogin(context.Background(), "https://idp", "sub-1", "admin"); domain.CodeOf(err) != domain.CodeUnauthorized {
		t.Fatalf("an identity claiming the admin's login: %v", err)
	}
	svc.mustUser(t, admin, "sun", identity.Grant{Role: identity.RoleLeader, Scope: identity.City})
	for i := 0; i < 6; i++ {
		_, _ = svc.PasswordLogin(context.Background(), "sun", "wrong guess here")
	}
	if _, err := svc.ExternalLogin(context.Background(), "https://idp", "sub-2", "sun"); err != nil {
		t.Fatalf("a provider login while the password is locked: %v", err)
	}
}

// The directory fails closed: an identity event it cannot read stops authentication on this
// node instead of being skipped (it might have revoked the key being used).
func TestDirectoryFailsClosed(t *testing.T) {
	svc, store, admin := newStoreService(t)
	k, err := svc.IssueKey(context.Background(), admin, identity.KeyIssued{Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	before := svc.Directory().Position()
	bad := domain.RecordedEvent{EventData: domain.EventData{ID: uuid.NewString(), Type: identity.TypeKeyRevoked, SchemaVersion: 99, Data: []byte(`{}`)},
		StreamID: identity.KeyStreamPrefix + k.Key.KeyID, Position: before + 1}
	if err := svc.Directory().Apply(bad); err == nil {
		t.Fatal("an unreadable identity event applied")
	}
	if svc.Directory().Position() != before {
		t.Fatal("the directory moved past an event it could not read")
	}
	if _, _, err := svc.KeyPrincipal(k.Secret); domain.CodeOf(err) != domain.CodeUnavailable {
		t.Fatalf("a key while the directory is broken: %v", err)
	}
	_ = store
}
