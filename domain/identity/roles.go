// Package identity is the app hub's access model: who a principal is, which roles and scopes it
// holds, what each role may do, and the event-sourced life of users, sessions and API keys. It
// is pure: hashing, randomness and the clock are the caller's.
package identity

import (
	"slices"
	"strings"

	"github.com/chengyun/chengyun/domain"
)

// Role is one of the fixed roles of a command center. Roles are data in events, so their
// names are stable strings.
type Role string

// The roles of the app hub (应用中枢).
const (
	RoleAdmin      Role = "admin"      // 系统管理员: users, keys, everything
	RoleOperator   Role = "operator"   // 受理员/值班员: intake, verification, registration, closing, revisits
	RoleDispatcher Role = "dispatcher" // 派遣员: dispatch, extensions and suspensions, supervision
	RoleHandler    Role = "handler"    // 职能部门处置人员: the department's tasks
	RoleStreet     Role = "street"     // 街道工作人员: reports and tasks in their streets
	RoleGrid       Role = "grid"       // 社区工作人员/网格员: patrols in their community or grids
	RoleLeader     Role = "leader"     // 领导: reads everything in scope, changes nothing
	RoleExternal   Role = "external"   // 外部系统: API keys of outside systems
	RoleScreen     Role = "screen"     // 大屏: the read-only big screen opened without login
)

// Roles lists every role in a stable order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleOperator, RoleDispatcher, RoleHandler, RoleStreet, RoleGrid, RoleLeader, RoleExternal, RoleScreen}
}

// ParseRole checks a role name. Errors: invalid naming the field.
func ParseRole(field, s string) (Role, error) {
	r := Role(s)
	if _, ok := rolePermissions[r]; ok {
		return r, nil
	}
	names := make([]string, 0, len(rolePermissions))
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return "", domain.Invalid(field, "%q is not a role (one of %s)", s, strings.Join(names, ", "))
}

// Permission is one thing a principal may do. Case commands are "case.<command>".
type Permission string

// Permissions outside the case commands.
const (
	PermCaseRead     Permission = "case.read"     // a case, its timeline, case lists
	PermPersonalRead Permission = "personal.read" // reporters' names and phone numbers unmasked
	PermCatalogRead  Permission = "catalog.read"  // categories, departments, routing suggestions
	PermGeoRead      Permission = "geo.read"      // the city model, layers, tiles, locate
	PermStatusRead   Permission = "status.read"   // the status page's data
	PermMetricsRead  Permission = "metrics.read"  // Prometheus metrics
	PermIndicators   Permission = "indicator.read"
	PermStreamRead   Permission = "stream.read" // WebSocket topics (each topic also checks its own permission)
	PermUserManage   Permission = "user.manage"
	PermKeyManage    Permission = "apikey.manage"
)

// CasePermission is the permission to run case command name.
func CasePermission(command string) Permission { return Permission("case." + command) }

// caseCommands are the case commands of domain/cases, by the roles that run them. Kept here
// as names so that identity does not depend on the case package.
var (
	intake     = []string{"report", "verify", "void", "register", "direct-answer", "merge", "close", "revisit", "reopen", "inspect", "supervise", "escalate"}
	dispatch   = []string{"register", "dispatch", "grant-extension", "deny-extension", "suspend", "resume", "supervise", "escalate", "reopen", "close", "merge"}
	handling   = []string{"accept", "return", "request-extension", "handle"}
	streetWork = []string{"report", "verify", "accept", "return", "request-extension", "handle", "inspect", "close-on-spot"}
	gridWork   = []string{"report", "verify", "inspect", "close-on-spot"}
	reading    = []Permission{PermCaseRead, PermCatalogRead, PermGeoRead, PermStatusRead, PermIndicators, PermStreamRead}
)

// AllCaseCommands lists every case command the access model knows.
func AllCaseCommands() []string {
	var all []string
	for _, list := range [][]string{intake, dispatch, handling, streetWork, gridWork} {
		for _, c := range list {
			if !slices.Contains(all, c) {
				all = append(all, c)
			}
		}
	}
	slices.Sort(all)
	return all
}

func withCases(base []Permission, cmds ...[]string) map[Permission]bool {
	m := map[Permission]bool{}
	for _, p := range base {
		m[p] = true
	}
	for _, list := range cmds {
		for _, c := range list {
			m[CasePermission(c)] = true
		}
	}
	return m
}

// rolePermissions is the access model in one table. A leader and the screen only read; only
// intake and dispatch roles see personal data, because they call citizens back.
var rolePermissions = map[Role]map[Permission]bool{
	RoleAdmin: withCases(append(slices.Clone(reading), PermPersonalRead, PermMetricsRead, PermUserManage, PermKeyManage),
		intake, dispatch, handling, streetWork, gridWork),
	RoleOperator:   withCases(append(slices.Clone(reading), PermPersonalRead), intake),
	RoleDispatcher: withCases(append(slices.Clone(reading), PermPersonalRead), dispatch),
	RoleHandler:    withCases(reading, handling),
	RoleStreet:     withCases(reading, streetWork),
	RoleGrid:       withCases(reading, gridWork),
	RoleLeader:     withCases(reading),
	RoleExternal:   withCases([]Permission{PermCaseRead, PermCatalogRead, PermGeoRead, PermMetricsRead}, []string{"report"}),
	RoleScreen:     withCases(reading),
}

// RoleHas reports whether role grants permission.
func RoleHas(r Role, p Permission) bool { return rolePermissions[r][p] }

// ExternalPermissions lists what an API key may be limited to.
func ExternalPermissions() []Permission {
	var out []Permission
	for p := range rolePermissions[RoleExternal] {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
