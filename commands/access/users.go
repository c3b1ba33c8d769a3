package access

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// NewUser is the body of a user creation.
type NewUser struct {
	Login    string           `json:"login"`
	Name     string           `json:"name"`
	Password string           `json:"password"`
	Grants   []identity.Grant `json:"grants"`
	// OneTime makes the password a one-time password, to be changed at first login.
	OneTime bool `json:"oneTime"`
}

// CreateUser adds a user. Errors: forbidden without user.manage, invalid naming the field,
// conflict when the login is taken.
func (s *Service) CreateUser(ctx context.Context, by identity.Principal, req NewUser) (*identity.User, error) {
	if err := by.Check(identity.PermUserManage, identity.WholeCity); err != nil {
		return nil, err
	}
	return s.createUser(ctx, by.Actor(), req)
}

func (s *Service) createUser(ctx context.Context, actor string, req NewUser) (*identity.User, error) {
	login, err := identity.NormalizeLogin(req.Login)
	if err != nil {
		return nil, err
	}
	id := UserID(login)
	created, err := identity.NewUser(id, login, req.Name, req.Grants)
	if err != nil {
		return nil, err
	}
	if err := identity.CheckPassword(req.Password, login); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, req.Password)
	if err != nil {
		return nil, err
	}
	err = s.append(ctx, identity.UserStreamPrefix+id, 0, actor, created, identity.PasswordSet{Hash: hash, OneTime: req.OneTime})
	if errors.Is(err, domain.ErrConflict) {
		return nil, domain.Conflict("login", "%q is taken", login)
	}
	if err != nil {
		return nil, err
	}
	return s.dir.User(id), nil
}

// EnsureAdmin creates the first admin when the log holds no enabled admin. With password
// empty it makes a random one-time password and returns it (for printing once). created is
// false when an admin already exists.
func (s *Service) EnsureAdmin(ctx context.Context, login, password string) (oneTime string, created bool, err error) {
	if s.dir.Admins() > 0 {
		return "", false, nil
	}
	req := NewUser{Login: login, Name: "系统管理员 Administrator", Password: password, Grants: []identity.Grant{{Role: identity.RoleAdmin, Scope: identity.City}}}
	if password == "" {
		if req.Password, err = randomToken(12); err != nil {
			return "", false, err
		}
		req.OneTime = true
	}
	if _, err = s.createUser(ctx, "system:first-start", req); err != nil {
		if errors.Is(err, domain.ErrConflict) { // another node made it first
			return "", false, nil
		}
		return "", false, err
	}
	if req.OneTime {
		return req.Password, true, nil
	}
	return "", true, nil
}

// SetGrants replaces a user's roles and scopes. Errors: forbidden, invalid, not_found, and
// conflict when it would leave the city without an enabled admin.
func (s *Service) SetGrants(ctx context.Context, by identity.Principal, userID string, grants []identity.Grant) error {
	if err := by.Check(identity.PermUserManage, identity.WholeCity); err != nil {
		return err
	}
	if err := identity.ValidateGrants("grants", grants); err != nil {
		return err
	}
	return s.changeUser(ctx, userID, by.Actor(), func(u *identity.User) ([]identity.Payload, error) {
		if !slices.ContainsFunc(grants, func(g identity.Grant) bool { return g.Role == identity.RoleAdmin }) {
			if err := s.keepsAnAdmin(u); err != nil {
				return nil, err
			}
		}
		return []identity.Payload{identity.GrantsChanged{Grants: grants}}, nil
	})
}

func (s *Service) keepsAnAdmin(u *identity.User) error {
	if isAdmin(u) && s.dir.Admins() <= 1 {
		return domain.Conflict("grants", "%s is the last enabled admin", u.Login)
	}
	return nil
}

// SetEnabled disables or enables a user; a disabled user's sessions stop authenticating at
// once. Errors: forbidden, not_found, conflict for the last admin or oneself.
func (s *Service) SetEnabled(ctx context.Context, by identity.Principal, userID string, enabled bool, reason string) error {
	if err := by.Check(identity.PermUserManage, identity.WholeCity); err != nil {
		return err
	}
	err := s.changeUser(ctx, userID, by.Actor(), func(u *identity.User) ([]identity.Payload, error) {
		switch {
		case enabled && u.Disabled:
			return []identity.Payload{identity.UserEnabled{}}, nil
		case !enabled && !u.Disabled:
			if u.ID == by.ID {
				return nil, domain.Conflict("user", "you cannot disable yourself")
			}
			if err := s.keepsAnAdmin(u); err != nil {
				return nil, err
			}
			return []identity.Payload{identity.UserDisabled{Reason: strings.TrimSpace(reason)}}, nil
		}
		return nil, nil
	})
	if err != nil || enabled {
		return err
	}
	// Ended, not only hidden: enabling the user later must not revive a stolen token.
	return s.endSessions(ctx, by.Actor(), userID, "", "user disabled")
}

// Unlock ends a lockout. Errors: forbidden, not_found.
func (s *Service) Unlock(ctx context.Context, by identity.Principal, userID string) error {
	if err := by.Check(identity.PermUserManage, identity.WholeCity); err != nil {
		return err
	}
	return s.changeUser(ctx, userID, by.Actor(), func(u *identity.User) ([]identity.Payload, error) {
		if u.Locked(s.clock()) || len(u.Failures) > 0 {
			return []identity.Payload{identity.Unlocked{}}, nil
		}
		return nil, nil
	})
}

