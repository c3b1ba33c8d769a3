package identity

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chengyun/chengyun/domain"
)

// User is a user as their events say. Only Apply changes it.
type User struct {
	ID           string           `json:"id"`
	Version      uint64           `json:"version"`
	Login        string           `json:"login"`
	Name         string           `json:"name"`
	Grants       []Grant          `json:"grants"`
	PasswordHash string           `json:"-"`
	OneTime      bool             `json:"mustChangePassword,omitempty"`
	Disabled     bool             `json:"disabled,omitempty"`
	Failures     []time.Time      `json:"-"` // recent wrong passwords, oldest first
	LockedUntil  time.Time        `json:"lockedUntil,omitzero"`
	Identities   []IdentityLinked `json:"identities,omitempty"`
	CreatedAt    time.Time        `json:"createdAt"`
}

// Exists reports whether the user was created.
func (u *User) Exists() bool { return u != nil && u.Login != "" }

// Locked reports whether logins are refused at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Apply folds one event into the user.
func (u *User) Apply(p Payload, at time.Time) {
	u.Version++
	switch e := p.(type) {
	case UserCreated:
		u.ID, u.Login, u.Name, u.Grants, u.CreatedAt = e.UserID, e.Login, e.Name, e.Grants, at
	case PasswordSet:
		u.PasswordHash, u.OneTime = e.Hash, e.OneTime
	case GrantsChanged:
		u.Grants = e.Grants
	case UserDisabled:
		u.Disabled = true
	case UserEnabled:
		u.Disabled = false
	case LoginFailed:
		u.Failures = append(u.Failures, at)
		if len(u.Failures) > 32 {
			u.Failures = u.Failures[len(u.Failures)-32:]
		}
	case FailuresCleared:
		u.Failures = nil
	case LockedOut:
		u.LockedUntil, u.Failures = e.Until, nil
	case Unlocked:
		u.LockedUntil, u.Failures = time.Time{}, nil
	case IdentityLinked:
		u.Identities = append(u.Identities, e)
	}
}

// Principal is the user as a request's principal.
func (u *User) Principal() Principal {
	return Principal{Kind: KindUser, ID: u.ID, Login: u.Login, Name: u.Name, Grants: u.Grants, MustChangePassword: u.OneTime}
}

// LockPolicy is login throttling per user: MaxFailures wrong passwords within Window lock
// the user out for Lock.
type LockPolicy struct {
	MaxFailures int
	Window      time.Duration
	Lock        time.Duration
}

// DefaultLockPolicy follows common guidance: five failures in fifteen minutes lock for fifteen.
var DefaultLockPolicy = LockPolicy{MaxFailures: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}

// DecideFailure is what a wrong password does: count it and, at the limit, lock the user.
// A locked user's further attempts write nothing, so an attacker cannot grow the stream.
func DecideFailure(u *User, now time.Time, pol LockPolicy) []Payload {
	if u.Locked(now) {
		return nil
	}
	recent := 1
	for _, f := range u.Failures {
		if now.Sub(f) < pol.Window {
			recent++
		}
	}
	if recent >= pol.MaxFailures {
		return []Payload{LoginFailed{}, LockedOut{Until: now.Add(pol.Lock)}}
	}
	return []Payload{LoginFailed{}}
}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// NormalizeLogin lower-cases a login name and checks it. Errors: invalid naming "login".
func NormalizeLogin(s string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if !loginPattern.MatchString(l) {
		return "", domain.Invalid("login", "%q is not a login name: 2–64 of a–z, 0–9, '.', '_', '-', starting with a letter or digit", s)
	}
	return l, nil
}

// NewUser checks a user to create. Errors: invalid naming the field.
func NewUser(id, login, name string, grants []Grant) (UserCreated, error) {
	l, err := NormalizeLogin(login)
	if err != nil {
		return UserCreated{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return UserCreated{}, domain.Invalid("name", "a display name of 1–100 characters is needed")
	}
	if err := ValidateGrants("grants", grants); err != nil {
		return UserCreated{}, err
	}
	return UserCreated{UserID: id, Login: l, Name: name, Grants: grants}, nil
}

// CheckPassword enforces the password rule of NIST SP 800-63B: length, not composition.
// Errors: invalid naming "password".
func CheckPassword(pw, login string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return domain.Invalid("password", "is not valid UTF-8")
	case n < 10:
		return domain.Invalid("password", "at least 10 characters are needed")
	case len(pw) > 256:
		return domain.TooLarge("password", "at most 256 bytes")
	case strings.EqualFold(pw, login):
		return domain.Invalid("password", "must not be the login name")
	}
	return nil
}
