package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// MaxCommandBytes bounds a command's JSON body.
const MaxCommandBytes = 256 << 10

// external lists the commands outside callers may send, each with its JSON decoder.
// link-duplicate and mark-deadline are the system's own and have no route.
var external = map[string]func(*json.Decoder) (cases.Command, error){
	"report":            decodeInto[cases.Report],
	"verify":            decodeInto[cases.Verify],
	"void":              decodeInto[cases.Void],
	"register":          decodeInto[cases.Register],
	"close-on-spot":     decodeInto[cases.CloseOnSpot],
	"direct-answer":     decodeInto[cases.DirectAnswer],
	"dispatch":          decodeInto[cases.Dispatch],
	"accept":            decodeInto[cases.Accept],
	"return":            decodeInto[cases.Return],
	"request-extension": decodeInto[cases.RequestExtension],
	"grant-extension":   decodeInto[cases.GrantExtension],
	"deny-extension":    decodeInto[cases.DenyExtension],
	"suspend":           decodeInto[cases.Suspend],
	"resume":            decodeInto[cases.Resume],
	"handle":            decodeInto[cases.Handle],
	"inspect":           decodeInto[cases.Inspect],
	"close":             decodeInto[cases.Close],
	"revisit":           decodeInto[cases.Revisit],
	"reopen":            decodeInto[cases.Reopen],
	"supervise":         decodeInto[cases.Supervise],
	"escalate":          decodeInto[cases.Escalate],
	"merge":             decodeInto[cases.Merge], // Master is json:"-": callers cannot set it
}

// decodeInto reads one command of type C; a nil decoder (an empty body) gives its zero value.
func decodeInto[C cases.Command](dec *json.Decoder) (cases.Command, error) {
	var c C
	if dec != nil {
		if err := dec.Decode(&c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Names lists the commands outside callers may send.
func Names() []string {
	out := make([]string, 0, len(external))
	for n := range external {
		out = append(out, n)
	}
	return out
}

// Known reports whether name is a command outside callers may send.
func Known(name string) bool {
	_, ok := external[name]
	return ok
}

// Decode reads the JSON body of command name. Errors: not_found for an unknown command,
// too_large, and invalid naming the bad field (unknown fields are refused, so a typo is never
// silently ignored). An empty body is an empty object.
func Decode(name string, body []byte) (cases.Command, error) {
	decode, ok := external[name]
	if !ok {
		return nil, domain.NotFound("command", "there is no command %q", name)
	}
	if len(body) > MaxCommandBytes {
		return nil, domain.TooLarge("body", "%d bytes, at most %d", len(body), MaxCommandBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return decode(nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	cmd, err := decode(dec)
	if err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, domain.Invalid("body", "holds more than one JSON value")
	}
	return cmd, nil
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
