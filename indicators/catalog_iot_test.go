package indicators

import (
	"testing"

	"github.com/chengyun/chengyun/domain/sensors"
)

// Fixtures of the IoT sensing (物联感知) and platform themes.

// iotScenario, all on day 0:
//
//	devices w1 (waterlogging, 420106), w2 (waterlogging, 420102), a1 (air, 420106), m1 (manhole,
//	420106) registered 08:00; w2 offline 09:00; m1 offline 10:00, online 11:00, offline 15:00.
//	al1 w1 major 09:00, acknowledged 09:03, cleared 09:40.
//	al2 w1 critical 10:00, acknowledged 10:20, escalated to case s1 10:30.
//	al3 a1 minor 11:00, marked false 11:10.
//	al4 a1 info 12:00; open.
//	al5 w2 critical 13:00, acknowledged 13:10; open.
func iotScenario(t *testing.T) *fixture {
	f := newFixture(t)
	f.device("w1", "waterlogging", "420106", at(0, "08:00"))
	f.device("w2", "waterlogging", "420102", at(0, "08:00"))
	f.device("a1", "air", "420106", at(0, "08:00"))
	f.device("m1", "manhole", "420106", at(0, "08:00"))
	f.sensor("w1", sensors.TypeReadingRecorded, at(0, "08:30"), sensors.ReadingRecorded{Metric: "water_level_cm", Value: 12})
	f.raise("w1", "al1", "major", at(0, "09:00"))
	f.sensor("w2", sensors.TypeDeviceOffline, at(0, "09:00"), sensors.DeviceOffline{LastSeen: at(0, "08:55")})
	f.alarm("w1", sensors.TypeAlarmAcknowledged, "al1", at(0, "09:03"))
	f.sensor("w1", sensors.TypeReadingRecorded, at(0, "09:30"), sensors.ReadingRecorded{Metric: "water_level_cm", Value: 3})
	f.alarm("w1", sensors.TypeAlarmCleared, "al1", at(0, "09:40"))
	f.raise("w1", "al2", "critical", at(0, "10:00"))
	f.sensor("m1", sensors.TypeDeviceOffline, at(0, "10:00"), sensors.DeviceOffline{LastSeen: at(0, "09:58")})
	f.alarm("w1", sensors.TypeAlarmAcknowledged, "al2", at(0, "10:20"))
	f.alarm("w1", sensors.TypeAlarmEscalated, "al2", at(0, "10:30"))
	f.intake(kase{id: "s1", source: "sensor", category: "E0406", urgency: "critical", district: "420106"}, at(0, "10:30"))
	f.raise("a1", "al3", "minor", at(0, "11:00"))
	f.sensor("m1", sensors.TypeDeviceOnline, at(0, "11:00"), sensors.DeviceOnline{})
	f.alarm("a1", sensors.TypeAlarmMarkedFalse, "al3", at(0, "11:10"))
	f.raise("a1", "al4", "info", at(0, "12:00"))
	f.raise("w2", "al5", "critical", at(0, "13:00"))
	f.alarm("w2", sensors.TypeAlarmAcknowledged, "al5", at(0, "13:10"))
	f.sensor("m1", sensors.TypeDeviceOffline, at(0, "15:00"), sensors.DeviceOffline{LastSeen: at(0, "14:58")})
	return f
}

// TestCatalogDevices: devices online and offline, readings.
func TestCatalogDevices(t *testing.T) {
	f := iotScenario(t)
	end := at(0, "18:00")
	d106 := Scope{"district", "420106"}
	f.want("devices", city, "today", end, 4)
	f.want("devices", d106, "today", end, 3)
	f.want("devices", Scope{"category", "sensor:waterlogging"}, "today", end, 2)
	// 在线率: w1 and a1 online of 4 at 18:00 = 50 %; 420106: w1, a1 of w1, a1, m1.
	f.want("device_online_rate", city, "today", end, 50)
	f.want("device_online_rate", d106, "today", end, 200.0/3)
	// At 11:30 only w2 is off (m1 came back at 11:00): 3 / 4.
	f.want("device_online_rate", city, "today", at(0, "11:30"), 75)
	f.want("device_online_rate", city, "today", at(0, "07:00"), nan) // no device yet
	f.want("devices_offline", city, "today", end, 2)
	f.want("devices_offline", city, "today", at(0, "11:30"), 1)
	// Dropouts: w2 09:00, m1 10:00 and 15:00; two of them m1's in 420106.
	f.want("device_dropouts", city, "today", end, 3)
	f.want("device_dropouts", d106, "24h", end, 2)
	f.want("readings_recorded", city, "today", end, 2)
	f.want("readings_recorded", Scope{"grid", "420106001001001"}, "7d", end, 2)
}

