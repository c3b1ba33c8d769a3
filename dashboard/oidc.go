package dashboard

import "net/http"

// OIDC is login through the city's OpenID Connect identity provider.
type OIDC struct{}

func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request)    {}
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {}
