// Package access is the app hub's write and read side for identity: users, passwords, sessions
// and API keys, event-sourced through the store, with an in-memory directory that follows the
// log to authenticate requests without reading the store.
package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/chengyun/chengyun/domain"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, two passes, one lane), about
// 25 ms per hash on this class of machine. They are written into every hash, so raising them
// later still verifies old hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", domain.Internal("password salt", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks pw against an argon2id hash or a bcrypt hash (accepted for users
// imported from older systems). It compares in constant time. Errors: invalid for a hash of
// no known format.
func VerifyPassword(hash, pw string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		return verifyArgon2id(hash, pw)
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
		return err == nil, nil
	}
	return false, domain.Invalid("hash", "not an argon2id or bcrypt hash")
}

// Limits on the parameters a stored hash may ask for, so that a crafted hash cannot make a
// login allocate gigabytes.
const (
	maxArgonMemoryKiB = 256 * 1024
	maxArgonTime      = 10
	maxArgonThreads   = 16
)

func verifyArgon2id(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		return false, domain.Invalid("hash", "argon2id hash has %d fields, want 6", len(parts))
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, domain.Invalid("hash", "argon2id version %q unsupported", parts[2])
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false, domain.Invalid("hash", "argon2id parameters %q unreadable", parts[3])
	}
	if mem == 0 || mem > maxArgonMemoryKiB || t == 0 || t > maxArgonTime || p == 0 || p > maxArgonThreads {
		return false, domain.Invalid("hash", "argon2id parameters %q out of range", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, domain.Invalid("hash", "argon2id salt unreadable")
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, domain.Invalid("hash", "argon2id key unreadable")
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names no user, so that the answer takes as long
// as for a real user and does not tell which logins exist.
var dummyHash, _ = HashPassword("chengyun-no-such-user")

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", domain.Internal("random token", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
