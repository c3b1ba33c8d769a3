package access

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
	"github.com/chengyun/chengyun/eventstore/embedded"
)

func TestPasswordHashes(t *testing.T) {
	h, err := HashPassword("城运 correct horse")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("%s %v", h, err)
	}
	if ok, err := VerifyPassword(h, "城运 correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "城运 correct horsf"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("城运 correct horse")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	// Users imported from older systems keep their bcrypt hashes.
	b, _ := bcrypt.GenerateFromPassword([]byte("legacy password"), bcrypt.MinCost)
	if ok, err := VerifyPassword(string(b), "legacy password"); !ok || err != nil {
		t.Fatalf("bcrypt: %v %v", ok, err)
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw", "$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5"} {
		if ok, err := VerifyPassword(bad, "x"); ok || domain.CodeOf(err) != domain.CodeInvalid {
			t.Errorf("hash %q: %v %v, want invalid", bad, ok, err)
		}
	}
}

func newTestService(t *testing.T, store domain.EventStore) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := NewDirectory()
	if err := dir.CatchUp(ctx, store); err != nil {
		t.Fatal(err)
	}
	go dir.Follow(ctx, store, nil)
	return NewService(store, dir, time.Now, Options{})
}

// Two nodes starting at once on an empty store make one first admin between them.
func TestFirstAdminOnceAcrossNodes(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var wg sync.WaitGroup
	created := make(chan string, 4)
	for i := 0; i < 4; i++ {
		svc := newTestService(t, store)
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw, ok, err := svc.EnsureAdmin(context.Background(), "admin", "")
			if err != nil {
				t.Error(err)
			}
			if ok {
				created <- pw
			}
		}()
	}
	wg.Wait()
	close(created)
	var pws []string
	for pw := range created {
		pws = append(pws, pw)
	}
	if len(pws) != 1 || len(pws[0]) < 16 {
		t.Fatalf("one-time passwords made: %q", pws)
	}
	svc := newTestService(t, store)
	if svc.Directory().Admins() != 1 {
		t.Fatalf("%d admins", svc.Directory().Admins())
	}
	l, err := svc.PasswordLogin(context.Background(), "admin", pws[0])
	if err != nil || !l.Principal.MustChangePassword {
		t.Fatalf("the one-time password: %+v %v", l.Principal, err)
	}
	// Logins are unique: a second user with the same name (any case) is a conflict.
	admin := svc.Directory().UserByLogin("admin").Principal()
	admin.MustChangePassword = false
	req := NewUser{Login: "Zhang", Name: "张三", Password: "a long password", Grants: []identity.Grant{{Role: identity.RoleLeader, Scope: identity.City}}}
	if _, err := svc.CreateUser(context.Background(), admin, req); err != nil {
		t.Fatal(err)
	}
	req.Login = "zhang"
	if _, err := svc.CreateUser(context.Background(), admin, req); domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("duplicate login: %v", err)
	}
}
