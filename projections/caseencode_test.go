package projections

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// encodedStateFields are the fields of cases.State that appendRecord writes (the deadline
// maps go in the record beside the state). A field added to cases.State must be added to
// appendRecord and here, or a loaded list would lose it.
var encodedStateFields = []string{"ID", "Version", "Status", "Source", "Category", "Urgency", "Title", "Location",
	"Reporter", "ExternalID", "ReportedAt", "Department", "Handler", "Deadlines", "Warned", "Overdue", "Suspended",
	"Extension", "Handled", "Passed", "ClosedHow", "ClosedAt", "Revisited", "Returns", "Reworks", "Extensions",
	"Escalation", "Supervised", "MergedInto", "Duplicates", "Reopens", "LastChanged"}

func TestRecordEncoderKnowsEveryStateField(t *testing.T) {
	typ := reflect.TypeFor[cases.State]()
	var got []string
	for i := range typ.NumField() {
		got = append(got, typ.Field(i).Name)
	}
	if !slices.Equal(got, encodedStateFields) {
		t.Fatalf("cases.State has fields %v; appendRecord writes %v", got, encodedStateFields)
	}
}

func fullState() *caseEntry {
	at := time.Date(2026, 3, 2, 1, 31, 0, 123456789, time.UTC)
	due := cases.Deadline{Stage: cases.StageHandle, Due: at.Add(24 * time.Hour), WarnAt: at.Add(20 * time.Hour)}
	acc := cases.Deadline{Stage: cases.StageAccept, Due: at.Add(2 * time.Hour), WarnAt: at.Add(time.Hour)}
	st := &cases.State{ID: "0190a6c4-0000-7000-8000-000000000001", Version: 12, Status: cases.StatusSuspended,
		Source: cases.SourceHotline, Category: "H0101", Urgency: "urgent", Title: "噪音 \"扰民\" \\ 夜间\n\t施工\x01",
		Location: cases.Location{Point: &cases.Point{Lon: 114.30512345678, Lat: 30.55, CRS: ""}, Address: "武昌区 中北路 <1> & 2",
			District: "420106", Street: "420106001", Community: "420106001002", Grid: "420106001002003", OutOfJurisdiction: true},
		Reporter: &cases.Reporter{Name: "欧阳 先生", Phone: "13800138000"}, ExternalID: "12345-2026-000001",
		ReportedAt: at, Department: "wh-cgw", Handler: "staff-7",
		Deadlines: map[catalog.Stage]cases.Deadline{cases.StageHandle: due, cases.StageAccept: acc},
		Warned:    map[cases.DeadlineKey]bool{due.Key(): true, acc.Key(): true},
		Overdue:   map[cases.DeadlineKey]bool{acc.Key(): true},
		Suspended: &cases.Suspension{At: at.Add(time.Hour), Remaining: 90 * time.Minute},
		Extension: &cases.ExtensionRequested{Extra: catalog.Limit{Days: 2, Time: 4 * time.Hour}, Reason: "需更换管道"},
		Handled:   true, Passed: true, ClosedHow: cases.ClosedInspected, ClosedAt: at.Add(3 * time.Hour), Revisited: true,
		Returns: 1, Reworks: 2, Extensions: 3, Escalation: 4, Supervised: 5, MergedInto: "master", Duplicates: []string{"d1", "d2"},
		Reopens: 6, LastChanged: at.Add(4 * time.Hour)}
	return &caseEntry{st: st, description: "描述\u2028与\u0000控制字符", position: 987654321, history: []stage{
		{At: at.UnixNano(), Status: cases.StatusReported}, {At: at.Add(time.Hour).UnixNano(), Status: cases.StatusDispatched, Warned: true},
		{At: at.Add(2 * time.Hour).UnixNano(), Status: cases.StatusSuspended, Overdue: true, Warned: true}}}
}

// TestRecordRoundTrip: a row written by hand reads back, with encoding/json, to the state it
// was written from; an empty state reads back too.
func TestRecordRoundTrip(t *testing.T) {
	for _, en := range []*caseEntry{fullState(), {st: &cases.State{ID: "x"}}, {st: &cases.State{ID: "y", Location: cases.Location{Address: "only"}}}} {
		b, err := en.appendRecord(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("not JSON: %s", b)
		}
		back, err := decodeRecord(en.st.ID, b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.st, en.st) || back.description != en.description || back.position != en.position || !reflect.DeepEqual(back.history, en.history) {
			t.Fatalf("round trip:\n%+v\n%+v\n%s", back.st, en.st, b)
		}
		// encoding/json's view of the state is the same as ours.
		std, _ := json.Marshal(en.st)
		var a, c cases.State
		_ = json.Unmarshal(std, &a)
		var rec struct {
			State json.RawMessage `json:"state"`
		}
		_ = json.Unmarshal(b, &rec)
		_ = json.Unmarshal(rec.State, &c)
		if !reflect.DeepEqual(a, c) {
			t.Fatalf("encoding/json reads the hand-written state differently:\n%+v\n%+v", a, c)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "井盖", "\"\\/\b\f\n\r\t", "\x00\x1f\x7f", "\xff\xfe", "a\u2028b", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, b, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if !utf8.ValidString(s) {
			// encoding/json replaces each invalid byte, ToValidUTF8 each run: compare with it.
			std, _ := json.Marshal(s)
			_ = json.Unmarshal(std, &want)
		}
		if back != want {
			t.Fatalf("%q came back as %q, want %q", s, back, want)
		}
	})
}
