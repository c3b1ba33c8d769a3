package commands_test

import (
	"slices"
	"testing"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// FuzzDecode feeds arbitrary bodies to every command's JSON decoder, and what decodes to the
// domain: neither may panic, and a refusal is always a coded error (never internal).
func FuzzDecode(f *testing.F) {
	names := commands.Names()
	slices.Sort(names)
	seeds := []string{`{}`, ``, `{"source":"hotline","category":"P0101","title":"t","location":{"address":"a","point":{"lon":114,"lat":30}}}`,
		`{"department":"x","deadline":"2026-03-02T10:00:00Z"}`, `{"extra":"2d","reason":"r"}`, `{"pass":false,"note":"n","rework":"1d"}`,
		`{"reached":true,"satisfaction":"satisfied","solved":true}`, `{"into":"0190a6c5-0000-7000-8000-000000000002"}`,
		`{"level":3,"reason":"r"}`, `{"photos":["a","b"],"feedback":"f","point":{"lon":1e400,"lat":-91}}`, `[1,2]`, `{"note":"\u0000"}`}
	for i := range names {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	city := wuhan(f)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		name := names[int(which)%len(names)]
		cmd, err := commands.Decode(name, body)
		if err != nil {
			if c := domain.CodeOf(err); c != domain.CodeInvalid && c != domain.CodeTooLarge {
				t.Fatalf("%s: decode error with code %s: %v", name, c, err)
			}
			return
		}
		env := cases.Env{Now: monday, Catalog: city.Catalog, Routing: city.Routing, Calendar: city.Calendar}
		for _, st := range []cases.Status{cases.StatusNone, cases.StatusReported, cases.StatusAccepted, cases.StatusClosed} {
			s := &cases.State{ID: "0190a6c5-0000-7000-8000-000000000001", Status: st, Source: cases.SourceHotline, Category: "P0101", Urgency: "normal"}
			if _, err := cases.Decide(s, cmd, env); err != nil && domain.CodeOf(err) == domain.CodeInternal {
				t.Fatalf("%s in %s: internal error %v", name, st, err)
			}
		}
	})
}

// FuzzDecodeEvent feeds arbitrary stored data to the case event decoder: no panic, and a
// decoded event folds.
func FuzzDecodeEvent(f *testing.F) {
	for _, typ := range []string{cases.TypeReported, cases.TypeDispatched, cases.TypeExtGranted, cases.TypeSuspended, cases.TypeOverdue, cases.TypeClosed} {
		f.Add(typ, []byte(`{}`))
		f.Add(typ, []byte(`{"handleDue":{"stage":"handle","due":"2026-03-02T10:00:00Z"},"extra":{"days":1}}`))
	}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := cases.Decode(domain.RecordedEvent{EventData: domain.EventData{Type: typ, Data: data, SchemaVersion: 1}})
		if err != nil {
			return
		}
		s := &cases.State{ID: "x"}
		s.Apply(e)
		s.Apply(e)
	})
}
