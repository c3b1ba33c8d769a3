package sim

import (
	"fmt"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// A rainstorm (暴雨) is the demo's scenario of a bad day: on about one day in twenty, chosen
// by the seed, heavy rain falls in the afternoon and evening, and waterlogging reports come in
// from the low-lying grids on top of the usual ones. Sensor alarms will join them when the
// sensor hub exists; until then the storm shows in the cases.

// stormHourly is the storm's reports per hour in each hour of the city's day, as a fraction of
// the city's daily volume.
var stormHourly = [24]float64{13: 0.004, 14: 0.012, 15: 0.022, 16: 0.028, 17: 0.026, 18: 0.018, 19: 0.01, 20: 0.005, 21: 0.002}

// stormCategories are what a storm brings, weighted by repetition: mostly road waterlogging,
// then storm drains and their covers. A catalog without them has no storms.
var stormCategories = []string{"E0406", "E0406", "E0406", "E0406", "E0406", "E0406", "P0104", "P0104", "P0103"}

// StormOn reports whether the seed makes the city's day of t a rainstorm day.
func (g *Generator) StormOn(t time.Time) bool {
	y, m, d := t.In(g.loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return fnv32(fmt.Sprint(g.Seed, "storm", day))%20 == 0
}

// stormArrivals are the storm's extra cases in the hour starting at h.
func (g *Generator) stormArrivals(h time.Time, hour uint64, f float64) []Arrival {
	local := h.In(g.loc)
	share := stormHourly[local.Hour()]
	if share == 0 || !g.StormOn(local) || len(g.World.lowGrids) == 0 {
		return nil
	}
	if _, ok := g.World.City.Catalog.Category(stormCategories[0]); !ok {
		return nil
	}
	const stormSource = 1 << 20 // apart from the sources' generators
	n := poisson(g.rng(hour, stormSource, 1<<32), WuhanCasesPerDay*g.Rates.Scale*f*share)
	out := make([]Arrival, 0, n)
	for i := range n {
		rng := g.rng(hour, stormSource, uint64(i))
		src := pick(rng, []cases.Source{cases.SourceHotline, cases.SourceHotline, cases.SourcePatrol, cases.SourceVideo})
		at := h.Add(time.Duration(rng.Int64N(int64(time.Hour)))).Truncate(time.Millisecond)
		grid := pick(rng, g.World.lowGrids)
		pt := g.World.pointIn(rng, grid)
		code := pick(rng, stormCategories)
		name := code
		if cat, ok := g.World.City.Catalog.Category(code); ok {
			name = cat.Name.ZH
		}
		street := g.World.streetName(grid)
		urgency := catalog.Urgency("urgent")
		if rng.IntN(6) == 0 {
			urgency = "critical"
		}
		rep := cases.Report{Source: src, Category: code, Urgency: urgency, Title: street + " 暴雨" + name,
			Description: pick(rng, describedBy(src)) + "暴雨后" + name + "，" + pick(rng, []string{"积水没过脚踝。", "车辆无法通行。", "行人涉水通行，存在安全隐患。"}),
			Location:    cases.Location{Point: &pt, Address: street + pick(rng, places)}}
		if src == cases.SourceHotline {
			rep.Reporter = &cases.Reporter{Name: pick(rng, surnames) + pick(rng, []string{"先生", "女士"}), Phone: phone(rng)}
		}
		out = append(out, Arrival{Key: fmt.Sprintf("h%d-storm-%d", hour, i), At: at, CaseID: newUUID(rng), Report: rep,
			Steps: story(rng, rep, at, g.loc, g.DayShift)})
	}
	return out
}
