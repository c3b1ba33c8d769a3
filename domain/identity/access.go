package identity

import (
	"slices"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Session is a login as its events say.
type Session struct {
	SessionStarted
	StartedAt time.Time `json:"startedAt"`
	Ended     bool      `json:"ended"`
}

// Live reports whether the session still authenticates at now.
func (s *Session) Live(now time.Time) bool { return !s.Ended && now.Before(s.ExpiresAt) }

// Key is an API key as its events say.
type Key struct {
	KeyIssued
	IssuedAt time.Time `json:"issuedAt"`
	Revoked  bool      `json:"revoked"`
}

// Live reports whether the key still authenticates at now.
func (k *Key) Live(now time.Time) bool {
	return !k.Revoked && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// Principal is the key as a request's principal.
func (k *Key) Principal() Principal {
	return Principal{Kind: KindKey, ID: k.KeyID, Login: k.Name, Name: k.Name, Grants: k.Grants, Only: k.Only, Channel: k.Channel}
}

// Channels an API key may report through (the intake hubs of DESIGN.md §2).
var keyChannels = []string{"hotline", "open311", "sensor", "video", "enterprise", "higher-level", "media", "api"}

// NewKey checks an API key to issue. Keys are for outside systems: they take the external
// role only, optionally narrowed to some of its permissions. Errors: invalid naming the field.
func NewKey(k KeyIssued) (KeyIssued, error) {
	k.Name = strings.TrimSpace(k.Name)
	if k.Name == "" || len(k.Name) > 100 {
		return KeyIssued{}, domain.Invalid("name", "a name of 1–100 bytes is needed")
	}
	if len(k.Grants) == 0 {
		k.Grants = []Grant{{Role: RoleExternal, Scope: City}}
	}
	if err := ValidateGrants("grants", k.Grants); err != nil {
		return KeyIssued{}, err
	}
	for i, g := range k.Grants {
		if g.Role != RoleExternal {
			return KeyIssued{}, domain.Invalid("grants["+itoa(i)+"].role", "an API key takes the external role only")
		}
	}
	for i, p := range k.Only {
		if !RoleHas(RoleExternal, p) {
			return KeyIssued{}, domain.Invalid("only["+itoa(i)+"]", "%q is not a permission an API key may hold", p)
		}
	}
	if k.Channel == "" {
		k.Channel = "api"
	}
	if !slices.Contains(keyChannels, k.Channel) {
		return KeyIssued{}, domain.Invalid("channel", "%q is not an intake channel (%s)", k.Channel, strings.Join(keyChannels, ", "))
	}
	switch {
	case k.RatePerMinute == 0:
		k.RatePerMinute = 600
	case k.RatePerMinute < 0 || k.RatePerMinute > 1_000_000:
		return KeyIssued{}, domain.Invalid("ratePerMinute", "%d: want 1–1000000", k.RatePerMinute)
	}
	return k, nil
}
