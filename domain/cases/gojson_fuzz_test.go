package cases

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodersAgree holds go-json, which decodes stored events, to encoding/json: for any data
// encoding/json accepts as a payload, go-json reads the same payload.
func FuzzDecodersAgree(f *testing.F) {
	for _, s := range []string{`{"caseId":"x","source":"hotline","category":"E0101","title":"噪音","location":{"district":"420102"}}`,
		`{"department":"cg","acceptDue":{"stage":"accept","due":"2026-03-02T10:00:00Z"}}`, `{"pass":true,"note":"\u003c"}`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		for typ, dec := range decoders {
			want, err := decodeWith(typ, []byte(data), json.Unmarshal)
			if err != nil {
				continue
			}
			got, err := dec([]byte(data))
			if err != nil {
				t.Fatalf("%s: go-json refuses %q that encoding/json reads: %v", typ, data, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q: go-json %#v, encoding/json %#v", typ, data, got, want)
			}
		}
	})
}

// decodeWith decodes typ's payload with another decoder, by re-running the type's decoder on a
// fresh value through unmarshal.
func decodeWith(typ string, data []byte, unmarshal func([]byte, any) error) (Payload, error) {
	zero, _ := decoders[typ]([]byte(`{}`))
	ptr := reflect.New(reflect.TypeOf(zero))
	if err := unmarshal(data, ptr.Interface()); err != nil {
		return nil, err
	}
	return ptr.Elem().Interface().(Payload), nil
}
