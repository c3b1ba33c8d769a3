package identity

import (
	"encoding/json"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// SchemaVersion is the shape of identity events this program writes.
const SchemaVersion = 1

// Stream prefixes of the identity aggregates. A login name and an outside identity are
// claimed by a stream of their own, appended to at version 0: the store's optimistic check
// makes them unique without any table.
const (
	UserStreamPrefix    = "user-"
	LoginStreamPrefix   = "login-"
	SubjectStreamPrefix = "oidc-"
	SessionStreamPrefix = "session-"
	KeyStreamPrefix     = "apikey-"
)

// Event types: stable strings.
const (
	TypeUserCreated     = "UserCreated"
	TypeLoginClaimed    = "UserLoginClaimed"
	TypePasswordSet     = "UserPasswordSet"
	TypeGrantsChanged   = "UserGrantsChanged"
	TypeUserDisabled    = "UserDisabled"
	TypeUserEnabled     = "UserEnabled"
	TypeLoginFailed     = "UserLoginFailed"
	TypeFailuresCleared = "UserLoginFailuresCleared"
	TypeLockedOut       = "UserLockedOut"
	TypeUnlocked        = "UserUnlocked"
	TypeIdentityLinked  = "UserIdentityLinked"
	TypeSessionStarted  = "SessionStarted"
	TypeSessionEnded    = "SessionEnded"
	TypeKeyIssued       = "APIKeyIssued"
	TypeKeyRevoked      = "APIKeyRevoked"
)

// UserCreated opens a user.
type UserCreated struct {
	UserID string  `json:"userId"`
	Login  string  `json:"login"`
	Name   string  `json:"name"`
	Grants []Grant `json:"grants"`
}

// LoginClaimed reserves a login name for a user (stream login-<name>).
type LoginClaimed struct {
	UserID string `json:"userId"`
}

// PasswordSet stores a password hash (PHC string: argon2id or bcrypt). OneTime marks a
// password that must be changed at the next login.
type PasswordSet struct {
	Hash    string `json:"hash"`
	OneTime bool   `json:"oneTime,omitempty"`
}

// GrantsChanged replaces a user's roles and scopes.
type GrantsChanged struct {
	Grants []Grant `json:"grants"`
}

// UserDisabled stops a user from logging in and ends their sessions.
type UserDisabled struct {
	Reason string `json:"reason,omitempty"`
}

// UserEnabled lets a disabled user log in again.
type UserEnabled struct{}

// LoginFailed counts a wrong password.
type LoginFailed struct{}

// FailuresCleared resets the count after a successful login.
type FailuresCleared struct{}

// LockedOut refuses logins until Until.
type LockedOut struct {
	Until time.Time `json:"until"`
}

// Unlocked ends a lockout early (an admin's act).
type Unlocked struct{}

// IdentityLinked ties an OpenID Connect identity to a user (also the claim of stream oidc-<hash>).
type IdentityLinked struct {
	UserID  string `json:"userId"`
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
}

// SessionStarted records a login. Only the SHA-256 of the token is stored: the log never
// holds a credential.
type SessionStarted struct {
	SessionID string    `json:"sessionId"`
	UserID    string    `json:"userId"`
	TokenHash string    `json:"tokenHash"`
	Method    string    `json:"method"` // password or oidc
	ExpiresAt time.Time `json:"expiresAt"`
}

// SessionEnded is a logout or a revocation.
type SessionEnded struct {
	Reason string `json:"reason"`
}

// KeyIssued creates an API key for an outside system. Only the SHA-256 of its secret is stored.
type KeyIssued struct {
	KeyID         string       `json:"keyId"`
	Name          string       `json:"name"`
	SecretHash    string       `json:"secretHash"`
	Grants        []Grant      `json:"grants"`
	Only          []Permission `json:"only,omitempty"`
	Channel       string       `json:"channel"`
	RatePerMinute int          `json:"ratePerMinute"`
	ExpiresAt     time.Time    `json:"expiresAt,omitzero"`
}

// KeyRevoked ends an API key.
type KeyRevoked struct {
	Reason string `json:"reason,omitempty"`
}

var decoders = map[string]func([]byte) (Payload, error){
	TypeUserCreated:     decodeAs[UserCreated],
	TypeLoginClaimed:    decodeAs[LoginClaimed],
	TypePasswordSet:     decodeAs[PasswordSet],
	TypeGrantsChanged:   decodeAs[GrantsChanged],
	TypeUserDisabled:    decodeAs[UserDisabled],
	TypeUserEnabled:     decodeAs[UserEnabled],
	TypeLoginFailed:     decodeAs[LoginFailed],
	TypeFailuresCleared: decodeAs[FailuresCleared],
	TypeLockedOut:       decodeAs[LockedOut],
	TypeUnlocked:        decodeAs[Unlocked],
	TypeIdentityLinked:  decodeAs[IdentityLinked],
	TypeSessionStarted:  decodeAs[SessionStarted],
	TypeSessionEnded:    decodeAs[SessionEnded],
	TypeKeyIssued:       decodeAs[KeyIssued],
	TypeKeyRevoked:      decodeAs[KeyRevoked],
}

// Payload is an identity event's data; EventType is its stored type name.
type Payload interface{ EventType() string }

func (UserCreated) EventType() string     { return TypeUserCreated }
func (LoginClaimed) EventType() string    { return TypeLoginClaimed }
func (PasswordSet) EventType() string     { return TypePasswordSet }
func (GrantsChanged) EventType() string   { return TypeGrantsChanged }
func (UserDisabled) EventType() string    { return TypeUserDisabled }
func (UserEnabled) EventType() string     { return TypeUserEnabled }
func (LoginFailed) EventType() string     { return TypeLoginFailed }
func (FailuresCleared) EventType() string { return TypeFailuresCleared }
func (LockedOut) EventType() string       { return TypeLockedOut }
func (Unlocked) EventType() string        { return TypeUnlocked }
func (IdentityLinked) EventType() string  { return TypeIdentityLinked }
func (SessionStarted) EventType() string  { return TypeSessionStarted }
func (SessionEnded) EventType() string    { return TypeSessionEnded }
func (KeyIssued) EventType() string       { return TypeKeyIssued }
func (KeyRevoked) EventType() string      { return TypeKeyRevoked }

// Encode turns a payload into an event proposal.
func Encode(p Payload, id string, at time.Time, md domain.Metadata) (domain.EventData, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return domain.EventData{}, domain.Internal("encode "+p.EventType(), err)
	}
	return domain.EventData{ID: id, Type: p.EventType(), SchemaVersion: SchemaVersion, OccurredAt: at, Data: data, Metadata: md}, nil
}

func decodeAs[P Payload](data []byte) (Payload, error) {
	var p P
	err := json.Unmarshal(data, &p)
	return p, err
}

// IsIdentityEvent reports whether typ is an identity event type.
func IsIdentityEvent(typ string) bool { _, ok := decoders[typ]; return ok }

// Decode reads a stored identity event's data. Errors: internal (the log is trusted input).
func Decode(e domain.RecordedEvent) (Payload, error) {
	dec, ok := decoders[e.Type]
	if !ok {
		return nil, domain.Internal("event "+e.ID+" has type "+e.Type+", which is no identity event", nil)
	}
	if e.SchemaVersion > SchemaVersion {
		return nil, domain.Internal("event "+e.ID+" has a schema version newer than this program", nil)
	}
	v, err := dec(e.Data)
	if err != nil {
		return nil, domain.Internal("event "+e.ID+" ("+e.Type+") does not decode", err)
	}
	return v, nil
}
