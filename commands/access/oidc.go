package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// ExternalLogin starts a session for an identity the city's OpenID Connect provider vouched
// for. The user is found by the (issuer, subject) pair linked earlier; on a first login the
// provider's login claim must name an existing, enabled user, who is then linked, so roles
// and scopes stay with Chengyun's admins and the provider only proves who someone is.
// Errors: unauthorized when no user matches or the user is disabled or locked; conflict when
// the login is already linked to another subject of the same provider.
func (s *Service) ExternalLogin(ctx context.Context, issuer, subject, loginClaim string) (Login, error) {
	if issuer == "" || subject == "" {
		return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "the identity provider named no subject"}
	}
	u := s.dir.UserBySubject(issuer, subject)
	if u == nil {
		login, err := identity.NormalizeLogin(loginClaim)
		if err != nil {
			return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "no Chengyun user for this identity; an admin must create it first"}
		}
		if u = s.dir.UserByLogin(login); u == nil {
			return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "no Chengyun user " + login + "; an admin must create it first"}
		}
		if isAdmin(u) {
			// An admin's identity is never taken on a claim alone: a provider that lets users
			// choose their username would hand out the city. Admins log in with a password.
			return Login{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "idToken", Msg: "admins are not linked to a provider identity automatically; log in with your password"}
		}
		if u.Disabled {
			return Login{}, errBadLogin
		}
		for _, id := range u.Identities {
			if id.Issuer == issuer && id.Subject != subject {
				return Login{}, domain.Conflict("idToken", "user %s is linked to another identity of this provider", login)
			}
		}
		if err := s.link(ctx, u, identity.IdentityLinked{UserID: u.ID, Issuer: issuer, Subject: subject}); err != nil {
			return Login{}, err
		}
		if u = s.dir.UserBySubject(issuer, subject); u == nil {
			return Login{}, domain.Internal("linked identity not in the directory", nil)
		}
	}
	if u.Disabled {
		return Login{}, errBadLogin
	}
	// The password lockout does not apply: the provider authenticated this login, and a
	// stranger guessing passwords must not lock the user out of it too.
	return s.startSession(ctx, u, "oidc")
}

// link claims the subject for the user (its own stream, so two users can never share it),
// then records the link in the user's stream. A link half made before a crash is finished.
func (s *Service) link(ctx context.Context, u *identity.User, link identity.IdentityLinked) error {
	sum := sha256.Sum256([]byte(link.Issuer + "\x00" + link.Subject))
	claim := identity.SubjectStreamPrefix + hex.EncodeToString(sum[:16])
	err := s.append(ctx, claim, 0, "user:"+u.Login, link)
	if errors.Is(err, domain.ErrConflict) {
		recorded, rerr := s.store.ReadStream(ctx, claim, 1, 1)
		if rerr != nil {
			return rerr
		}
		p, derr := identity.Decode(recorded[0])
		if derr != nil {
			return derr
		}
		if owner := p.(identity.IdentityLinked).UserID; owner != u.ID {
			return domain.Conflict("idToken", "this identity is linked to another user")
		}
	} else if err != nil {
		return err
	}
	return s.changeUser(ctx, u.ID, "user:"+u.Login, func(cur *identity.User) ([]identity.Payload, error) {
		for _, l := range cur.Identities {
			if l.Issuer == link.Issuer && l.Subject == link.Subject {
				return nil, nil
			}
		}
		return []identity.Payload{link}, nil
	})
}
