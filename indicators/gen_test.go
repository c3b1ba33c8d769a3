package indicators

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/geo/cities"
)

// wuhanCity is the shipped Wuhan catalog, routing table and calendar.
var wuhanCity = sync.OnceValues(func() (commands.City, error) {
	fsys, err := cities.Open("wuhan")
	if err != nil {
		return commands.City{}, err
	}
	return commands.LoadCity(fsys)
})

// genOpts size a generated history.
type genOpts struct {
	cases int
	start time.Time     // the first report
	span  time.Duration // reports spread over it
	seed  uint64
}

// generate makes a realistic random history of the case loop with the real domain (every
// event decided by cases.Decide on the Wuhan catalog, routing and calendar, deadlines marked
// as the scheduler would), merged into one log in time order.
func generate(t testing.TB, o genOpts) []domain.RecordedEvent {
	city, err := wuhanCity()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15))
	var cats []string
	for _, c := range city.Catalog.Categories() {
		cats = append(cats, c.Code)
	}
	type timed struct {
		e   domain.EventData
		id  string
		seq int
	}
	var all []timed
	seq := 0
	for n := 0; n < o.cases; n++ {
		id := uuid.Must(uuid.NewRandomFromReader(rngReader{rng})).String()
		now := o.start.Add(time.Duration(rng.Int64N(int64(o.span))))
		st := cases.Fold(id, nil)
		do := func(cmd cases.Command) bool {
			env := cases.Env{Now: now, Actor: "gen", Catalog: city.Catalog, Routing: city.Routing, Calendar: city.Calendar}
			evs, err := cases.Decide(st, cmd, env)
			if err != nil {
				return false
			}
			for _, e := range evs {
				st.Apply(e)
				data, err := cases.Encode(e, uuid.Must(uuid.NewRandomFromReader(rngReader{rng})).String(), domain.Metadata{Actor: "gen"})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, timed{e: data, id: id, seq: seq})
				seq++
			}
			return true
		}
		// wait moves the clock, marking any deadline the wait passes as the scheduler would.
		wait := func(d time.Duration) {
			until := now.Add(d)
			for {
				var next *cases.Deadline
				for _, dl := range st.Deadlines {
					if !dl.Due.After(until) && !st.Overdue[cases.DeadlineKey{Stage: dl.Stage, Due: dl.Due.UnixNano()}] && (next == nil || dl.Due.Before(next.Due)) {
						dl := dl
						next = &dl
					}
				}
				if next == nil {
					break
				}
				if next.Due.After(now) {
					now = next.Due
				}
				if !do(cases.MarkDeadline{Stage: next.Stage, Due: next.Due, Overdue: true}) {
					break
				}
			}
			now = until
		}
		minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
		src := pick(rng, []cases.Source{"hotline", "hotline", "hotline", "patrol", "patrol", "video", "open311", "sensor"})
		district := fmt.Sprintf("4201%02d", 2+rng.IntN(13))
		street := district + fmt.Sprintf("%03d", 1+rng.IntN(8))
		grid := street + fmt.Sprintf("%03d%03d", 1+rng.IntN(3), 1+rng.IntN(5))
		urgency := pick(rng, []catalog.Urgency{"normal", "normal", "normal", "normal", "urgent", "critical"})
		rep := cases.Report{Source: src, Category: cats[rng.IntN(len(cats))], Urgency: urgency, Title: "生成的案件",
			Location: cases.Location{Address: "武汉市", District: district, Street: street, Grid: grid},
			Reporter: &cases.Reporter{Name: "市民", Phone: "13800000000"}}
		if !do(rep) {
			continue
		}
		roll := rng.Float64()
		switch {
		case roll < 0.05:
			wait(minutes(5, 90))
			do(cases.Void{Reason: "重复"})
			continue
		case roll < 0.12 && src == "hotline":
			wait(minutes(1, 20))
			if do(cases.DirectAnswer{Answer: "已答复"}) && rng.IntN(2) == 0 {
				wait(minutes(600, 3000))
				do(revisit(rng))
			}
			continue
		case roll < 0.2 && src == "patrol":
			wait(minutes(10, 120))
			do(cases.CloseOnSpot{Feedback: "已自行处置"})
			continue
		}
		wait(minutes(2, 90))
		do(cases.Verify{})
		wait(minutes(2, 120))
		do(cases.Register{})
		wait(minutes(5, 240))
		do(cases.Dispatch{})
		if rng.IntN(10) == 0 {
			wait(minutes(10, 300))
			do(cases.Return{Reason: "不属本单位"})
			wait(minutes(10, 200))
			do(cases.Dispatch{})
		}
		wait(minutes(5, 300))
		do(cases.Accept{})
		if rng.IntN(20) == 0 {
			do(cases.Supervise{Note: "督办"})
		}
		if rng.IntN(10) == 0 {
			wait(minutes(60, 600))
			do(cases.RequestExtension{Extra: "2d", Reason: "需要协调"})
			wait(minutes(30, 300))
			if rng.IntN(5) == 0 {
				do(cases.DenyExtension{Reason: "不予延期"})
			} else {
				do(cases.GrantExtension{})
			}
		}
		if rng.IntN(25) == 0 {
			do(cases.Suspend{Reason: "等待审批"})
			wait(minutes(600, 4000))
			do(cases.Resume{})
		}
		if rng.IntN(50) == 0 {
			do(cases.Escalate{Reason: "超期", Level: 1})
		}
		wait(minutes(30, 5*24*60))
		do(cases.Handle{Feedback: "已处置"})
		wait(minutes(10, 600))
		if rng.IntN(8) == 0 {
			do(cases.Inspect{Pass: false, Note: "未处置到位"})
			wait(minutes(60, 2000))
			do(cases.Handle{Feedback: "返工完成"})
			wait(minutes(10, 300))
		}
		do(cases.Inspect{Pass: true})
		wait(minutes(5, 120))
		do(cases.Close{})
		if rng.IntN(10) < 6 {
			wait(minutes(600, 3000))
			do(revisit(rng))
		}
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		if c := a.e.OccurredAt.Compare(b.e.OccurredAt); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	out := make([]domain.RecordedEvent, len(all))
	versions := map[string]uint64{}
	for i, x := range all {
		versions[x.id]++
		out[i] = domain.RecordedEvent{EventData: x.e, StreamID: cases.StreamID(x.id), Version: versions[x.id], Position: uint64(i + 1), RecordedAt: x.e.OccurredAt}
	}
	return out
}

func revisit(rng *rand.Rand) cases.Revisit {
	if rng.IntN(10) == 0 {
		return cases.Revisit{Reached: false}
	}
	return cases.Revisit{Reached: true, Solved: rng.IntN(10) < 8, Satisfaction: pick(rng, []string{cases.Satisfied, cases.Satisfied, cases.BasicSatisfied, cases.Unsatisfied})}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// rngReader lets uuid draw its bytes from the seeded generator, so a history is reproducible.
type rngReader struct{ r *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}
