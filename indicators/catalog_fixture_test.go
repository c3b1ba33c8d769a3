package indicators

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// Fixtures of the case loop (案件闭环) theme, and of the grid indicators about verification and
// inspection. Each builds a few events by hand; the comments give the arithmetic of each value.
// Times are Wuhan local on 2026-03-02 (day 0) and after; the calendar is 24x7, so working time
// equals wall time.

// TestCatalogIntake: reporting, verification and registration (上报、核实、立案).
func TestCatalogIntake(t *testing.T) {
	f := newFixture(t)
	c1 := kase{id: "c1", source: "patrol", category: "P0101", district: "420106"}
	c2 := kase{id: "c2", source: "hotline", category: "H0101", district: "420102"}
	c3 := kase{id: "c3", source: "video", category: "E0102", district: "420106"}
	c4 := kase{id: "c4", source: "hotline", category: "H0105", district: "420102"}
	c5 := kase{id: "c5", source: "patrol", category: "E0501", district: "420106"}
	// Every report's verification is due an hour after it.
	f.intake(c1, at(0, "09:00"))
	f.verify(c1, at(0, "09:30")) // on time
	f.register(c1, at(0, "09:30"))
	f.intake(c2, at(0, "09:00"))
	f.verify(c2, at(0, "10:30")) // late: due 10:00
	f.register(c2, at(0, "10:40"))
	f.intake(c3, at(0, "09:00"))
	f.void(c3, at(0, "09:20")) // on time
	f.intake(c4, at(0, "09:00"))
	f.verify(c4, at(0, "09:10")) // on time, never registered
	f.intake(c5, at(0, "11:00"))
	f.overdue(c5, "verify", at(0, "12:00"))
	f.verify(c5, at(0, "12:30")) // late: overdue at 12:00

	end := at(0, "18:00")
	f.want("reported", city, "today", end, 5)
	f.want("reported", city, "today", at(0, "09:15"), 4) // c5 comes at 11:00
	// Verified: c1, c2, c4, c5.
	f.want("valid_reports", city, "today", end, 4)
	f.want("valid_reports", city, "today", at(0, "09:15"), 1) // only c4 by 09:15
	// 立案率: registered c1, c2 / verified 4 = 50 %.
	f.want("registration_rate", city, "today", end, 50)
	// District 420106: registered c1 / verified c1, c5 = 50 %.
	f.want("registration_rate", Scope{"district", "420106"}, "7d", end, 50)
	f.want("registration_rate", city, "today", at(0, "09:05"), nan) // nothing verified yet: null
	// 作废率: voided 1 / (verified 4 + voided 1) = 20 %.
	f.want("void_rate", city, "today", end, 20)
	// 及时核实率: on time c1, c3 (void), c4 / 5 verifications and voids = 60 %.
	f.want("timely_verify_rate", city, "today", end, 60)
	// 420106: c1 and c3 on time, c5 late: 2 / 3.
	f.want("timely_verify_rate", Scope{"district", "420106"}, "30d", end, 200.0/3)
	// 主动发现率: patrol c1, c5 and video c3 / 5 reports = 60 %; in 420106 all three of three.
	f.want("proactive_discovery_rate", city, "today", end, 60)
	f.want("proactive_discovery_rate", Scope{"district", "420106"}, "today", end, 100)
	f.want("proactive_discovery_rate", Scope{"district", "420102"}, "today", end, 0)
	f.want("patrol_reports", city, "today", end, 2)
	f.want("patrol_reports", city, "24h", at(1, "10:00"), 1) // (day 0 10:00, day 1 10:00]: c5 only
	f.want("video_reports", city, "mtd", end, 1)
	f.want("video_reports", Scope{"district", "420102"}, "7d", end, 0)
}

