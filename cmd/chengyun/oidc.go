package main

import (
	"context"
	"fmt"

	"github.com/chengyun/chengyun/dashboard"
)

// oidcFlags configure login through the city's OpenID Connect identity provider.
type oidcFlags struct {
	issuer       *string
	clientID     *string
	clientSecret *string
	redirectURL  *string
	loginClaim   *string
}

func addOIDCFlags(f flags) oidcFlags {
	return oidcFlags{
		issuer:       f.string("oidc-issuer", "", "OpenID Connect issuer URL of the city's identity provider; empty turns OpenID Connect login off"),
		clientID:     f.string("oidc-client-id", "", "client id of Chengyun at the identity provider"),
		clientSecret: f.string("oidc-client-secret", "", "client secret of Chengyun at the identity provider (empty for a public client)"),
		redirectURL:  f.string("oidc-redirect-url", "", "this server's callback as browsers reach it: https://…/api/v1/auth/oidc/callback"),
		loginClaim:   f.string("oidc-login-claim", "preferred_username", "id_token claim that names the Chengyun login at a user's first OpenID Connect login"),
	}
}

// provider reads the identity provider's discovery document. It returns nil, nil when no
// issuer is set. Errors: a missing --oidc-client-id or --oidc-redirect-url, or NewOIDC's,
// which name the setting at fault.
func (o oidcFlags) provider(ctx context.Context) (*dashboard.OIDC, error) {
	if *o.issuer == "" {
		return nil, nil
	}
	if *o.clientID == "" {
		return nil, fmt.Errorf("--oidc-client-id is required with --oidc-issuer")
	}
	if *o.redirectURL == "" {
		return nil, fmt.Errorf("--oidc-redirect-url is required with --oidc-issuer")
	}
	p, err := dashboard.NewOIDC(ctx, dashboard.OIDCConfig{Issuer: *o.issuer, ClientID: *o.clientID,
		ClientSecret: *o.clientSecret, RedirectURL: *o.redirectURL, LoginClaim: *o.loginClaim})
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect login (--oidc-* flags): %w", err)
	}
	return p, nil
}
