package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// nextCommand is the step that moves an open case on from each status.
var nextCommand = map[cases.Status]string{
	cases.StatusReported: "verify", cases.StatusVerified: "register", cases.StatusRegistered: "dispatch",
	cases.StatusDispatched: "accept", cases.StatusAccepted: "handle", cases.StatusSuspended: "resume",
	cases.StatusHandled: "inspect", cases.StatusInspected: "close",
}

// OpenStatuses are the statuses a case waits in for someone to act.
func OpenStatuses() []string {
	out := make([]string, 0, len(nextCommand))
	for _, s := range []cases.Status{cases.StatusReported, cases.StatusVerified, cases.StatusRegistered, cases.StatusDispatched,
		cases.StatusAccepted, cases.StatusSuspended, cases.StatusHandled, cases.StatusInspected} {
		out = append(out, string(s))
	}
	return out
}

// Continue is the rest of the story of a case the simulator finds open (one the history left
// open at its anchor, or one from before a restart): a story drawn from the case id, from the
// step its status waits for on, the first within the hour. Offsets count from now. It returns nil for a status nobody
// moves on (closed, voided, merged).
func (g *Generator) Continue(caseID string, source cases.Source, status cases.Status, now time.Time) []Step {
	want, ok := nextCommand[status]
	if !ok {
		return nil
	}
	if status == cases.StatusSuspended {
		// Few stories suspend: resume within the day, then go on as an accepted case.
		resume := time.Duration(fnv32(caseID)%(8*60)) * time.Minute
		rest := g.Continue(caseID, source, cases.StatusAccepted, now.Add(resume))
		out := []Step{{After: resume, Cmd: cases.Resume{}}}
		for _, s := range rest {
			out = append(out, Step{After: resume + s.After, Cmd: s.Cmd})
		}
		return out
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(caseID))
	rng := rand.New(rand.NewPCG(h.Sum64(), g.Seed^0x5bd1e995))
	for range 16 { // a story that took a shortcut (void, direct answer) is drawn again
		steps := story(rng, cases.Report{Source: source}, now, g.loc, g.DayShift)
		for j, s := range steps {
			if s.Cmd.Name() != want {
				continue
			}
			// Whoever finds the case takes it up within the hour, not after the wait its
			// story had before this step (that time has passed unseen).
			gap := time.Duration(rng.Int64N(int64(time.Hour)))
			out := make([]Step, 0, len(steps)-j)
			for _, t := range steps[j:] {
				out = append(out, Step{After: t.After - s.After + gap, Cmd: t.Cmd})
			}
			return out
		}
	}
	return nil
}
