package dashboard

import (
	"encoding/json"
	"slices"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/identity"
)

// maskCase hides the reporter's name and phone in a case and in its timeline, for principals
// without personal.read on it. The stored events are untouched: the copies are masked.
func maskCase(st *cases.State, events []domain.RecordedEvent) (*cases.State, []domain.RecordedEvent) {
	masked := *st
	masked.Reporter = maskReporter(st.Reporter)
	out := slices.Clone(events)
	for i := range out {
		if out[i].Type != cases.TypeReported {
			continue
		}
		var rep cases.Reported
		if err := json.Unmarshal(out[i].Data, &rep); err != nil {
			out[i].Data = json.RawMessage(`{}`) // fail closed: never show what could not be masked
			continue
		}
		rep.Reporter = maskReporter(rep.Reporter)
		b, err := json.Marshal(rep)
		if err != nil {
			b = []byte(`{}`)
		}
		out[i].Data = b
	}
	return &masked, out
}

func maskReporter(r *cases.Reporter) *cases.Reporter {
	if r == nil {
		return nil
	}
	return &cases.Reporter{Name: identity.MaskName(r.Name), Phone: identity.MaskPhone(r.Phone)}
}
