package indicators

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// Fixtures of the 12345 hotline theme and of the grid composite score.

// hotlineScenario: six hotline requests and one patrol case.
//
//	h1: received 09:00, dispatched 09:20, accepted 09:50, handled 15:00, closed 16:30; revisited
//	    day 1 10:00 (due 16:30): reached, satisfied, solved.
//	h2: received 10:00 and dispatched, accepted 13:00 (due 12:00), handling overdue 18:00, handled
//	    day 1 09:00, closed 10:00; revisited 11:00 (due 12:00) unreached, again 14:00: reached,
//	    basically satisfied, not solved.
//	h3: received 11:00, answered directly 11:05; revisited 14:00 (due 13:00): reached,
//	    unsatisfied, not solved.
//	h4: received 12:00, merged into h1 at 12:10.
//	h5 (district 420106, department ylj): received 13:00 and dispatched, accepted 13:30,
//	    supervised 16:00 and day 1 09:00; open.
//	h6: received day 1 08:50, answered directly 09:00 (no revisit due).
//	p1 (patrol): reported 09:00, supervised 17:00, revisited 17:30 (reached, unsatisfied).
func hotlineScenario(t *testing.T) *fixture {
	f := newFixture(t)
	h := func(id, cat, district string) kase {
		return kase{id: id, source: "hotline", category: cat, district: district}
	}
	h1, h2, h3, h4 := h("h1", "H0101", "420102"), h("h2", "H0103", "420102"), h("h3", "H0105", "420102"), h("h4", "H0101", "420102")
	h5, h6 := h("h5", "H0104", "420106"), h("h6", "H0101", "420102")
	p1 := kase{id: "p1", source: "patrol", category: "E0102", district: "420106"}

	f.intake(h1, at(0, "09:00"))
	f.intake(p1, at(0, "09:00"))
	f.verify(h1, at(0, "09:10"))
	f.register(h1, at(0, "09:10"))
	f.dispatch(h1, at(0, "09:20"), "cjj", at(2, "09:20")) // accept due 11:20
	f.accept(h1, at(0, "09:50"))
	f.open(h2, at(0, "10:00"), "cjj", at(0, "18:00")) // accept due 12:00
	f.intake(h3, at(0, "11:00"))
	f.answer(h3, at(0, "11:05"), at(0, "13:00"))
	f.intake(h4, at(0, "12:00"))
	f.caseEvent("h4", at(0, "12:10"), cases.Merged{Into: "h1", Reason: "same pothole"})
	f.accept(h2, at(0, "13:00"))
	f.open(h5, at(0, "13:00"), "ylj", at(3, "13:00")) // accept due 15:00
	f.accept(h5, at(0, "13:30"))
	f.revisit(h3, at(0, "14:00"), true, cases.Unsatisfied, false)
	f.handle(h1, at(0, "15:00"), at(0, "20:00"))
	f.inspect(h1, at(0, "16:00"), true)
	f.caseEvent("h5", at(0, "16:00"), cases.Supervised{Note: "hurry"})
	f.close(h1, at(0, "16:30"), cases.ClosedInspected, at(1, "16:30"))
	f.caseEvent("p1", at(0, "17:00"), cases.Supervised{Note: "hurry"})
	f.revisit(p1, at(0, "17:30"), true, cases.Unsatisfied, false)
	f.overdue(h2, "handle", at(0, "18:00"))
	f.intake(h6, at(1, "08:50"))
	f.answer(h6, at(1, "09:00"), time.Time{})
	f.handle(h2, at(1, "09:00"), at(1, "12:00"))
	f.caseEvent("h5", at(1, "09:00"), cases.Supervised{Note: "still waiting"})
	f.inspect(h2, at(1, "09:30"), true)
	f.close(h2, at(1, "10:00"), cases.ClosedInspected, at(1, "12:00"))
	f.revisit(h1, at(1, "10:00"), true, cases.Satisfied, true)
	f.revisit(h2, at(1, "11:00"), false, "", false)
	f.revisit(h2, at(1, "14:00"), true, cases.BasicSatisfied, false)
	return f
}

