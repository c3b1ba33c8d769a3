package dashboard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/indicators"
)

// MaxSeriesPoints bounds a series: each point is an as-of evaluation.
const MaxSeriesPoints = 96

// SeriesPoint is one instant of a series.
type SeriesPoint struct {
	At    time.Time `json:"at"`
	Value *float64  `json:"value"`
}

// series answers GET /api/v1/indicators/{id}/series?scope=&window=&every=day|hour&points=&at=:
// one window's value at a run of instants, oldest first, for trend lines. every=day takes the
// end of each of the last points days in the city's zone (the last point is at itself), so
// with window=today each point is that day's total; every=hour takes each hour's end of at's
// day up to at (today's running value: differences give the hour-of-day profile). Errors:
// invalid naming the parameter, forbidden outside the principal's scope.
func (a *indicatorAPI) series(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, window, every := r.PathValue("id"), q.Get("window"), q.Get("every")
	if window == "" {
		window = "today"
	}
	sc, at, err := a.scopeAt(r)
	if err != nil {
		writeError(w, err)
		return
	}
	points := 30
	if v := q.Get("points"); v != "" {
		if points, err = strconv.Atoi(v); err != nil || points < 1 || points > MaxSeriesPoints {
			writeError(w, domain.Invalid("points", "%q: want 1 to %d", v, MaxSeriesPoints))
			return
		}
	}
	var instants []time.Time
	local := at.In(a.engine.Location())
	switch every {
	case "", "day":
		for i := points - 1; i >= 0; i-- {
			end := time.Date(local.Year(), local.Month(), local.Day()-i+1, 0, 0, 0, 0, local.Location()).Add(-time.Millisecond)
			instants = append(instants, minInstant(end, at))
		}
	case "hour":
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
		for h := 1; h <= 24; h++ {
			end := day.Add(time.Duration(h)*time.Hour - time.Millisecond)
			instants = append(instants, minInstant(end, at))
			if !end.Before(at) {
				break
			}
		}
	default:
		writeError(w, domain.Invalid("every", "%q: want day or hour", every))
		return
	}
	out := make([]SeriesPoint, 0, len(instants))
	for _, t := range instants {
		vals, err := a.engine.Evaluate(sc, t, []string{id})
		if err != nil {
			writeError(w, err)
			return
		}
		v, ok := windowValue(vals, id, window)
		if !ok {
			writeError(w, domain.Invalid("window", "no indicator %q with a window %q", id, window))
			return
		}
		out = append(out, SeriesPoint{At: t, Value: v})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "scope": sc, "window": window, "every": every, "points": out})
}

func windowValue(vals []indicators.Values, id, window string) (*float64, bool) {
	for _, v := range vals {
		if v.ID == id {
			x, ok := v.Windows[window]
			return x.Value, ok
		}
	}
	return nil, false
}

func minInstant(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}