// loopScenario is five cases through dispatch, acceptance, handling, inspection and closure.
//
//	a: registered 08:00, dispatched 08:20 (cg), accepted 08:50, handled 14:20, inspected (pass)
//	   15:20, closed 16:00; reopened day 1 17:00.
//	b: registered 08:00, dispatched 10:00 (sw, late, overriding the routing), accepted 13:00 (late),
//	   warned 16:00, handling overdue 18:00, handled day 1 06:00, failed inspection 08:00, rework,
//	   handled 11:00, inspected (pass, late) 11:30, closed 12:00.
//	c: registered 08:00, dispatched 08:30 (cg), returned 09:00, dispatched 09:30 (sw), accepted
//	   10:00, extension granted 11:00; open.
//	d: registered 08:00, dispatched 08:40 (cg), accepted 09:00, suspended 10:00; open.
//	e: a patrol report 09:00 closed on the spot 09:05.
func loopScenario(t *testing.T) *fixture {
	f := newFixture(t)
	ks := map[string]kase{}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		ks[id] = kase{id: id, source: "patrol", category: "E0102", district: "420106"}
	}
	a, b, c, d, e := ks["a"], ks["b"], ks["c"], ks["d"], ks["e"]
	for _, k := range []kase{a, b, c, d} {
		f.intake(k, at(0, "08:00"))
		f.verify(k, at(0, "08:00"))
		f.register(k, at(0, "08:00")) // dispatch due 09:00
	}
	f.dispatch(a, at(0, "08:20"), "cg", at(0, "20:20")) // accept due 10:20
	f.accept(a, at(0, "08:50"))
	f.dispatch(c, at(0, "08:30"), "cg", at(1, "08:30"))
	f.dispatch(d, at(0, "08:40"), "cg", at(1, "08:40"))
	f.caseEvent("c", at(0, "09:00"), cases.Returned{Department: "cg", Reason: "not ours", DispatchDue: dl("dispatch", at(0, "10:00"))})
	f.intake(e, at(0, "09:00"))
	f.closeOnSpot(e, at(0, "09:05"))
	f.accept(d, at(0, "09:00"))
	f.dispatch(c, at(0, "09:30"), "sw", at(1, "09:30")) // accept due 11:30
	f.caseEvent("b", at(0, "10:00"), cases.Dispatched{Department: "sw", Suggested: "cg", Overridden: true,
		AcceptDue: dl("accept", at(0, "12:00")), HandleDue: dl("handle", at(0, "18:00"))})
	f.accept(c, at(0, "10:00"))
	f.caseEvent("d", at(0, "10:00"), cases.Suspended{Reason: "waiting for the owner", Remaining: time.Hour})
	f.caseEvent("c", at(0, "11:00"), cases.ExtensionGranted{HandleDue: dl("handle", at(1, "20:00"))})
	f.accept(b, at(0, "13:00"))
	f.handle(a, at(0, "14:20"), at(0, "18:20"))
	f.inspect(a, at(0, "15:20"), true)
	f.close(a, at(0, "16:00"), cases.ClosedInspected, time.Time{})
	f.caseEvent("b", at(0, "16:00"), cases.DeadlineWarned{Stage: "handle", Due: at(0, "18:00")})
	f.overdue(b, "handle", at(0, "18:00"))
	f.handle(b, at(1, "06:00"), at(1, "10:00"))
	f.inspect(b, at(1, "08:00"), false)
	f.caseEvent("b", at(1, "08:00"), cases.ReworkOrdered{Reason: "still broken", HandleDue: dl("handle", at(1, "12:00"))})
	f.handle(b, at(1, "11:00"), at(1, "11:15"))
	f.inspect(b, at(1, "11:30"), true)
	f.close(b, at(1, "12:00"), cases.ClosedInspected, time.Time{})
	f.caseEvent("a", at(1, "17:00"), cases.Reopened{Reason: "came back", DispatchDue: dl("dispatch", at(1, "18:00"))})
	return f
}

// TestCatalogDispatchAndAccept: 派遣 and 签收.
func TestCatalogDispatchAndAccept(t *testing.T) {
	f := loopScenario(t)
	end := at(1, "18:00")
	// Dispatches: a 08:20, c 08:30, d 08:40, c 09:30 (due 10:00 after the return) on time; b
	// 10:00 late (due 09:00). 及时派遣率 4 / 5 = 80 %.
	f.want("timely_dispatch_rate", city, "7d", end, 80)
	// By department: cg got a, c (first), d, all on time; sw got c (second, on time) and b.
	f.want("timely_dispatch_rate", Scope{"department", "cg"}, "7d", end, 100)
	f.want("timely_dispatch_rate", Scope{"department", "sw"}, "7d", end, 50)
	// b overrode the routing: 1 / 5.
	f.want("override_rate", city, "7d", end, 20)
	// Registration to dispatch: a 20, b 120, c 30 and 90 (both from 08:00), d 40 minutes: 300 / 5.
	f.want("mean_dispatch_minutes", city, "7d", end, 60)
	// P90 of 5: the 5th value, 7200 s, whose bin's upper bound is 7200 s: 120 minutes.
	f.want("p90_dispatch_minutes", city, "7d", end, 120)
	// Acceptances: a (due 10:20) 08:50, c (due 11:30) 10:00, d (due 10:40) 09:00 on time; b (due
	// 12:00) 13:00 late: 3 / 4.
	f.want("timely_accept_rate", city, "7d", end, 75)
	// Dispatch to acceptance: a 30, b 180, c 30, d 20 minutes: 260 / 4.
	f.want("mean_accept_minutes", city, "7d", end, 65)
	// 退单率: c returned once / 5 dispatches; 延期率: c's extension / 5.
	f.want("return_rate", city, "7d", end, 20)
	// The return is the department's act: c was cg's when it came back; cg had three
	// dispatches (a, c, d): 1 / 3.
	f.want("return_rate", Scope{"department", "cg"}, "7d", end, 100.0/3)
	f.want("extension_rate", city, "7d", end, 20)
	// c was sw's when the extension came; sw had two dispatches (c, b): 1 / 2.
	f.want("extension_rate", Scope{"department", "sw"}, "7d", end, 50)
}

