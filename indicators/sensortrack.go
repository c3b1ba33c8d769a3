package indicators

import (
	"strings"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/sensors"
)

// deviceTrack is what the engine remembers of a device.
type deviceTrack struct {
	kind                   string
	district, street, grid string
	online                 bool
	gauges                 []gaugeMember
}

// alarmTrack is what the engine remembers of an alarm.
type alarmTrack struct {
	device   string
	severity string
	state    string // open, acknowledged, closed
	gauges   []gaugeMember
	marks    [nMarks]time.Time // when it was raised and acknowledged
}

func (e *Engine) applySensor(ev domain.RecordedEvent, p any) {
	devID := strings.TrimPrefix(ev.StreamID, sensors.StreamPrefix)
	dev := e.devices[devID]
	if dev == nil {
		dev = &deviceTrack{}
		e.devices[devID] = dev
	}
	at := ev.OccurredAt
	var a attrs
	var alarm *alarmTrack
	alarmOf := func(id string) *alarmTrack {
		al := e.alarms[id]
		if al == nil {
			al = &alarmTrack{device: devID, state: "open"}
			e.alarms[id] = al
		}
		return al
	}
	switch v := p.(type) {
	case sensors.DeviceRegistered:
		dev.kind = v.Kind
		dev.district, dev.street, dev.grid = v.Location.District, v.Location.Street, v.Location.Grid
		dev.online = true
	case sensors.DeviceOnline:
		dev.online = true
	case sensors.DeviceOffline:
		dev.online = false
	case sensors.AlarmRaised:
		alarm = alarmOf(v.AlarmID)
		alarm.severity, alarm.state = v.Severity, "open"
		alarm.marks[sinceRaised] = at
	case sensors.AlarmAcknowledged:
		alarm = alarmOf(v.AlarmID)
		if alarm.state == "open" {
			alarm.state = "acknowledged"
		}
		alarm.marks[sinceAcknowledged] = at
	case sensors.AlarmCleared:
		alarm = alarmOf(v.AlarmID)
		alarm.state = "closed"
	case sensors.AlarmMarkedFalse:
		alarm = alarmOf(v.AlarmID)
		alarm.state = "closed"
	case sensors.AlarmEscalated:
		alarm = alarmOf(v.AlarmID)
		alarm.state = "closed"
	}
	if alarm != nil {
		a.marks = alarm.marks
		a.v[attrSeverity] = alarm.severity
	}
	a.v[attrDeviceKind], a.v[attrSource] = dev.kind, "sensor"
	dims := [nDims]uint16{1, e.intern[dimDistrict].id(dev.district), e.intern[dimStreet].id(dev.street), e.intern[dimGrid].id(dev.grid),
		0, e.intern[dimCategory].id(sensorCategory(dev.kind)), e.intern[dimSource].id("sensor"), 0}
	e.count(ev.Type, at, &a, dims)
	dev.gauges = e.gaugeFacts("device", at, dev.gauges, func(attr string) string {
		switch attr {
		case "kind":
			return dev.kind
		case "online":
			return boolAttr(dev.online)
		}
		return ""
	}, dims)
	if alarm != nil {
		alarm.gauges = e.gaugeFacts("alarm", at, alarm.gauges, func(attr string) string {
			switch attr {
			case "severity":
				return alarm.severity
			case "kind":
				return dev.kind
			case "state":
				return alarm.state
			}
			return ""
		}, dims)
	}
}

// sensorCategory is the category dimension of a device's facts: its kind, marked as a sensor.
func sensorCategory(kind string) string {
	if kind == "" {
		return ""
	}
	return "sensor:" + kind
}
