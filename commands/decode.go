package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// MaxCommandBytes bounds a command's JSON body.
const MaxCommandBytes = 256 << 10

// external lists the commands outside callers may send, with a zero value to decode into.
// link-duplicate and mark-deadline are the system's own and have no route.
var external = map[string]func() any{
	"report":            func() any { return &cases.Report{} },
	"verify":            func() any { return &cases.Verify{} },
	"void":              func() any { return &cases.Void{} },
	"register":          func() any { return &cases.Register{} },
	"close-on-spot":     func() any { return &cases.CloseOnSpot{} },
	"direct-answer":     func() any { return &cases.DirectAnswer{} },
	"dispatch":          func() any { return &cases.Dispatch{} },
	"accept":            func() any { return &cases.Accept{} },
	"return":            func() any { return &cases.Return{} },
	"request-extension": func() any { return &cases.RequestExtension{} },
	"grant-extension":   func() any { return &cases.GrantExtension{} },
	"deny-extension":    func() any { return &cases.DenyExtension{} },
	"suspend":           func() any { return &cases.Suspend{} },
	"resume":            func() any { return &cases.Resume{} },
	"handle":            func() any { return &cases.Handle{} },
	"inspect":           func() any { return &cases.Inspect{} },
	"close":             func() any { return &cases.Close{} },
	"revisit":           func() any { return &cases.Revisit{} },
	"reopen":            func() any { return &cases.Reopen{} },
	"supervise":         func() any { return &cases.Supervise{} },
	"escalate":          func() any { return &cases.Escalate{} },
	"merge":             func() any { return &cases.Merge{} },
}

// Names lists the commands outside callers may send.
func Names() []string {
	out := make([]string, 0, len(external))
	for n := range external {
		out = append(out, n)
	}
	return out
}

// Decode reads the JSON body of command name. Errors: not_found for an unknown command,
// too_large, and invalid naming the bad field (unknown fields are refused, so a typo is never
// silently ignored). An empty body is an empty object.
func Decode(name string, body []byte) (cases.Command, error) {
	mk, ok := external[name]
	if !ok {
		return nil, domain.NotFound("command", "there is no command %q", name)
	}
	if len(body) > MaxCommandBytes {
		return nil, domain.TooLarge("body", "%d bytes, at most %d", len(body), MaxCommandBytes)
	}
	v := mk()
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return nil, jsonError(err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, domain.Invalid("body", "holds more than one JSON value")
		}
	}
	return deref(v), nil
}

func deref(v any) cases.Command {
	switch c := v.(type) {
	case *cases.Report:
		return *c
	case *cases.Verify:
		return *c
	case *cases.Void:
		return *c
	case *cases.Register:
		return *c
	case *cases.CloseOnSpot:
		return *c
	case *cases.DirectAnswer:
		return *c
	case *cases.Dispatch:
		return *c
	case *cases.Accept:
		return *c
	case *cases.Return:
		return *c
	case *cases.RequestExtension:
		return *c
	case *cases.GrantExtension:
		return *c
	case *cases.DenyExtension:
		return *c
	case *cases.Suspend:
		return *c
	case *cases.Resume:
		return *c
	case *cases.Handle:
		return *c
	case *cases.Inspect:
		return *c
	case *cases.Close:
		return *c
	case *cases.Revisit:
		return *c
	case *cases.Reopen:
		return *c
	case *cases.Supervise:
		return *c
	case *cases.Escalate:
		return *c
	case *cases.Merge:
		return cases.Merge{Into: c.Into, Reason: c.Reason}
	}
	panic(fmt.Sprintf("commands: no deref for %T", v)) // a missing case above is a programming error caught by tests
}

// jsonError turns a decoding failure into an invalid error naming the field.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return domain.Invalid("body", "is not valid JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return domain.Invalid(field, "must be %s, not JSON %s", typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalid("body", "ends before its JSON value does")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return domain.Invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a field of this command")
	}
	// time.Time and other TextUnmarshalers report their own errors without a field.
	return domain.Invalid("body", "%v", err)
}