// TestCatalogHotlineIntake: 受理量, 响应率, 重复诉求率, 直接答复率, 督办.
func TestCatalogHotlineIntake(t *testing.T) {
	f := hotlineScenario(t)
	end := at(1, "18:00")
	// h1 … h6; p1 is no hotline request.
	f.want("hotline_received", city, "7d", end, 6)
	f.want("hotline_received", Scope{"district", "420102"}, "7d", end, 5)
	f.want("hotline_received", city, "today", end, 1) // h6
	// The 7d window at day 1 18:00 starts at day −5 00:00: 6.75 days. 6 / 6.75.
	f.want("hotline_per_day", city, "7d", end, 6/6.75)
	// 响应率: h1 (due 11:20) 09:50 and h5 (due 15:00) 13:30 on time, h2 (due 12:00) 13:00 late: 2 / 3.
	f.want("hotline_response_rate", city, "7d", end, 200.0/3)
	f.want("hotline_response_rate", Scope{"department", "ylj"}, "7d", end, 100)
	// Dispatch to acceptance: h1 30, h2 180, h5 30 minutes: 240 / 3.
	f.want("hotline_mean_response_minutes", city, "7d", end, 80)
	// 重复诉求率: h4 merged / 6 received.
	f.want("hotline_repeat_rate", city, "7d", end, 100.0/6)
	// 直接答复率: h3 and h6 answered at intake / 6.
	f.want("hotline_direct_answer_rate", city, "7d", end, 100.0/3)
	// 督办数 counts every case: h5 twice and p1 once; today h5's second only.
	f.want("supervised", city, "7d", end, 3)
	f.want("supervised", city, "today", end, 1)
	f.want("supervised", Scope{"source", "patrol"}, "7d", end, 1)
	// 督办率: hotline requests supervised at least once (h5) / 6.
	f.want("hotline_supervision_rate", city, "7d", end, 100.0/6)
	// 在办诉求数: day 0 12:05 h1 accepted, h2 dispatched, h4 just received (h3 answered): 3; at
	// 12:15 h4 is merged: 2; at the end only h5 is open.
	f.want("hotline_backlog", city, "today", at(0, "12:05"), 3)
	f.want("hotline_backlog", city, "today", at(0, "12:15"), 2)
	f.want("hotline_backlog", city, "today", end, 1)
	f.want("hotline_backlog", Scope{"district", "420106"}, "today", end, 1)
}

// TestCatalogHotlineRevisit: 解决率, 满意率, 回访率 and the closure of hotline requests.
func TestCatalogHotlineRevisit(t *testing.T) {
	f := hotlineScenario(t)
	end := at(1, "18:00")
	// Hotline revisits: h1 (reached, satisfied, solved), h2 (unreached), h2 (reached, basically
	// satisfied, unsolved), h3 (reached, unsatisfied, unsolved); p1's is no hotline revisit.
	// 解决率: solved 1 / reached 3.
	f.want("hotline_solved_rate", city, "7d", end, 100.0/3)
	// 满意率: (satisfied 1 + basically satisfied 1) / reached 3.
	f.want("hotline_satisfaction_rate", city, "7d", end, 200.0/3)
	f.want("hotline_satisfaction_rate", city, "30d", at(0, "23:00"), 0) // day 0: h3 unsatisfied only
	f.want("hotline_unsatisfied", city, "7d", end, 1)
	f.want("hotline_unsatisfied", city, "today", end, 0) // h3's was on day 0
	// 回访联系率: reached 3 / revisits 4.
	f.want("hotline_reach_rate", city, "7d", end, 75)
	// 回访率: requests revisited (h1, h2, h3) / hotline closures (h1, h2, h3, h6).
	f.want("hotline_revisit_rate", city, "7d", end, 75)
	// 及时回访率: revisits with a deadline h1 (due 16:30) 10:00 and h2 (due 12:00) 11:00 on time,
	// h3 (due 13:00) 14:00 late; h2's second revisit had no deadline left: 2 / 3.
	f.want("hotline_timely_revisit_rate", city, "7d", end, 200.0/3)
	// 按期办结率: closed on time h1, h3, h6; h2's handling overdue: 3 / (3 + 1).
	f.want("hotline_on_time_closure_rate", city, "7d", end, 75)
	// Intake to closure: h1 7.5 h, h2 24 h, h3 5 min, h6 10 min: 31.75 / 4 h.
	f.want("hotline_mean_close_hours", city, "7d", end, 31.75/4)
	// 三率综合: 0.2 × 200/3 + 0.4 × 100/3 + 0.4 × 200/3 = (40 + 40 + 80) / 3.
	f.want("hotline_three_rate_score", city, "7d", end, 160.0/3)
	// District 420106 has no hotline acceptance there but h5's (on time), and no revisit: null.
	f.want("hotline_three_rate_score", Scope{"district", "420106"}, "7d", end, nan)
}