// TestCatalogAlarms: 告警数, MTTA, MTTR, 误报率, 告警转案件率, open alarms, waterlogging and air.
func TestCatalogAlarms(t *testing.T) {
	f := iotScenario(t)
	end := at(0, "18:00")
	f.want("alarms_raised", city, "today", end, 5)
	f.want("alarms_raised", Scope{"district", "420106"}, "today", end, 4) // w1's and a1's
	f.want("alarms_raised", Scope{"category", "sensor:waterlogging"}, "7d", end, 3)
	// MTTA: raised to acknowledged al1 3, al2 20, al5 10 minutes: 33 / 3.
	f.want("mtta_minutes", city, "today", end, 11)
	// P90 of 3: the 3rd, 1200 s, in the bin up to 1800 s: 30 minutes.
	f.want("p90_mtta_minutes", city, "7d", end, 30)
	// MTTR: only al1 was cleared, 40 minutes after it was raised.
	f.want("mttr_minutes", city, "today", end, 40)
	f.want("mttr_minutes", city, "today", at(0, "09:30"), nan)
	// 误报率: al3 of 5; 告警转案件率: al2 of 5; 确认率: al1, al2, al5 of 5.
	f.want("false_alarm_rate", city, "7d", end, 20)
	f.want("alarm_to_case_rate", city, "7d", end, 20)
	f.want("alarm_ack_rate", city, "today", end, 60)
	// Open at 18:00: al4 (open) and al5 (acknowledged); at 10:10 al2 only (al1 cleared 09:40).
	f.want("open_alarms", city, "today", end, 2)
	f.want("open_alarms", city, "today", at(0, "10:10"), 1)
	f.want("unacknowledged_alarms", city, "today", end, 1)
	f.want("unacknowledged_alarms", city, "today", at(0, "13:05"), 2) // al4 and al5, before 13:10
	// Waterlogging: al1, al2 (w1) and al5 (w2); open at 18:00 al5 only, in 420102.
	f.want("waterlogging_alarms", city, "today", end, 3)
	f.want("waterlogging_alarms", Scope{"district", "420102"}, "today", end, 1)
	f.want("waterlogging_points", city, "today", end, 1)
	f.want("waterlogging_points", Scope{"district", "420106"}, "today", end, 0)
	f.want("waterlogging_points", city, "today", at(0, "10:10"), 1) // al2, escalated at 10:30
	f.want("waterlogging_points", city, "today", at(0, "10:40"), 0)
	// Air: al3 and al4.
	f.want("air_quality_alarms", city, "today", end, 2)
	// Major or critical: al1, al2, al5; critical: al2, al5.
	f.want("severe_alarms", city, "today", end, 3)
	f.want("critical_alarms", city, "today", end, 2)
	f.want("critical_alarms", Scope{"district", "420106"}, "24h", end, 1)
	// The case al2 became, reported from the sensor.
	f.want("sensor_cases", city, "today", end, 1)
	f.want("sensor_cases", Scope{"urgency", "critical"}, "7d", end, 1)
}

// TestCatalogPlatform: the platform's own events and the projection lag from the runtime.
func TestCatalogPlatform(t *testing.T) {
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c, Config{Location: shanghai, Runtime: func(name string) (float64, bool) {
		if name == "projection_lag_seconds_max" {
			return 90, true
		}
		return 0, false
	}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: e}
	k := kase{id: "k", source: "patrol", category: "E0102", district: "420106"}
	f.intake(k, at(0, "09:00"))
	f.verify(k, at(0, "09:10"))
	f.device("w1", "waterlogging", "420106", at(0, "09:20"))
	f.raise("w1", "al1", "minor", at(0, "09:30"))
	f.raw("staff-1", "StaffShiftStarted", at(0, "10:00"), []byte(`{}`))
	f.register(k, at(1, "08:00"))

	// Day 0 at 12:00: 5 events, 2 of a case, 2 of a device, 1 of staff.
	f.want("events_today", city, "today", at(0, "12:00"), 5)
	f.want("events_per_minute", city, "today", at(0, "12:00"), 5.0/(12*60))
	f.want("case_events", city, "today", at(0, "12:00"), 2)
	f.want("case_events", Scope{"district", "420106"}, "today", at(0, "12:00"), 2)
	f.want("sensor_event_share", city, "today", at(0, "12:00"), 40)
	// Day 1 at 12:00: today 1 (the registration); 24 h since day 0 12:00 the same; the 7d window
	// spans 6.5 days with all 6 events.
	f.want("events_today", city, "today", at(1, "12:00"), 1)
	f.want("events_today", city, "24h", at(1, "12:00"), 1)
	f.want("events_per_day", city, "7d", at(1, "12:00"), 6/6.5)
	f.want("case_events", city, "7d", at(1, "12:00"), 3)
	f.want("sensor_event_share", city, "7d", at(1, "12:00"), 100.0/3)
	// Lag: 90 s from the runtime = 1.5 minutes; with no runtime it is null.
	f.want("projection_lag_minutes", city, "today", at(1, "12:00"), 1.5)
	newFixture(t).want("projection_lag_minutes", city, "today", at(0, "12:00"), nan)
}
