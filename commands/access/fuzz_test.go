package access

import (
	"testing"
	"time"
)

// FuzzVerifyPassword: a stored hash of any shape is verified or refused, never a panic and
// never a huge allocation (the parameters are bounded).
func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("seed password")
	for _, s := range []string{h, "$2a$04$abcdefghijklmnopqrstuu", "$argon2id$v=19$m=19456,t=2,p=1$$", "$argon2id$", ""} {
		f.Add(s, "seed password")
	}
	f.Fuzz(func(t *testing.T, hash, pw string) {
		ok, err := VerifyPassword(hash, pw)
		if ok && err != nil {
			t.Fatal("ok with an error")
		}
	})
}

// FuzzKeyPrincipal: any API key a client sends resolves or is refused as unauthorized.
func FuzzKeyPrincipal(f *testing.F) {
	svc := NewService(nil, NewDirectory(), time.Now, Options{})
	for _, s := range []string{"cy_0123456789abcdef0123456789abcdef_secret", "cy_", "cy_zz", "", "Bearer x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if _, _, err := svc.KeyPrincipal(key); err == nil {
			t.Fatalf("key %q resolved in an empty directory", key)
		}
		if _, _, err := svc.Session(key); err == nil {
			t.Fatalf("session %q resolved in an empty directory", key)
		}
	})
}