// TestCatalogGridComposite: the composite score, built with ind(), and the per-grid load.
//
//	g1 (patrol): dispatched 09:00 (due 18:00), handled 12:00, closed 13:00: on time.
//	g2 (hotline): dispatched 10:00 (due 12:00), overdue 12:00, closed 15:00; revisit satisfied.
//	g3 (video): dispatched 11:00 (due 15:00), handled 14:00, closed 16:00: on time.
//	g4 (hotline): answered directly 11:40; revisit unsatisfied.
//	o1 (patrol, another grid of the same street): handled 10:00 and closed 11:00: on time.
func TestCatalogGridComposite(t *testing.T) {
	f := newFixture(t)
	g := "420106001001001"
	g1 := kase{id: "g1", source: "patrol", category: "E0102", district: "420106"}
	g2 := kase{id: "g2", source: "hotline", category: "H0101", district: "420106"}
	g3 := kase{id: "g3", source: "video", category: "E0501", district: "420106"}
	g4 := kase{id: "g4", source: "hotline", category: "H0105", district: "420106"}
	o1 := kase{id: "o1", source: "patrol", category: "P0101", district: "420106", grid: "420106001001002"}
	f.open(g1, at(0, "09:00"), "cg", at(0, "18:00"))
	f.open(o1, at(0, "09:00"), "swj", at(0, "18:00"))
	f.open(g2, at(0, "10:00"), "cjj", at(0, "12:00"))
	f.handle(o1, at(0, "10:00"), at(0, "14:00"))
	f.open(g3, at(0, "11:00"), "cg", at(0, "15:00"))
	f.close(o1, at(0, "11:00"), cases.ClosedInspected, time.Time{})
	f.intake(g4, at(0, "11:30"))
	f.answer(g4, at(0, "11:40"), at(1, "11:40"))
	f.handle(g1, at(0, "12:00"), at(0, "16:00"))
	f.overdue(g2, "handle", at(0, "12:00"))
	f.inspect(g1, at(0, "12:30"), true)
	f.close(g1, at(0, "13:00"), cases.ClosedInspected, time.Time{})
	f.handle(g2, at(0, "14:00"), at(0, "18:00"))
	f.handle(g3, at(0, "14:00"), at(0, "18:00"))
	f.inspect(g3, at(0, "14:10"), true)
	f.inspect(g2, at(0, "14:30"), true)
	f.close(g2, at(0, "15:00"), cases.ClosedInspected, at(1, "15:00"))
	f.close(g3, at(0, "16:00"), cases.ClosedInspected, time.Time{})
	f.revisit(g2, at(1, "09:00"), true, cases.Satisfied, true)
	f.revisit(g4, at(1, "10:00"), true, cases.Unsatisfied, false)

	end := at(1, "12:00")
	// City: on-time closure 4 / (4 + 1) = 80; satisfaction 1 / 2 = 50; proactive (g1, g3, o1) 3 / 5
	// = 60. Score 0.4 × 80 + 0.3 × 50 + 0.3 × 60 = 32 + 15 + 18 = 65.
	f.want("on_time_closure_rate", city, "7d", end, 80)
	f.want("proactive_discovery_rate", city, "7d", end, 60)
	f.want("grid_composite_score", city, "7d", end, 65)
	f.want("grid_composite_score", Scope{"street", "420106001"}, "30d", end, 65)
	// Grid g: on-time 3 / (3 + 1) = 75; satisfaction 50; proactive (g1, g3) 2 / 4 = 50.
	// 0.4 × 75 + 0.3 × 50 + 0.3 × 50 = 30 + 15 + 15 = 60.
	f.want("grid_composite_score", Scope{"grid", g}, "7d", end, 60)
	// The other grid has no revisit, so no satisfaction: the score is null.
	f.want("grid_composite_score", Scope{"grid", "420106001001002"}, "mtd", end, nan)
	// Load: the 7d window at day 1 12:00 spans 6.5 days. City 5 reports, grid g 4, the other 1.
	f.want("grid_daily_load", city, "7d", end, 5/6.5)
	f.want("grid_daily_load", Scope{"grid", g}, "7d", end, 4/6.5)
	f.want("grid_daily_load", Scope{"grid", "420106001001002"}, "7d", end, 1/6.5)
}
