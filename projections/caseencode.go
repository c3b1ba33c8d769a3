package projections

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// appendRecord appends the entry's stored row: the JSON of caseRecord, written by hand because
// encoding a row per changed case per batch is the case list's main cost in a replay, and
// reflection made it three times dearer. Zero fields are left out; decodeRecord reads the row
// back with encoding/json, into the same keys as cases.State's JSON tags, so a left-out field
// is its zero value. caseencode_test.go holds this to json.Marshal for every field of
// cases.State, so a field added there and not here fails it.
func (en *caseEntry) appendRecord(b []byte) ([]byte, error) {
	st := en.st
	b = append(b, `{"state":{"id":`...)
	b = appendString(b, st.ID)
	b = appendUint(b, "version", st.Version)
	b = appendStr(b, "status", string(st.Status))
	b = appendStr(b, "source", string(st.Source))
	b = appendStr(b, "category", st.Category)
	b = appendStr(b, "urgency", string(st.Urgency))
	b = appendStr(b, "title", st.Title)
	b = appendLocation(b, st.Location)
	if r := st.Reporter; r != nil {
		b = append(b, `,"reporter":{"name":`...)
		b = appendString(b, r.Name)
		b = append(b, `,"phone":`...)
		b = appendString(b, r.Phone)
		b = append(b, '}')
	}
	b = appendStr(b, "externalId", st.ExternalID)
	b = appendTime(b, "reportedAt", st.ReportedAt)
	b = appendStr(b, "department", st.Department)
	b = appendStr(b, "handler", st.Handler)
	var err error
	if st.Suspended != nil { // rare: encoding/json is good enough
		if b, err = appendJSON(b, "suspended", st.Suspended); err != nil {
			return b, domain.Internal("case list: encode case "+st.ID, err)
		}
	}
	if st.Extension != nil {
		if b, err = appendJSON(b, "pendingExtension", st.Extension); err != nil {
			return b, domain.Internal("case list: encode case "+st.ID, err)
		}
	}
	b = appendBool(b, "handled", st.Handled)
	b = appendBool(b, "passed", st.Passed)
	b = appendStr(b, "closedHow", st.ClosedHow)
	b = appendTime(b, "closedAt", st.ClosedAt)
	b = appendBool(b, "revisited", st.Revisited)
	b = appendInt(b, "returns", st.Returns)
	b = appendInt(b, "reworks", st.Reworks)
	b = appendInt(b, "extensions", st.Extensions)
	b = appendInt(b, "escalation", st.Escalation)
	b = appendInt(b, "supervised", st.Supervised)
	b = appendStr(b, "mergedInto", st.MergedInto)
	if len(st.Duplicates) > 0 {
		b = append(b, `,"duplicates":[`...)
		for i, d := range st.Duplicates {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d)
		}
		b = append(b, ']')
	}
	b = appendInt(b, "reopens", st.Reopens)
	b = appendTime(b, "lastChanged", st.LastChanged)
	b = append(b, '}')
	b = appendStr(b, "description", en.description)
	b = appendUint(b, "position", en.position)
	if len(st.Deadlines) > 0 {
		b = append(b, `,"deadlines":[`...)
		for i, d := range sortedDeadlines(st.Deadlines) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"stage":`...)
			b = appendString(b, string(d.Stage))
			b = appendTime(b, "due", d.Due)
			b = appendTime(b, "warnAt", d.WarnAt)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendMarks(b, "warned", st.Warned)
	b = appendMarks(b, "overdue", st.Overdue)
	if len(en.history) > 0 {
		b = append(b, `,"history":[`...)
		for i, h := range en.history {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"at":`...)
			b = strconv.AppendInt(b, h.At, 10)
			b = appendStr(b, "status", string(h.Status))
			b = appendBool(b, "overdue", h.Overdue)
			b = appendBool(b, "warned", h.Warned)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func appendLocation(b []byte, l cases.Location) []byte {
	b = append(b, `,"location":{`...)
	start := len(b)
	if p := l.Point; p != nil {
		b = append(b, `"point":{"lon":`...)
		b = strconv.AppendFloat(b, p.Lon, 'g', -1, 64)
		b = append(b, `,"lat":`...)
		b = strconv.AppendFloat(b, p.Lat, 'g', -1, 64)
		b = appendStr(b, "crs", p.CRS)
		b = append(b, '}')
	}
	b = appendStr(b, "address", l.Address)
	b = appendStr(b, "district", l.District)
	b = appendStr(b, "street", l.Street)
	b = appendStr(b, "community", l.Community)
	b = appendStr(b, "grid", l.Grid)
	b = appendBool(b, "outOfJurisdiction", l.OutOfJurisdiction)
	if len(b) > start && b[start] == ',' { // no point: the first field wrote a leading comma
		b = append(b[:start], b[start+1:]...)
	}
	return append(b, '}')
}

func appendMarks(b []byte, key string, m map[cases.DeadlineKey]bool) []byte {
	ms := marksOf(m)
	if len(ms) == 0 {
		return b
	}
	b = appendKey(b, key)
	b = append(b, '[')
	for i, mk := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"stage":`...)
		b = appendString(b, string(mk.Stage))
		b = append(b, `,"due":`...)
		b = strconv.AppendInt(b, mk.Due, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(appendKey(b, key), v)
}

func appendUint(b []byte, key string, v uint64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendUint(appendKey(b, key), v, 10)
}

func appendInt(b []byte, key string, v int) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(appendKey(b, key), int64(v), 10)
}

func appendBool(b []byte, key string, v bool) []byte {
	if !v {
		return b
	}
	return append(appendKey(b, key), "true"...)
}

// appendTime writes t as encoding/json does (RFC 3339 with nanoseconds); zero is left out.
func appendTime(b []byte, key string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(appendKey(b, key), '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendJSON(b []byte, key string, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(appendKey(b, key), raw...), nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD (as encoding/json does), everything else as it is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
