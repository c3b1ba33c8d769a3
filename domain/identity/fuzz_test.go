package identity

import "testing"

// FuzzParseScope: any scope string is parsed or refused with an error, and what parses
// prints back to itself.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"city", "district:420106", "grid:420106001002003", "department:wh-cg", "x:y", ":", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseScope("scope", s)
		if err == nil && sc.String() != s {
			t.Fatalf("%q parsed to %v", s, sc)
		}
	})
}

// FuzzTopic: any topic a client sends is authorized or refused without a panic.
func FuzzTopic(f *testing.F) {
	for _, s := range []string{"indicators:city", "indicators:district:420106", "cases", "case:1", "map:grids", "alarms", "indicators:", "case:"} {
		f.Add(s)
	}
	p := Principal{Kind: KindUser, Grants: []Grant{{RoleLeader, Scope{ScopeDistrict, "420106"}}}}
	f.Fuzz(func(t *testing.T, s string) {
		_ = p.AuthorizeTopic(s, &Target{District: "420106"}, &Target{District: "420106"})
		_ = Screen.AuthorizeTopic(s, nil, nil)
	})
}

// FuzzMask: masking never panics, keeps no more than a name's first character and a phone's
// first three and last four.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"李先生", "13800138000", "John Smith", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = MaskName(s)
		if m := MaskPhone(s); len([]rune(m)) != len([]rune(s)) {
			t.Fatalf("MaskPhone(%q) = %q changes the length", s, m)
		}
	})
}
