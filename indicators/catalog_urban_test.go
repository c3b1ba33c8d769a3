package indicators

import (
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// Fixtures of the urban management (城市管理: 部件 and 事件 by 大类, 自行处置) and emergency
// (应急) themes. Categories are Wuhan's (geo/cities/wuhan/categories.yaml).

// TestCatalogUrban, all on day 0 in district 420106 but u10:
//
//	u1 P0101 公用设施 dispatched 09:00 (due 17:00), handled 12:00: on time.
//	u2 P0205 道路交通 dispatched 09:00 (due 11:00), overdue 11:00, handled 13:00: late.
//	u3 P0402 园林绿化 registered 09:00.
//	u4 E0102 市容环境 dispatched 09:00 (due 10:30), handled 11:00: late.
//	u5 E0104 市容环境 dispatched 10:00 (due 14:00), handled 14:00: on time (at the deadline).
//	u6 E0201 宣传广告, u7 E0302 施工管理 registered 09:00.
//	u8 E0501 街面秩序 dispatched 09:00 (due day 1), accepted 09:30; open.
//	u9 E0505 街面秩序 reported 09:00 by a patrol and closed on the spot 09:10.
//	u10 H0101 hotline (district 420102) registered 09:00.
func TestCatalogUrban(t *testing.T) {
	f := newFixture(t)
	k := func(id, cat string) kase { return kase{id: id, source: "patrol", category: cat, district: "420106"} }
	u1, u2, u3, u4, u5 := k("u1", "P0101"), k("u2", "P0205"), k("u3", "P0402"), k("u4", "E0102"), k("u5", "E0104")
	u6, u7, u8, u9 := k("u6", "E0201"), k("u7", "E0302"), k("u8", "E0501"), k("u9", "E0505")
	u10 := kase{id: "u10", source: "hotline", category: "H0101", district: "420102"}
	f.open(u1, at(0, "09:00"), "swj", at(0, "17:00"))
	f.open(u2, at(0, "09:00"), "jgj", at(0, "11:00"))
	f.open(u4, at(0, "09:00"), "cg", at(0, "10:30"))
	f.open(u8, at(0, "09:00"), "cg", at(1, "09:00"))
	for _, u := range []kase{u3, u6, u7, u10} {
		f.intake(u, at(0, "09:00"))
		f.verify(u, at(0, "09:00"))
		f.register(u, at(0, "09:00"))
	}
	f.intake(u9, at(0, "09:00"))
	f.closeOnSpot(u9, at(0, "09:10"))
	f.accept(u8, at(0, "09:30"))
	f.open(u5, at(0, "10:00"), "cg", at(0, "14:00"))
	f.overdue(u2, "handle", at(0, "11:00"))
	f.handle(u4, at(0, "11:00"), at(0, "15:00"))
	f.handle(u1, at(0, "12:00"), at(0, "16:00"))
	f.handle(u2, at(0, "13:00"), at(0, "17:00"))
	f.handle(u5, at(0, "14:00"), at(0, "18:00"))

	end := at(0, "18:00")
	// 部件 u1, u2, u3; 事件 u4 … u9; u10 is a hotline category, neither.
	f.want("part_cases", city, "today", end, 3)
	f.want("event_cases", city, "today", end, 6)
	f.want("event_cases", Scope{"source", "patrol"}, "7d", end, 6)
	f.want("part_share", city, "7d", end, 100.0/3) // 3 / (3 + 6)
	f.want("part_share", Scope{"district", "420102"}, "7d", end, nan)
	// By 大类.
	f.want("cityscape_cases", city, "today", end, 2)    // E01: u4, u5
	f.want("advertising_cases", city, "today", end, 1)  // E02: u6
	f.want("construction_cases", city, "today", end, 1) // E03: u7
	f.want("street_order_cases", city, "today", end, 2) // E05: u8, u9
	f.want("street_order_cases", Scope{"category", "E0505"}, "7d", end, 1)
	f.want("utility_part_cases", city, "today", end, 1)  // P01: u1
	f.want("road_part_cases", city, "today", end, 1)     // P02: u2
	f.want("greenery_part_cases", city, "today", end, 1) // P04: u3
	// At 09:30 E01 has u4 only: u5 comes at 10:00.
	f.want("cityscape_cases", city, "today", at(0, "09:30"), 1)
	// 自行处置率: u9 of the handlings u1, u2, u4, u5, u9.
	f.want("self_handled_rate", city, "7d", end, 20)
	// 部件按期处置率: u1 on time, u2 late: 1 / 2. 事件: u5 (at its deadline) on time, u4 late;
	// u9's on-the-spot handling had no deadline: 1 / 2.
	f.want("part_on_time_handle_rate", city, "7d", end, 50)
	f.want("event_on_time_handle_rate", city, "7d", end, 50)
	f.want("event_on_time_handle_rate", Scope{"category", "E0104"}, "7d", end, 100)
	// E01 dispatch to handling: u4 2 h, u5 4 h: 3 h.
	f.want("cityscape_mean_handle_hours", city, "7d", end, 3)
	// E05 open: u8 (u9 is closed); at 09:05 u8 too, u9 not yet registered.
	f.want("street_order_backlog", city, "today", end, 1)
	f.want("street_order_backlog", Scope{"department", "cg"}, "today", end, 1)
	f.want("street_order_backlog", city, "today", at(0, "09:05"), 1)
	// 10 registrations; at day 1 12:00 the 7d window spans 6.5 days.
	f.want("registered_per_day", city, "7d", at(1, "12:00"), 10/6.5)
	f.want("registered_per_day", Scope{"district", "420102"}, "7d", at(1, "12:00"), 1/6.5)
}

// TestCatalogEmergency, all on day 0:
//
//	x1 E0406 道路积水 (sensor, critical, 420106): reported 10:00, registered 10:05, dispatched
//	   10:10 (due 12:10), accepted 10:25, handled 11:10, closed 11:40.
//	x2 E0401 路面塌陷 (patrol, critical, 420106): reported and registered 11:00, dispatched 11:05
//	   (due 13:05), accepted 11:15, escalated to level 2 at 11:30 and 3 at 12:00, overdue 13:05; open.
//	x3 E0402 自来水管破裂 (hotline, urgent, 420102): reported 12:00, dispatched 12:05 (due 14:05),
//	   accepted 12:45, handled 15:05: late.
//	x4 P0101 (patrol, critical, 420102): reported and dispatched 13:00, accepted 14:40; open.
func TestCatalogEmergency(t *testing.T) {
	f := newFixture(t)
	x1 := kase{id: "x1", source: "sensor", category: "E0406", urgency: "critical", district: "420106"}
	x2 := kase{id: "x2", source: "patrol", category: "E0401", urgency: "critical", district: "420106"}
	x3 := kase{id: "x3", source: "hotline", category: "E0402", urgency: "urgent", district: "420102"}
	x4 := kase{id: "x4", source: "patrol", category: "P0101", urgency: "critical", district: "420102"}
	f.intake(x1, at(0, "10:00"))
	f.verify(x1, at(0, "10:05"))
	f.register(x1, at(0, "10:05"))
	f.dispatch(x1, at(0, "10:10"), "swj", at(0, "12:10"))
	f.accept(x1, at(0, "10:25"))
	f.intake(x2, at(0, "11:00"))
	f.verify(x2, at(0, "11:00"))
	f.register(x2, at(0, "11:00"))
	f.dispatch(x2, at(0, "11:05"), "cjj", at(0, "13:05"))
	f.handle(x1, at(0, "11:10"), at(0, "12:10"))
	f.accept(x2, at(0, "11:15"))
	f.inspect(x1, at(0, "11:30"), true)
	f.caseEvent("x2", at(0, "11:30"), cases.Escalated{Level: 2, To: "district", Reason: "spreading"})
	f.close(x1, at(0, "11:40"), cases.ClosedInspected, time.Time{})
	f.intake(x3, at(0, "12:00"))
	f.verify(x3, at(0, "12:00"))
	f.register(x3, at(0, "12:00"))
	f.caseEvent("x2", at(0, "12:00"), cases.Escalated{Level: 3, To: "city", Reason: "a bus fell in"})
	f.dispatch(x3, at(0, "12:05"), "swj", at(0, "14:05"))
	f.accept(x3, at(0, "12:45"))
	f.open(x4, at(0, "13:00"), "swj", at(0, "14:00"))
	f.overdue(x2, "handle", at(0, "13:05"))
	f.accept(x4, at(0, "14:40"))
	f.handle(x3, at(0, "15:05"), at(0, "17:05"))

	end := at(0, "18:00")
	// 特急: x1, x2, x4; in 420106 x1, x2.
	f.want("critical_cases", city, "today", end, 3)
	f.want("critical_cases", Scope{"district", "420106"}, "24h", end, 2)
	// E04: x1, x2, x3; of them critical x1, x2.
	f.want("emergency_events", city, "today", end, 3)
	f.want("emergency_events", Scope{"urgency", "critical"}, "today", end, 2)
	f.want("waterlogging_cases", city, "today", end, 1)
	f.want("waterlogging_cases", Scope{"source", "sensor"}, "7d", end, 1)
	// Report to acceptance of critical cases: x1 25, x2 15, x4 100 minutes: 140 / 3.
	f.want("critical_mean_response_minutes", city, "today", end, 140.0/3)
	// P90 of 3: the 3rd, 6000 s, in the bin up to 7200 s: 120 minutes.
	f.want("critical_p90_response_minutes", city, "7d", end, 120)
	// Escalations: x2 to 2 and to 3; city level (3+) one.
	f.want("escalations", city, "today", end, 2)
	f.want("city_level_escalations", city, "today", end, 1)
	// Open critical: x2 and x4 at 18:00; at 11:20 x1 (handled, not closed) and x2; at 11:50 x2.
	f.want("critical_backlog", city, "today", end, 2)
	f.want("critical_backlog", city, "today", at(0, "11:20"), 2)
	f.want("critical_backlog", city, "today", at(0, "11:50"), 1)
	// Overdue critical: x2 since 13:05.
	f.want("critical_overdue", city, "today", end, 1)
	f.want("critical_overdue", city, "today", at(0, "13:00"), 0)
	// E04 handlings: x1 (due 12:10) 11:10 on time, x3 (due 14:05) 15:05 late: 1 / 2.
	f.want("emergency_on_time_handle_rate", city, "7d", end, 50)
	// E04 dispatch to handling: x1 60, x3 180 minutes: 120.
	f.want("emergency_mean_handle_minutes", city, "7d", end, 120)
	f.want("emergency_mean_handle_minutes", Scope{"district", "420106"}, "7d", end, 60)
}
