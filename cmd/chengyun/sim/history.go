package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// Actors of the demo's staff, as their events name them. The live simulator logs in as these
// users; the history writes the same names.
var staffLogin = map[Role]string{Operator: "demo-operator", Dispatcher: "demo-dispatcher", Handler: "demo-handler", Patroller: "demo-grid"}

// StaffLogin is the login of the demo user who plays role.
func StaffLogin(r Role) string { return staffLogin[r] }

// CaseHistory is one case's events up to the cut.
type CaseHistory struct {
	Stream string
	Events []domain.EventData
	Open   bool // the story goes on after the cut: the live simulator picks the case up
	// Refused are the story's steps the domain said no to, with its reasons (a story must fit
	// the domain: tests hold this at zero).
	Refused []error
}

// History decides an arrival's story with the real domain, step by step at the story's
// instants, marking deadline warnings and overdue as the scheduler would, and stops at cut.
// Event ids are drawn from the case id, so the same arrival always gives the same events. A
// step the domain refuses (a story written for another status) is skipped, as a person would
// find the button missing.
func (g *Generator) History(a Arrival, cut time.Time) CaseHistory {
	w := g.World
	h := CaseHistory{Stream: cases.StreamID(a.CaseID)}
	if !a.At.Before(cut) {
		return h
	}
	seed := fnv.New64a()
	_, _ = seed.Write([]byte(a.CaseID))
	ids := rand.New(rand.NewPCG(seed.Sum64(), g.Seed))
	st := cases.Fold(a.CaseID, nil)
	now := a.At
	env := cases.Env{Catalog: w.City.Catalog, Routing: w.City.Routing, Calendar: w.City.Calendar, Locate: w.locate}
	do := func(cmd cases.Command, actor, channel string) bool {
		env.Now, env.Actor = now, actor
		evs, err := cases.Decide(st, cmd, env)
		if err != nil {
			if channel != "scheduler" {
				h.Refused = append(h.Refused, fmt.Errorf("%s at %s: %w", cmd.Name(), now.Format(time.RFC3339), err))
			}
			return false
		}
		if len(evs) == 0 {
			return false
		}
		md := domain.Metadata{Actor: actor, Channel: channel}
		for _, e := range evs {
			st.Apply(e)
			data, err := cases.Encode(e, newUUID(ids), md)
			if err != nil {
				return false
			}
			h.Events = append(h.Events, data)
		}
		return true
	}
	// wait moves the clock to until (at most cut), writing each warning and overdue mark the
	// scheduler would write on the way, in time order.
	wait := func(until time.Time) {
		if until.After(cut) {
			until = cut
		}
		for {
			// The earliest mark due; ties (two stages due at once) go by stage, so that map
			// order never reaches the log.
			var next *cases.MarkDeadline
			var at time.Time
			consider := func(m cases.MarkDeadline, t time.Time) {
				if t.After(until) {
					return
				}
				if next == nil || t.Before(at) || (t.Equal(at) && (m.Stage < next.Stage || (m.Stage == next.Stage && !m.Overdue))) {
					next, at = &m, t
				}
			}
			for _, d := range st.Deadlines {
				k := d.Key()
				switch {
				case st.Overdue[k]:
				case !st.Warned[k]:
					consider(cases.MarkDeadline{Stage: d.Stage, Due: d.Due}, d.WarnAt)
				default:
					consider(cases.MarkDeadline{Stage: d.Stage, Due: d.Due, Overdue: true}, d.Due)
				}
			}
			if next == nil {
				break
			}
			now = maxTime(now, at)
			if !do(*next, "system:scheduler", "scheduler") {
				break
			}
		}
		now = maxTime(now, until)
	}
	rep := a.Report
	if !do(rep, actorOf(RoleOf(rep.Source, "report")), string(rep.Source)) {
		return h
	}
	for _, s := range a.Steps {
		at := a.At.Add(s.After)
		wait(at)
		if !at.Before(cut) {
			h.Open = true
			return h
		}
		do(s.Cmd, actorOf(RoleOf(rep.Source, s.Cmd.Name())), "web")
	}
	wait(cut)
	return h
}

func actorOf(r Role) string { return "user:" + staffLogin[r] }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// locate is the domain's view of the city's point index.
func (w *World) locate(p cases.Point) cases.Location {
	l := w.index.Locate(orb.Point{p.Lon, p.Lat})
	return cases.Location{District: l.District, Street: l.Street, Community: l.Community, Grid: l.Grid, OutOfJurisdiction: !l.Inside}
}
