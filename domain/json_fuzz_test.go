package domain

import (
	"encoding/json"
	"testing"
)

// FuzzJSONValidity checks that the fast validator used on every appended event agrees with the
// standard library's: data accepted into the log must be readable by every JSON decoder we use.
func FuzzJSONValidity(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2,{"b":null}]}`, `"城"`, `{"a":`, `[1,]`, `"\ud800"`, "\"\xff\"", `1e999`, ` {"a":1} `, `{"a":1}x`, `-0`, `01`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
