package dashboard

import (
	"net/http"
	"slices"
	"strings"

	"github.com/chengyun/chengyun/commands/access"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

func (s *Server) listUsers(w http.ResponseWriter, _ *http.Request) {
	users := s.auth.svc.Directory().Users()
	slices.SortFunc(users, func(a, b identity.User) int { return strings.Compare(a.Login, b.Login) })
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var b access.NewUser
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	u, err := s.auth.svc.CreateUser(r.Context(), PrincipalOf(r), b)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeJSON(w, http.StatusCreated, u)
}

// userActionBody carries what any user action may need; each action reads its own fields.
type userActionBody struct {
	Grants   []identity.Grant `json:"grants"`
	Reason   string           `json:"reason"`
	Password string           `json:"password"`
}

func (s *Server) userAction(w http.ResponseWriter, r *http.Request) {
	var b userActionBody
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	svc, by, id := s.auth.svc, PrincipalOf(r), r.PathValue("id")
	var err error
	switch action := r.PathValue("action"); action {
	case "grants":
		err = svc.SetGrants(r.Context(), by, id, b.Grants)
	case "disable", "enable":
		err = svc.SetEnabled(r.Context(), by, id, action == "enable", b.Reason)
	case "unlock":
		err = svc.Unlock(r.Context(), by, id)
	case "password":
		err = svc.ResetPassword(r.Context(), by, id, b.Password)
	default:
		err = domain.NotFound("action", "%q is not a user action (grants, disable, enable, unlock, password)", action)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	u := svc.Directory().User(id)
	if u == nil {
		writeError(w, domain.NotFound("user", "no user %s", id))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) listKeys(w http.ResponseWriter, _ *http.Request) {
	keys := s.auth.svc.Directory().Keys()
	slices.SortFunc(keys, func(a, b identity.Key) int { return a.IssuedAt.Compare(b.IssuedAt) })
	for i := range keys {
		keys[i].SecretHash = "" // not a secret, but of no use to anyone reading the list
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// keyBody is the body of an API key issue.
type keyBody struct {
	Name          string                `json:"name"`
	Channel       string                `json:"channel"`
	Scopes        []identity.Scope      `json:"scopes"`
	Only          []identity.Permission `json:"only"`
	RatePerMinute int                   `json:"ratePerMinute"`
}

func (s *Server) issueKey(w http.ResponseWriter, r *http.Request) {
	var b keyBody
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	req := identity.KeyIssued{Name: b.Name, Channel: b.Channel, Only: b.Only, RatePerMinute: b.RatePerMinute}
	for _, sc := range b.Scopes {
		req.Grants = append(req.Grants, identity.Grant{Role: identity.RoleExternal, Scope: sc})
	}
	k, err := s.auth.svc.IssueKey(r.Context(), PrincipalOf(r), req)
	if err != nil {
		writeError(w, err)
		return
	}
	k.Key.SecretHash = ""
	writeJSON(w, http.StatusCreated, k)
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	if err := s.auth.svc.RevokeKey(r.Context(), PrincipalOf(r), r.PathValue("id"), b.Reason); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"revoked": true})
}