// TestCatalogHandleAndClose: 处置、核查、结案 and their durations.
func TestCatalogHandleAndClose(t *testing.T) {
	f := loopScenario(t)
	end := at(1, "18:00")
	// Handlings with a deadline: a 14:20 (due 20:20) on time, b 06:00 after its overdue, b 11:00
	// (rework due 12:00) on time; e's on-the-spot handling has none. 按期处置率 2 / 3.
	f.want("on_time_handle_rate", city, "7d", end, 200.0/3)
	f.want("on_time_handle_rate", city, "today", at(0, "23:00"), 100) // day 0: a only
	// Dispatch to handling: a 6 h, b 20 h and 25 h (from its dispatch at day 0 10:00); e was
	// never dispatched. (6 + 20 + 25) / 3 = 17 h.
	f.want("mean_handle_hours", city, "7d", end, 17)
	// P90 of 3: the 3rd, 90000 s, in the bin up to 172800 s: 48 h.
	f.want("p90_handle_hours", city, "7d", end, 48)
	// 返工率: b failed 1 of 3 inspections (a, b, b).
	f.want("rework_rate", city, "7d", end, 100.0/3)
	// 及时核查率: a (due 18:20) 15:20 and b (due 10:00) 08:00 on time, b (due 11:15) 11:30 late.
	f.want("timely_inspect_rate", city, "7d", end, 200.0/3)
	f.want("timely_inspect_rate", Scope{"grid", "420106001001001"}, "today", end, 50) // day 1: b's two
	// Closures: a, e (day 0), b (day 1).
	f.want("closed_cases", city, "7d", end, 3)
	f.want("closed_cases", city, "today", end, 1)
	f.want("closed_cases", city, "24h", at(1, "09:00"), 2) // (day 0 09:00, day 1 09:00]: e 09:05, a 16:00
	f.want("closed_cases", city, "24h", at(1, "09:10"), 1) // e's 09:05 has left the window
	// 按期结案率: a and e closed on time, b's handling overdue: 2 / (2 + 1).
	f.want("on_time_closure_rate", city, "7d", end, 200.0/3)
	// Report to closure: a 8 h, e 5 min, b 28 h: (28800 + 300 + 100800) / 3 s = 43300 s.
	f.want("mean_close_hours", city, "7d", end, 43300.0/3600)
	// P90 of 3: 100800 s, in the bin up to 172800 s: 48 h.
	f.want("p90_close_hours", city, "7d", end, 48)
	// 重办率: a reopened once / 3 closures.
	f.want("reopen_rate", city, "7d", end, 100.0/3)
	// b's handling: warned once, overdue once.
	f.want("deadline_warnings", city, "7d", end, 1)
	f.want("overdue_count", city, "7d", end, 1)
	f.want("overdue_count", city, "today", end, 0) // the overdue was on day 0
}

// TestCatalogLoopGauges: what stands open at an instant.
func TestCatalogLoopGauges(t *testing.T) {
	f := loopScenario(t)
	// Day 0 15:00: a handled (awaiting inspection), b and c accepted, d suspended; e closed.
	f.want("backlog", city, "today", at(0, "15:00"), 4)
	f.want("pending_inspection", city, "today", at(0, "15:00"), 1)
	f.want("pending_inspection", city, "today", at(0, "16:00"), 0) // a inspected 15:20
	f.want("suspended_cases", city, "today", at(0, "15:00"), 1)
	f.want("pending_dispatch", city, "today", at(0, "08:10"), 4) // a, b, c, d registered, none dispatched
	// Day 0 20:00: b, c, d open; b overdue since 18:00. 超期在办占比 1 / 3.
	f.want("overdue_backlog", city, "today", at(0, "20:00"), 1)
	f.want("overdue_backlog", Scope{"department", "sw"}, "today", at(0, "20:00"), 1)
	f.want("grid_overdue_share", city, "today", at(0, "20:00"), 100.0/3)
	f.want("grid_overdue_share", Scope{"department", "cg"}, "today", at(0, "20:00"), 0) // d only, not overdue
	// Day 1 18:00: a reopened (awaiting dispatch), c accepted, d suspended; b handled late, closed.
	f.want("backlog", city, "today", at(1, "18:00"), 3)
	f.want("pending_dispatch", city, "today", at(1, "18:00"), 1)
	f.want("suspended_cases", city, "today", at(1, "18:00"), 1)
	f.want("overdue_backlog", city, "today", at(1, "18:00"), 0)
	f.want("grid_overdue_share", city, "today", at(1, "18:00"), 0)
}
