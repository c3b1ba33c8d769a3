package identity

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
)

var caseAt = Target{District: "420106", Street: "420106001", Community: "420106001002", Grid: "420106001002003", Department: "wh-cg"}

func TestScopeCovers(t *testing.T) {
	for _, c := range []struct {
		scope Scope
		want  bool
	}{
		{City, true},
		{Scope{ScopeDistrict, "420106"}, true},
		{Scope{ScopeDistrict, "420102"}, false},
		{Scope{ScopeStreet, "420106001"}, true},
		{Scope{ScopeStreet, "420106002"}, false},
		{Scope{ScopeCommunity, "420106001002"}, true},
		{Scope{ScopeGrid, "420106001002003"}, true},
		{Scope{ScopeGrid, "420106001002004"}, false},
		{Scope{ScopeDepartment, "wh-cg"}, true},
		{Scope{ScopeDepartment, "wh-sw"}, false},
	} {
		if got := c.scope.Covers(caseAt); got != c.want {
			t.Errorf("%s covers the case: %v, want %v", c.scope, got, c.want)
		}
	}
	if (Scope{ScopeDistrict, "420106"}).Covers(Target{}) {
		t.Error("a district scope covers a case with no location")
	}
}

func TestParseScope(t *testing.T) {
	for in, want := range map[string]Scope{"city": City, "district:420106": {ScopeDistrict, "420106"}, "department:wh-cg": {ScopeDepartment, "wh-cg"}} {
		got, err := ParseScope("scope", in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseScope(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "town:1", "district:", "district", "city:1", "grid:a b", "street:a:b"} {
		if _, err := ParseScope("scope", bad); domain.CodeOf(err) != domain.CodeInvalid {
			t.Errorf("ParseScope(%q): %v, want invalid", bad, err)
		}
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{"13800138000": "138****8000", "+8613800138000": "+86*******8000", "027-8888": "******88", "12": "**", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"李先生": "李**", "欧阳娜娜": "欧***", "张": "*", "John Smith": "J*** S****", "": ""} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrincipalCheck(t *testing.T) {
	street := Principal{Kind: KindUser, Login: "w", Grants: []Grant{{RoleStreet, Scope{ScopeStreet, "420106001"}}}}
	if err := street.Check(CasePermission("handle"), &caseAt); err != nil {
		t.Fatalf("street staff handling a case in their street: %v", err)
	}
	elsewhere := Target{District: "420102", Street: "420102001"}
	if err := street.Check(CasePermission("handle"), &elsewhere); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("out of scope: %v", err)
	}
	if err := street.Check(CasePermission("dispatch"), &caseAt); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("a role without the command: %v", err)
	}
	if err := Anonymous.Check(PermCaseRead, nil); domain.CodeOf(err) != domain.CodeUnauthorized {
		t.Fatalf("anonymous: %v", err)
	}
	leader := Principal{Kind: KindUser, Grants: []Grant{{RoleLeader, City}}}
	for _, c := range AllCaseCommands() {
		if leader.Can(CasePermission(c)) {
			t.Errorf("a leader may %s", c)
		}
	}
	if leader.Can(PermPersonalRead) || !leader.Can(PermCaseRead) {
		t.Error("a leader reads cases, masked")
	}
	key := Principal{Kind: KindKey, Grants: []Grant{{RoleExternal, City}}, Only: []Permission{PermMetricsRead}}
	if key.Can(CasePermission("report")) || !key.Can(PermMetricsRead) {
		t.Error("a narrowed key holds only its listed permissions")
	}
	oneTime := Principal{Kind: KindUser, Grants: []Grant{{RoleAdmin, City}}, MustChangePassword: true}
	if err := oneTime.Check(PermCaseRead, nil); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("one-time password: %v", err)
	}
}

func TestAuthorizeTopic(t *testing.T) {
	district := Principal{Kind: KindUser, Grants: []Grant{{RoleLeader, Scope{ScopeDistrict, "420106"}}}}
	city := Principal{Kind: KindUser, Grants: []Grant{{RoleLeader, City}}}
	area := &Target{District: "420106", Street: "420106001"}
	other := &Target{District: "420102"}
	for _, c := range []struct {
		p          Principal
		topic      string
		area, item *Target
		want       domain.Code
	}{
		{city, "indicators:city", nil, nil, ""},
		{district, "indicators:city", nil, nil, domain.CodeForbidden},
		{district, "indicators:street:420106001", area, nil, ""},
		{district, "indicators:district:420102", other, nil, domain.CodeForbidden},
		{district, "indicators:district:999", nil, nil, domain.CodeNotFound},
		{district, "cases", nil, nil, ""},
		{district, "case:x", nil, &caseAt, ""},
		{district, "case:y", nil, other, domain.CodeForbidden},
		{district, "map:districts", nil, nil, ""},
		{Anonymous, "cases", nil, nil, domain.CodeUnauthorized},
		{Screen, "indicators:city", nil, nil, ""},
		{city, "weather", nil, nil, domain.CodeInvalid},
		{city, "cases:extra", nil, nil, domain.CodeInvalid},
		{district, "cases:district:420106", &Target{District: "420106"}, nil, ""},
		{district, "cases:street:420106001", area, nil, ""},
		{district, "map:cases:street:420106001", area, nil, ""},
		{district, "cases:district:420102", other, nil, domain.CodeForbidden},
		{district, "map:cases:district:420102", other, nil, domain.CodeForbidden},
		{district, "cases:district:999", nil, nil, domain.CodeNotFound},
		{city, "cases:community:420106001001", nil, nil, domain.CodeInvalid},
		{city, "cases:city", nil, nil, domain.CodeInvalid},
		{city, "map:cases:department:wh-cg", nil, nil, domain.CodeInvalid},
		{city, "indicators:department:wh-cg", nil, nil, domain.CodeInvalid},
	} {
		err := c.p.AuthorizeTopic(c.topic, c.area, c.item)
		if got := codeOrEmpty(err); got != c.want {
			t.Errorf("%v on %s: %v, want %q", c.p.Grants, c.topic, err, c.want)
		}
	}
}

func codeOrEmpty(err error) domain.Code {
	if err == nil {
		return ""
	}
	return domain.CodeOf(err)
}

func TestDecideFailureLocksAtTheLimit(t *testing.T) {
	u := &User{Login: "x"}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pol := DefaultLockPolicy
	for i := 1; i < pol.MaxFailures; i++ {
		ps := DecideFailure(u, now, pol)
		if len(ps) != 1 {
			t.Fatalf("failure %d locked early: %v", i, ps)
		}
		u.Apply(ps[0], now)
		now = now.Add(time.Minute)
	}
	ps := DecideFailure(u, now, pol)
	if len(ps) != 2 || ps[1].(LockedOut).Until != now.Add(pol.Lock) {
		t.Fatalf("failure %d: %v, want a lock", pol.MaxFailures, ps)
	}
	for _, p := range ps {
		u.Apply(p, now)
	}
	if !u.Locked(now) || DecideFailure(u, now, pol) != nil || u.Locked(now.Add(pol.Lock)) {
		t.Fatal("locked users write nothing more, and the lock ends")
	}
	// Failures older than the window do not count.
	old := &User{Login: "y"}
	for i := 0; i < 10; i++ {
		old.Apply(LoginFailed{}, now.Add(-time.Hour))
	}
	if len(DecideFailure(old, now, pol)) != 1 {
		t.Fatal("old failures locked the user")
	}
}

func TestValidation(t *testing.T) {
	if _, err := NormalizeLogin(" Zhang.San "); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "a", "-abc", "张三", "a b", string(make([]byte, 70))} {
		if _, err := NormalizeLogin(bad); domain.CodeOf(err) != domain.CodeInvalid {
			t.Errorf("login %q: %v", bad, err)
		}
	}
	for pw, want := range map[string]domain.Code{"short": domain.CodeInvalid, "zhangsan01": domain.CodeInvalid, "a long enough one": ""} {
		if got := codeOrEmpty(CheckPassword(pw, "zhangsan01")); got != want {
			t.Errorf("password %q: %q, want %q", pw, got, want)
		}
	}
	if _, err := NewUser("id", "li", "李四", nil); domain.CodeOf(err) != domain.CodeInvalid {
		t.Errorf("a user without grants: %v", err)
	}
	if _, err := NewUser("id", "li", "李四", []Grant{{Role: "mayor", Scope: City}}); domain.CodeOf(err) != domain.CodeInvalid {
		t.Errorf("an unknown role: %v", err)
	}
	if _, err := NewKey(KeyIssued{Name: "k", Grants: []Grant{{RoleAdmin, City}}}); domain.CodeOf(err) != domain.CodeInvalid {
		t.Errorf("a key with the admin role: %v", err)
	}
	if _, err := NewKey(KeyIssued{Name: "k", Only: []Permission{PermUserManage}}); domain.CodeOf(err) != domain.CodeInvalid {
		t.Errorf("a key with user.manage: %v", err)
	}
	if k, err := NewKey(KeyIssued{Name: "k"}); err != nil || k.Channel != "api" || k.RatePerMinute != 600 || k.Grants[0].Role != RoleExternal {
		t.Errorf("key defaults: %+v %v", k, err)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	for typ := range decoders {
		v, _ := decoders[typ]([]byte("{}"))
		e, err := Encode(v, "00000000-0000-7000-8000-000000000001", time.Now(), domain.Metadata{})
		if err != nil || e.Type != typ {
			t.Fatalf("%s: %v %s", typ, err, e.Type)
		}
		if _, err := Decode(domain.RecordedEvent{EventData: e}); err != nil {
			t.Fatal(err)
		}
	}
}
