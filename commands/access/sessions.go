package access

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// Login is a started session: the token is shown to the client once and never stored.
type Login struct {
	Token     string             `json:"token"`
	SessionID string             `json:"sessionId"`
	ExpiresAt time.Time          `json:"expiresAt"`
	Principal identity.Principal `json:"principal"`
}

var errBadLogin = &domain.Error{Code: domain.CodeUnauthorized, Field: "login", Msg: "wrong login or password"}

// PasswordLogin checks a login and password and starts a session. Wrong passwords count
// towards a lockout; an unknown login costs the same hashing time as a known one. Errors:
// unauthorized (the same message for an unknown login, a wrong password and a disabled
// user; a locked user is told until when), unavailable.
func (s *Service) PasswordLogin(ctx context.Context, login, password string) (Login, error) {
	l, err := identity.NormalizeLogin(login)
	if err != nil || len(password) > 256 {
		return Login{}, errBadLogin
	}
	u, err := s.loadUser(ctx, UserID(l))
	if err != nil {
		return Login{}, err
	}
	if !u.Exists() {
		_, _ = s.verify(ctx, dummyHash, password)
		return Login{}, errBadLogin
	}
	now := s.clock()
	if u.Locked(now) {
		return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "login",
			Msg: "locked after repeated wrong passwords until " + u.LockedUntil.UTC().Format(time.RFC3339)}
	}
	ok, err := s.verify(ctx, u.PasswordHash, password)
	if err != nil && domain.CodeOf(err) != domain.CodeInvalid {
		return Login{}, err
	}
	if !ok {
		if err := s.changeUser(ctx, u.ID, "user:"+u.Login, func(cur *identity.User) ([]identity.Payload, error) {
			return identity.DecideFailure(cur, s.clock(), s.lock), nil
		}); err != nil {
			return Login{}, err
		}
		return Login{}, errBadLogin
	}
	// Guesses sent in parallel all passed the lock check above before any failure was
	// written: look again, on the stream as it is now, before letting a right one in.
	if u, err = s.loadUser(ctx, u.ID); err != nil {
		return Login{}, err
	}
	if u.Locked(s.clock()) {
		return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "login",
			Msg: "locked after repeated wrong passwords until " + u.LockedUntil.UTC().Format(time.RFC3339)}
	}
	if u.Disabled {
		return Login{}, errBadLogin
	}
	if len(u.Failures) > 0 {
		if err := s.changeUser(ctx, u.ID, "user:"+u.Login, func(cur *identity.User) ([]identity.Payload, error) {
			return []identity.Payload{identity.FailuresCleared{}}, nil
		}); err != nil {
			return Login{}, err
		}
	}
	return s.startSession(ctx, u, "password")
}

func (s *Service) startSession(ctx context.Context, u *identity.User, method string) (Login, error) {
	token, err := randomToken(32)
	if err != nil {
		return Login{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	exp := s.clock().Add(s.sessionTTL)
	started := identity.SessionStarted{SessionID: id, UserID: u.ID, TokenHash: hashToken(token), Method: method, ExpiresAt: exp}
	if err := s.append(ctx, identity.SessionStreamPrefix+id, 0, "user:"+u.Login, started); err != nil {
		return Login{}, err
	}
	return Login{Token: token, SessionID: id, ExpiresAt: exp, Principal: u.Principal()}, nil
}

// Session resolves a session token to its principal and session id. Errors: unauthorized
// for an unknown, ended or expired session or a disabled user; unavailable while the
// directory cannot read an identity event.
func (s *Service) Session(token string) (identity.Principal, string, error) {
	if err := s.dir.Broken(); err != nil {
		return identity.Anonymous, "", domain.Unavailable("identity directory cannot read the log", err)
	}
	sess, u, ok := s.dir.session(token)
	switch {
	case !ok || u == nil:
		return identity.Anonymous, "", &domain.Error{Code: domain.CodeUnauthorized, Field: "session", Msg: "unknown session; log in again"}
	case !sess.Live(s.clock()):
		return identity.Anonymous, "", &domain.Error{Code: domain.CodeUnauthorized, Field: "session", Msg: "session expired or ended; log in again"}
	case u.Disabled:
		return identity.Anonymous, "", &domain.Error{Code: domain.CodeUnauthorized, Field: "session", Msg: "user disabled"}
	}
	return u.Principal(), sess.SessionID, nil
}

// Logout ends a session. Ending an ended session writes nothing.
func (s *Service) Logout(ctx context.Context, me identity.Principal, sessionID string) error {
	return s.endSession(ctx, me.Actor(), sessionID, "logout")
}

func (s *Service) endSession(ctx context.Context, actor, sessionID, reason string) error {
	stream := identity.SessionStreamPrefix + sessionID
	recorded, err := s.store.ReadStream(ctx, stream, 1, 10)
	if err != nil {
		return err
	}
	if len(recorded) != 1 { // unknown, or already ended
		return nil
	}
	err = s.append(ctx, stream, 1, actor, identity.SessionEnded{Reason: reason})
	if domain.CodeOf(err) == domain.CodeConflict {
		return nil
	}
	return err
}

// endSessions ends every live session of a user but keep (after a password change or reset).
func (s *Service) endSessions(ctx context.Context, actor, userID, keep, reason string) error {
	for _, id := range s.dir.sessionsOf(userID, s.clock()) {
		if id == keep {
			continue
		}
		if err := s.endSession(ctx, actor, id, reason); err != nil {
			return err
		}
	}
	return nil
}
