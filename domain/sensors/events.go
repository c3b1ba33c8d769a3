// Package sensors holds the events of the IoT sensing life of DESIGN.md §4: devices that
// register and report, alarms that are raised, acknowledged and cleared or escalated. The
// sensors hub writes them; the indicators read them. Types are stable strings.
package sensors

import (
	"encoding/json"
	"time"

	"github.com/chengyun/chengyun/domain"
)

// Event types of the sensor life.
const (
	TypeDeviceRegistered  = "DeviceRegistered"
	TypeDeviceOnline      = "DeviceOnline"
	TypeDeviceOffline     = "DeviceOffline"
	TypeReadingRecorded   = "ReadingRecorded"
	TypeAlarmRaised       = "AlarmRaised"
	TypeAlarmAcknowledged = "AlarmAcknowledged"
	TypeAlarmCleared      = "AlarmCleared"
	TypeAlarmMarkedFalse  = "AlarmMarkedFalse"
	TypeAlarmEscalated    = "AlarmEscalatedToCase"
)

// StreamPrefix starts the stream of every device: device-<id>. A device's alarms are events
// of its stream, so one alarm's life is ordered with the device's.
const StreamPrefix = "device-"

// Location is where a device stands, located like a case.
type Location struct {
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	District  string  `json:"district,omitempty"`
	Street    string  `json:"street,omitempty"`
	Community string  `json:"community,omitempty"`
	Grid      string  `json:"grid,omitempty"`
}

// DeviceRegistered adds a device: its kind (waterlogging, air, manhole, fire, traffic …) and place.
type DeviceRegistered struct {
	DeviceID string   `json:"deviceId"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name,omitempty"`
	Location Location `json:"location"`
}

// DeviceOnline and DeviceOffline record a device's heartbeat starting or stopping.
type DeviceOnline struct{}

// DeviceOffline records a missed heartbeat.
type DeviceOffline struct {
	LastSeen time.Time `json:"lastSeen"`
}

// ReadingRecorded is a sampled reading that matters (not every reading becomes an event).
type ReadingRecorded struct {
	Metric string  `json:"metric"` // water_level_cm, aqi, pm25 …
	Value  float64 `json:"value"`
}

// AlarmRaised opens an alarm.
type AlarmRaised struct {
	AlarmID  string  `json:"alarmId"`
	Severity string  `json:"severity"` // info, minor, major, critical
	Metric   string  `json:"metric,omitempty"`
	Value    float64 `json:"value,omitempty"`
}

// AlarmAcknowledged says an operator took the alarm.
type AlarmAcknowledged struct {
	AlarmID string `json:"alarmId"`
}

// AlarmCleared closes an alarm whose condition ended.
type AlarmCleared struct {
	AlarmID string `json:"alarmId"`
}

// AlarmMarkedFalse closes an alarm that was not real.
type AlarmMarkedFalse struct {
	AlarmID string `json:"alarmId"`
	Reason  string `json:"reason,omitempty"`
}

// AlarmEscalated turns an alarm into a case.
type AlarmEscalated struct {
	AlarmID string `json:"alarmId"`
	CaseID  string `json:"caseId"`
}

var decoders = map[string]func([]byte) (any, error){
	TypeDeviceRegistered:  decodeAs[DeviceRegistered],
	TypeDeviceOnline:      decodeAs[DeviceOnline],
	TypeDeviceOffline:     decodeAs[DeviceOffline],
	TypeReadingRecorded:   decodeAs[ReadingRecorded],
	TypeAlarmRaised:       decodeAs[AlarmRaised],
	TypeAlarmAcknowledged: decodeAs[AlarmAcknowledged],
	TypeAlarmCleared:      decodeAs[AlarmCleared],
	TypeAlarmMarkedFalse:  decodeAs[AlarmMarkedFalse],
	TypeAlarmEscalated:    decodeAs[AlarmEscalated],
}

func decodeAs[P any](data []byte) (any, error) {
	var p P
	err := json.Unmarshal(data, &p)
	return p, err
}

// IsSensorEvent reports whether typ is a sensor event type.
func IsSensorEvent(typ string) bool { _, ok := decoders[typ]; return ok }

// Decode reads a stored sensor event's data. Errors: internal (the log is trusted input).
func Decode(e domain.RecordedEvent) (any, error) {
	dec, ok := decoders[e.Type]
	if !ok {
		return nil, domain.Internal("event "+e.ID+" has type "+e.Type+", which is no sensor event", nil)
	}
	v, err := dec(e.Data)
	if err != nil {
		return nil, domain.Internal("event "+e.ID+" ("+e.Type+") does not decode", err)
	}
	return v, nil
}
