package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// HistoryStream records the demo history's plan and its completion, so that a restart
// neither writes the history twice nor loses a half-written one: the plan's anchor fixes
// every case, and re-appending an already stored case writes nothing.
const HistoryStream = "demo-history"

// Event types of HistoryStream.
const (
	TypeHistoryPlanned = "DemoHistoryPlanned"
	TypeHistoryWritten = "DemoHistoryWritten"
)

// Plan is what a history covers. Everything in it follows from the seed and the anchor.
type Plan struct {
	Seed    uint64    `json:"seed"`
	Anchor  time.Time `json:"anchor"` // the history ends here; live activity starts here
	Days    int       `json:"days"`   // days before the anchor
	Scale   float64   `json:"scale"`
	YearAgo float64   `json:"yearAgo"`
}

// Windows are the spans of the plan in the order they are written: the last 30 days first
// (what the screen shows from the first minute), then the same month a year earlier (a day
// either side, for 同比), then the older days (for the 环比 of the 30-day windows).
func (p Plan) Windows(loc *time.Location) []Window {
	a := p.Anchor.In(loc)
	year := a.AddDate(-1, 0, 0)
	recent := min(p.Days, 30)
	out := []Window{
		{From: a.AddDate(0, 0, -recent), To: a, Factor: 1},
		{From: year.AddDate(0, 0, -32), To: year.AddDate(0, 0, 1), Factor: p.YearAgo},
	}
	if p.Days > recent {
		out = append(out, Window{From: a.AddDate(0, 0, -p.Days), To: a.AddDate(0, 0, -recent), Factor: 1})
	}
	return out
}

// Window is a span of history at a volume factor.
type Window struct {
	From, To time.Time
	Factor   float64
}

// Written is the record of a finished history.
type Written struct {
	Cases   int     `json:"cases"`
	Events  int     `json:"events"`
	Open    int     `json:"open"` // cases still open at the anchor
	Seconds float64 `json:"seconds"`
}

// HistoryState reads the history stream: the plan (nil when there is none) and, when the
// history was finished, its record.
func HistoryState(ctx context.Context, store domain.EventStore) (*Plan, *Written, error) {
	evs, err := store.ReadStream(ctx, HistoryStream, 0, 10)
	if err != nil {
		return nil, nil, err
	}
	var plan *Plan
	var done *Written
	for _, e := range evs {
		switch e.Type {
		case TypeHistoryPlanned:
			plan = new(Plan)
			if err := json.Unmarshal(e.Data, plan); err != nil {
				return nil, nil, fmt.Errorf("%s event %d: %w", HistoryStream, e.Version, err)
			}
		case TypeHistoryWritten:
			done = new(Written)
			if err := json.Unmarshal(e.Data, done); err != nil {
				return nil, nil, fmt.Errorf("%s event %d: %w", HistoryStream, e.Version, err)
			}
		}
	}
	return plan, done, nil
}

// RecordPlan stores plan as the history to write, unless one is stored already: the stored
// one wins (a second node, or a restart with other flags), and is returned.
func RecordPlan(ctx context.Context, store domain.EventStore, plan Plan) (Plan, error) {
	data, _ := json.Marshal(plan)
	_, err := store.Append(ctx, HistoryStream, domain.ExpectNoStream, []domain.EventData{{ID: uuid.NewString(),
		Type: TypeHistoryPlanned, SchemaVersion: 1, Data: data, OccurredAt: plan.Anchor,
		Metadata: domain.Metadata{Actor: "system:demo", Channel: "demo"}}})
	if err != nil && !errors.Is(err, domain.ErrConflict) {
		return Plan{}, err
	}
	stored, _, err := HistoryState(ctx, store)
	if err != nil {
		return Plan{}, err
	}
	if stored == nil {
		return Plan{}, fmt.Errorf("%s holds no plan after writing one", HistoryStream)
	}
	return *stored, nil
}

// Progress is read while a backfill runs.
type Progress struct {
	Cases, Events, Open atomic.Int64
	// WindowDone, when set, is called as each of the plan's windows is written (0: the last
	// 30 days, whose open cases the live staff can take up at once).
	WindowDone func(i int)
}

// Backfill writes the plan's history, window by window: the hours of a window are drawn by
// two generators in parallel and their cases appended by many concurrent writers, which the
// store gathers into large commits. It is safe to run again after a crash: every case is the
// same, and a case already stored is answered from the store without writing. Errors: the
// store's.
func Backfill(ctx context.Context, store domain.EventStore, g *Generator, plan Plan, writers int, p *Progress) (Written, error) {
	start := time.Now()
	for i, w := range plan.Windows(g.loc) {
		if err := backfillWindow(ctx, store, g, plan.Anchor, w, writers, p); err != nil {
			return Written{}, err
		}
		if p.WindowDone != nil {
			p.WindowDone(i)
		}
	}
	done := Written{Cases: int(p.Cases.Load()), Events: int(p.Events.Load()), Open: int(p.Open.Load()), Seconds: time.Since(start).Seconds()}
	data, _ := json.Marshal(done)
	_, err := store.Append(ctx, HistoryStream, domain.ExpectAny, []domain.EventData{{ID: uuid.NewString(),
		Type: TypeHistoryWritten, SchemaVersion: 1, Data: data, OccurredAt: plan.Anchor,
		Metadata: domain.Metadata{Actor: "system:demo", Channel: "demo"}}})
	return done, err
}

func backfillWindow(ctx context.Context, store domain.EventStore, g *Generator, cut time.Time, win Window, writers int, p *Progress) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hours := make(chan Window, 64)
	histories := make(chan CaseHistory, 4*writers)
	go func() {
		defer close(hours)
		for h := win.From.Truncate(time.Hour); h.Before(win.To); h = h.Add(time.Hour) {
			select {
			case hours <- Window{From: maxTime(h, win.From), To: minTime(h.Add(time.Hour), win.To), Factor: win.Factor}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var gen sync.WaitGroup
	for range 2 {
		gen.Add(1)
		go func() {
			defer gen.Done()
			for w := range hours {
				for _, a := range g.Hour(w.From, w.Factor) {
					if a.At.Before(w.From) || !a.At.Before(w.To) {
						continue // the part of an hour a window leaves out
					}
					if h := g.History(a, cut); len(h.Events) > 0 {
						select {
						case histories <- h:
						case <-ctx.Done():
							return
						}
					}
				}
			}
		}()
	}
	go func() { gen.Wait(); close(histories) }()
	var failed error
	var once sync.Once
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range histories {
				if _, err := appendRetrying(ctx, store, h); err != nil {
					once.Do(func() { failed = fmt.Errorf("write %s: %w", h.Stream, err); cancel() })
					return
				}
				p.Cases.Add(1)
				p.Events.Add(int64(len(h.Events)))
				if h.Open {
					p.Open.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

// appendRetrying appends a case's history, retrying while the store is unavailable.
func appendRetrying(ctx context.Context, store domain.EventStore, h CaseHistory) (domain.AppendResult, error) {
	wait := 50 * time.Millisecond
	for {
		res, err := store.Append(ctx, h.Stream, domain.ExpectNoStream, h.Events)
		if !errors.Is(err, domain.ErrUnavailable) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
