package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// KeyPrefix starts every API key: "cy_<key id without dashes>_<secret>". The id lets the
// server find the key without comparing against every stored hash.
const KeyPrefix = "cy_"

// IssuedKey is an issued API key: Secret is the whole key, shown once.
type IssuedKey struct {
	Secret string       `json:"secret"`
	Key    identity.Key `json:"key"`
}

// IssueKey creates an API key for an outside system. Errors: forbidden without
// apikey.manage, invalid naming the field.
func (s *Service) IssueKey(ctx context.Context, by identity.Principal, req identity.KeyIssued) (IssuedKey, error) {
	if err := by.Check(identity.PermKeyManage, identity.WholeCity); err != nil {
		return IssuedKey{}, err
	}
	id := uuid.Must(uuid.NewV7())
	req.KeyID = id.String()
	k, err := identity.NewKey(req)
	if err != nil {
		return IssuedKey{}, err
	}
	secret, err := randomToken(32)
	if err != nil {
		return IssuedKey{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	k.SecretHash = hex.EncodeToString(sum[:])
	if err := s.append(ctx, identity.KeyStreamPrefix+k.KeyID, 0, by.Actor(), k); err != nil {
		return IssuedKey{}, err
	}
	stored, _ := s.dir.key(k.KeyID)
	return IssuedKey{Secret: KeyPrefix + strings.ReplaceAll(k.KeyID, "-", "") + "_" + secret, Key: stored}, nil
}

// RevokeKey ends an API key. Errors: forbidden, not_found.
func (s *Service) RevokeKey(ctx context.Context, by identity.Principal, keyID, reason string) error {
	if err := by.Check(identity.PermKeyManage, identity.WholeCity); err != nil {
		return err
	}
	k, ok := s.dir.key(keyID)
	if !ok {
		return domain.NotFound("key", "no API key %s", keyID)
	}
	if k.Revoked {
		return nil
	}
	err := s.append(ctx, identity.KeyStreamPrefix+keyID, 1, by.Actor(), identity.KeyRevoked{Reason: reason})
	if domain.CodeOf(err) == domain.CodeConflict {
		return nil
	}
	return err
}

// KeyPrincipal resolves an API key to its principal and its rate limit. The secret is
// compared in constant time. Errors: unauthorized for a malformed, unknown, revoked or
// expired key.
func (s *Service) KeyPrincipal(secret string) (identity.Principal, int, error) {
	if err := s.dir.Broken(); err != nil {
		return identity.Anonymous, 0, domain.Unavailable("identity directory cannot read the log", err)
	}
	bad := &domain.Error{Code: domain.CodeUnauthorized, Field: "apiKey", Msg: "unknown, revoked or expired API key"}
	rest, ok := strings.CutPrefix(secret, KeyPrefix)
	if !ok || len(rest) < 34 || rest[32] != '_' {
		return identity.Anonymous, 0, bad
	}
	id, err := uuid.Parse(rest[:32])
	if err != nil {
		return identity.Anonymous, 0, bad
	}
	k, ok := s.dir.key(id.String())
	if !ok || !k.Live(s.clock()) {
		return identity.Anonymous, 0, bad
	}
	sum := sha256.Sum256([]byte(rest[33:]))
	want, err := hex.DecodeString(k.SecretHash)
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return identity.Anonymous, 0, bad
	}
	return k.Principal(), k.RatePerMinute, nil
}
