package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// Request311 is one row of an NYC Open Data export of 311 service requests.
type Request311 struct {
	Key           string // unique_key
	Created       time.Time
	Closed        time.Time // zero while open
	ComplaintType string
	Descriptor    string
	Address       string
	Channel       string // open_data_channel_type: PHONE, ONLINE, MOBILE, UNKNOWN
	Lat, Lon      float64
	HasPoint      bool
}

// columns311 are the columns a 311 export must have; the rest are ignored.
var columns311 = []string{"unique_key", "created_date", "closed_date", "complaint_type", "descriptor", "incident_address", "open_data_channel_type", "latitude", "longitude"}

// MaxReplayRows bounds a replay file: a replay is held in memory.
const MaxReplayRows = 1_000_000

// Read311 reads a 311 export (CSV with a header row; times in the city's zone loc, as NYC Open
// Data writes them). Errors name the row and the column, and nothing is returned with them.
func Read311(r io.Reader, loc *time.Location) ([]Request311, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("311 file: no header row: %w", err)
	}
	at := map[string]int{}
	for i, name := range header {
		at[strings.TrimPrefix(strings.TrimSpace(name), "\ufeff")] = i
	}
	var missing []string
	for _, c := range columns311 {
		if _, ok := at[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("311 file: the header lacks %s", strings.Join(missing, ", "))
	}
	var out []Request311
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("311 file: %w", err)
		}
		if len(out) >= MaxReplayRows {
			return nil, fmt.Errorf("311 file: more than %d rows", MaxReplayRows)
		}
		req, err := parse311(rec, at, loc)
		if err != nil {
			return nil, fmt.Errorf("311 file row %d: %w", row, err)
		}
		out = append(out, req)
	}
}

func parse311(rec []string, at map[string]int, loc *time.Location) (Request311, error) {
	get := func(c string) string { return strings.TrimSpace(rec[at[c]]) }
	req := Request311{Key: get("unique_key"), ComplaintType: get("complaint_type"), Descriptor: get("descriptor"),
		Address: get("incident_address"), Channel: get("open_data_channel_type")}
	if req.Key == "" || len(req.Key) > 64 {
		return req, fmt.Errorf("unique_key: want 1–64 characters, got %d", len(req.Key))
	}
	if req.ComplaintType == "" {
		return req, errors.New("complaint_type: empty")
	}
	var err error
	if req.Created, err = time311(get("created_date"), loc); err != nil || req.Created.IsZero() {
		return req, fmt.Errorf("created_date: %q is not a time like 2024-04-16T03:03:15.000", get("created_date"))
	}
	if req.Closed, err = time311(get("closed_date"), loc); err != nil {
		return req, fmt.Errorf("closed_date: %q is not a time like 2024-04-16T03:03:15.000", get("closed_date"))
	}
	lat, lon := get("latitude"), get("longitude")
	if lat == "" && lon == "" {
		return req, nil
	}
	req.Lat, err = strconv.ParseFloat(lat, 64)
	if err != nil || math.IsNaN(req.Lat) || req.Lat < -90 || req.Lat > 90 {
		return req, fmt.Errorf("latitude: %q is not a latitude", lat)
	}
	req.Lon, err = strconv.ParseFloat(lon, 64)
	if err != nil || math.IsNaN(req.Lon) || req.Lon < -180 || req.Lon > 180 {
		return req, fmt.Errorf("longitude: %q is not a longitude", lon)
	}
	req.HasPoint = true
	return req, nil
}

// time311 parses NYC Open Data's local times ("2024-04-16T03:03:15.000"); empty is zero.
func time311(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000", "2006-01-02T15:04:05", "01/02/2006 03:04:05 PM"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

// Replay turns 311 requests into the city's arrivals, in the order they were created: the
// complaint type names the category (the NYC catalog's English names are 311's complaint
// types), the point is the request's, and the rest of the story is drawn from the request's
// key; a request that was closed is handled by its closing time. Requests whose complaint type
// the catalog lacks, or without a point, are left out and counted.
func (g *Generator) Replay(reqs []Request311) (arrivals []Arrival, skipped int) {
	byName := map[string]string{}
	for _, c := range g.World.City.Catalog.Categories() {
		byName[c.Name.EN] = c.Code
	}
	for _, r := range reqs {
		code, ok := byName[r.ComplaintType]
		if !ok || !r.HasPoint {
			skipped++
			continue
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(r.Key))
		rng := rand.New(rand.NewPCG(h.Sum64(), g.Seed))
		pt := cases.Point{Lon: r.Lon, Lat: r.Lat}
		title := r.ComplaintType
		if r.Descriptor != "" {
			title += " - " + r.Descriptor
		}
		rep := cases.Report{Source: cases.SourceOpen311, Category: code, Urgency: "normal", Title: truncate(title, 200),
			Description: truncate(title+" ("+strings.ToLower(r.Channel)+")", 500), ExternalID: "311-" + r.Key,
			Location: cases.Location{Point: &pt, Address: truncate(r.Address, 200)}}
		steps := story(rng, rep, r.Created, g.loc, g.DayShift)
		if !r.Closed.IsZero() && r.Closed.After(r.Created) {
			steps = closeBy(steps, r.Closed.Sub(r.Created))
		}
		arrivals = append(arrivals, Arrival{Key: "nyc311-" + r.Key, At: r.Created, CaseID: newUUID(rng), Report: rep, Steps: steps})
	}
	slices.SortStableFunc(arrivals, func(a, b Arrival) int { return a.At.Compare(b.At) })
	return arrivals, skipped
}

// closeBy squeezes a story so that its close (or last step) falls at d after the report: a
// replayed request closes when the real one did.
func closeBy(steps []Step, d time.Duration) []Step {
	last := len(steps) - 1
	for i, s := range steps {
		if s.Cmd.Name() == "close" || s.Cmd.Name() == "close-on-spot" || s.Cmd.Name() == "direct-answer" || s.Cmd.Name() == "void" {
			last = i
			break
		}
	}
	if last < 0 || steps[last].After <= 0 {
		return steps
	}
	f := float64(d) / float64(steps[last].After)
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = Step{After: time.Duration(float64(s.After) * f), Cmd: s.Cmd}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xc0) == 0x80 {
		cut--
	}
	return s[:cut]
}
