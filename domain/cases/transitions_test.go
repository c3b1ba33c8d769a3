package cases_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// sample is a well-formed instance of each command, so that only the status decides.
func sample(t *testing.T) map[string]cases.Command {
	return map[string]cases.Command{
		"report":            report(t, cases.SourceHotline),
		"verify":            cases.Verify{Note: "现场核实属实"},
		"void":              cases.Void{Reason: "重复上报"},
		"register":          cases.Register{},
		"close-on-spot":     cases.CloseOnSpot{Feedback: "已当场劝离"},
		"direct-answer":     cases.DirectAnswer{Answer: "已告知办理流程"},
		"dispatch":          cases.Dispatch{},
		"accept":            cases.Accept{},
		"return":            cases.Return{Reason: "不属于本单位职责"},
		"request-extension": cases.RequestExtension{Extra: "2d", Reason: "需协调施工单位"},
		"grant-extension":   cases.GrantExtension{},
		"deny-extension":    cases.DenyExtension{Reason: "时限充足"},
		"suspend":           cases.Suspend{Reason: "等待配件"},
		"resume":            cases.Resume{},
		"handle":            cases.Handle{Feedback: "已清理完毕", Photos: []string{"photos/after.jpg"}},
		"inspect":           cases.Inspect{Pass: true},
		"close":             cases.Close{},
		"revisit":           cases.Revisit{Reached: true, Satisfaction: cases.Satisfied, Solved: true},
		"reopen":            cases.Reopen{Reason: "市民反映问题复发"},
		"supervise":         cases.Supervise{Note: "请加快处置"},
		"escalate":          cases.Escalate{Reason: "多次超期"},
		"merge":             cases.Merge{Into: "0190a6c5-0000-7000-8000-000000000002", Master: master(t)},
		"link-duplicate":    cases.LinkDuplicate{Duplicate: "0190a6c5-0000-7000-8000-000000000003"},
		"mark-deadline":     cases.MarkDeadline{Stage: "handle", Due: start},
	}
}

// legal is the transition table, written out by hand (not derived from the code under
// test): for each status, the commands it allows and the status each one leads to.
var legal = map[cases.Status]map[string]cases.Status{
	cases.StatusNone:       {"report": cases.StatusReported},
	cases.StatusReported:   {"verify": cases.StatusVerified, "void": cases.StatusVoided, "close-on-spot": cases.StatusClosed, "direct-answer": cases.StatusClosed, "supervise": cases.StatusReported, "escalate": cases.StatusReported, "merge": cases.StatusMerged, "link-duplicate": cases.StatusReported, "mark-deadline": cases.StatusReported},
	cases.StatusVerified:   {"void": cases.StatusVoided, "register": cases.StatusRegistered, "supervise": cases.StatusVerified, "escalate": cases.StatusVerified, "merge": cases.StatusMerged, "link-duplicate": cases.StatusVerified, "mark-deadline": cases.StatusVerified},
	cases.StatusRegistered: {"dispatch": cases.StatusDispatched, "supervise": cases.StatusRegistered, "escalate": cases.StatusRegistered, "merge": cases.StatusMerged, "link-duplicate": cases.StatusRegistered, "mark-deadline": cases.StatusRegistered},
	cases.StatusDispatched: {"accept": cases.StatusAccepted, "return": cases.StatusRegistered, "supervise": cases.StatusDispatched, "escalate": cases.StatusDispatched, "merge": cases.StatusMerged, "link-duplicate": cases.StatusDispatched, "mark-deadline": cases.StatusDispatched},
	cases.StatusAccepted:   {"return": cases.StatusRegistered, "request-extension": cases.StatusAccepted, "grant-extension": cases.StatusAccepted, "deny-extension": cases.StatusAccepted, "suspend": cases.StatusSuspended, "handle": cases.StatusHandled, "supervise": cases.StatusAccepted, "escalate": cases.StatusAccepted, "merge": cases.StatusMerged, "link-duplicate": cases.StatusAccepted, "mark-deadline": cases.StatusAccepted},
	cases.StatusSuspended:  {"resume": cases.StatusAccepted, "supervise": cases.StatusSuspended, "escalate": cases.StatusSuspended, "merge": cases.StatusMerged, "link-duplicate": cases.StatusSuspended},
	cases.StatusHandled:    {"inspect": cases.StatusInspected, "supervise": cases.StatusHandled, "escalate": cases.StatusHandled, "merge": cases.StatusMerged, "link-duplicate": cases.StatusHandled, "mark-deadline": cases.StatusHandled},
	cases.StatusInspected:  {"close": cases.StatusClosed, "supervise": cases.StatusInspected, "escalate": cases.StatusInspected, "merge": cases.StatusMerged, "link-duplicate": cases.StatusInspected},
	cases.StatusClosed:     {"revisit": cases.StatusClosed, "reopen": cases.StatusRegistered, "link-duplicate": cases.StatusClosed, "mark-deadline": cases.StatusClosed},
	cases.StatusVoided:     {},
	cases.StatusMerged:     {},
}

// preconditions beyond the status: legal commands that still refuse a sample for a stated
// reason (checked by field, so a status refusal cannot hide behind them).
var preconditions = map[string]string{
	"accepted/grant-extension": "extension", // nothing pending
	"accepted/deny-extension":  "extension",
	"reported/direct-answer":   "source", // the walk reports from patrol; hotline in TestIntakeShortcuts
}

func TestTransitionTable(t *testing.T) {
	cmds := sample(t)
	if len(cmds) != len(cases.CommandNames()) {
		t.Fatalf("the sample covers %d commands, the domain has %d", len(cmds), len(cases.CommandNames()))
	}
	for status, next := range legal {
		for name, cmd := range cmds {
			s := walk(t, status)
			before := s.Version
			evs, err := cases.Decide(s, cmd, envAt(start.Add(24*time.Hour)))
			want, ok := next[name]
			label := string(status) + "/" + name
			if status == cases.StatusNone {
				label = "none/" + name
			}
			switch {
			case !ok && status == cases.StatusNone:
				if domain.CodeOf(err) != domain.CodeNotFound {
					t.Errorf("%s: want not_found, got %v", label, err)
				}
			case !ok:
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeConflict || de.Field != "status" || !strings.Contains(de.Msg, string(status)) {
					t.Errorf("%s: want a conflict naming status %s, got %v", label, status, err)
				}
			case preconditions[label] != "":
				var de *domain.Error
				if !errors.As(err, &de) || de.Field != preconditions[label] {
					t.Errorf("%s: want a refusal on %s, got %v", label, preconditions[label], err)
				}
			default:
				if err != nil {
					t.Errorf("%s: legal, but refused: %v", label, err)
					continue
				}
				for _, e := range evs {
					s.Apply(e)
				}
				if s.Status != want {
					t.Errorf("%s: led to %s, want %s", label, s.Status, want)
				}
			}
			if err != nil && s.Version != before {
				t.Errorf("%s: a refused command changed the state", label)
			}
		}
	}
}