// ResetPassword gives a user a new one-time password chosen by an admin. Errors: forbidden,
// invalid, not_found.
func (s *Service) ResetPassword(ctx context.Context, by identity.Principal, userID, password string) error {
	if err := by.Check(identity.PermUserManage, identity.WholeCity); err != nil {
		return err
	}
	u := s.dir.User(userID)
	if u == nil {
		return domain.NotFound("user", "no user %s", userID)
	}
	if err := identity.CheckPassword(password, u.Login); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.changeUser(ctx, userID, by.Actor(), func(*identity.User) ([]identity.Payload, error) {
		return []identity.Payload{identity.PasswordSet{Hash: hash, OneTime: true}}, nil
	}); err != nil {
		return err
	}
	return s.endSessions(ctx, by.Actor(), userID, "", "password reset")
}

// ChangePassword is a user changing their own password; their other sessions end (a password
// is changed because it may be known to someone else). Errors: unauthorized when the old
// password is wrong, invalid for a weak new one.
func (s *Service) ChangePassword(ctx context.Context, me identity.Principal, keepSession, old, password string) error {
	if me.Kind != identity.KindUser {
		return &domain.Error{Code: domain.CodeForbidden, Msg: "only users have passwords"}
	}
	u, err := s.loadUser(ctx, me.ID)
	if err != nil {
		return err
	}
	if u.Locked(s.clock()) {
		return &domain.Error{Code: domain.CodeUnauthorized, Field: "oldPassword", Msg: "locked after repeated wrong passwords"}
	}
	if ok, err := s.verify(ctx, u.PasswordHash, old); err != nil || !ok {
		// A stolen session must not become an unlimited password oracle: wrong old
		// passwords count towards the lockout like wrong logins.
		if err := s.changeUser(ctx, u.ID, me.Actor(), func(cur *identity.User) ([]identity.Payload, error) {
			return identity.DecideFailure(cur, s.clock(), s.lock), nil
		}); err != nil {
			return err
		}
		return &domain.Error{Code: domain.CodeUnauthorized, Field: "oldPassword", Msg: "is wrong"}
	}
	if err := identity.CheckPassword(password, u.Login); err != nil {
		return err
	}
	if password == old {
		return domain.Invalid("password", "must differ from the old one")
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.changeUser(ctx, me.ID, me.Actor(), func(*identity.User) ([]identity.Payload, error) {
		return []identity.Payload{identity.PasswordSet{Hash: hash}}, nil
	}); err != nil {
		return err
	}
	return s.endSessions(ctx, me.Actor(), me.ID, keepSession, "password changed")
}

// Recover is the way back in for whoever runs the server: it gives a user (typically the admin
// who lost the one-time password) a new one-time password, enables and unlocks them, and ends
// their sessions. It takes no principal because it runs offline against the store
// (`chengyun reset-password`); anyone who can do that already holds the data. Errors:
// not_found for an unknown login.
func (s *Service) Recover(ctx context.Context, login string) (string, error) {
	l, err := identity.NormalizeLogin(login)
	if err != nil {
		return "", err
	}
	u := s.dir.UserByLogin(l)
	if u == nil {
		return "", domain.NotFound("login", "no user %q", l)
	}
	pw, err := randomToken(12)
	if err != nil {
		return "", err
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	const actor = "system:reset-password"
	if err := s.changeUser(ctx, u.ID, actor, func(cur *identity.User) ([]identity.Payload, error) {
		ps := []identity.Payload{identity.PasswordSet{Hash: hash, OneTime: true}}
		if cur.Disabled {
			ps = append(ps, identity.UserEnabled{})
		}
		if !cur.LockedUntil.IsZero() || len(cur.Failures) > 0 {
			ps = append(ps, identity.Unlocked{})
		}
		return ps, nil
	}); err != nil {
		return "", err
	}
	return pw, s.endSessions(ctx, actor, u.ID, "", "password reset")
}

// EnsureUser makes a user the server itself manages (the demo city's simulated staff) exist
// with req's password and grants: it is created, or its password (never a one-time one) and
// grants are set again. It is for the server's own setup and has no HTTP route; actor names
// the part of the server doing it. Errors: invalid naming the field, unavailable.
func (s *Service) EnsureUser(ctx context.Context, actor string, req NewUser) error {
	login, err := identity.NormalizeLogin(req.Login)
	if err != nil {
		return err
	}
	req.OneTime = false
	if s.dir.User(UserID(login)) == nil {
		_, err := s.createUser(ctx, actor, req)
		if !errors.Is(err, domain.ErrConflict) {
			return err
		}
	}
	if err := identity.ValidateGrants("grants", req.Grants); err != nil {
		return err
	}
	if err := identity.CheckPassword(req.Password, login); err != nil {
		return err
	}
	hash, err := s.hash(ctx, req.Password)
	if err != nil {
		return err
	}
	err = s.changeUser(ctx, UserID(login), actor, func(u *identity.User) ([]identity.Payload, error) {
		ps := []identity.Payload{identity.PasswordSet{Hash: hash}}
		if !slices.Equal(u.Grants, req.Grants) {
			ps = append(ps, identity.GrantsChanged{Grants: req.Grants})
		}
		return ps, nil
	})
	if err != nil {
		return err
	}
	// As after any new password, the sessions opened with the old one end.
	return s.endSessions(ctx, actor, UserID(login), "", "password set by the server")
}
