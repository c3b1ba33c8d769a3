package main

import (
	"context"

	"github.com/chengyun/chengyun/dashboard"
)

type oidcFlags struct{}

func addOIDCFlags(f flags) oidcFlags { return oidcFlags{} }

func (o oidcFlags) provider(ctx context.Context) (*dashboard.OIDC, error) { return nil, nil }
