package indicators

import (
	"strconv"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/sensors"
)

// Event attributes a measure's where may test. Each is a string (booleans are "true" and
// "false"); an attribute an event does not have is "".
const (
	attrSource = iota
	attrUrgency
	attrKind
	attrMajor
	attrCategory
	attrOnTime
	attrPass
	attrReached
	attrSolved
	attrSatisfaction
	attrStage
	attrFirst
	attrByReporter
	attrOverridden
	attrEverOverdue
	attrRegistered
	attrHow
	attrSeverity
	attrDeviceKind
	attrLevel
	nAttrs
)

var eventAttribute = map[string]int{
	"source": attrSource, "urgency": attrUrgency, "kind": attrKind, "major": attrMajor, "category": attrCategory,
	"onTime": attrOnTime, "pass": attrPass, "reached": attrReached, "solved": attrSolved, "satisfaction": attrSatisfaction,
	"stage": attrStage, "first": attrFirst, "byReporter": attrByReporter, "overridden": attrOverridden,
	"everOverdue": attrEverOverdue, "registered": attrRegistered, "how": attrHow, "severity": attrSeverity,
	"deviceKind": attrDeviceKind, "level": attrLevel,
}

// Durations a duration measure may sum: the time from a milestone of the case (or alarm) to
// the event.
const (
	sinceReported = iota
	sinceRegistered
	sinceDispatched
	sinceAccepted
	sinceHandled
	sinceClosed
	sinceRaised
	sinceAcknowledged
	nMarks
)

var durationAttribute = map[string]int{
	"sinceReported": sinceReported, "sinceRegistered": sinceRegistered, "sinceDispatched": sinceDispatched,
	"sinceAccepted": sinceAccepted, "sinceHandled": sinceHandled, "sinceClosed": sinceClosed,
	"sinceRaised": sinceRaised, "sinceAcknowledged": sinceAcknowledged,
}

// State attributes a gauge may test, by subject.
var stateAttributes = map[string][]string{
	"case":   {"status", "overdue", "source", "urgency", "kind", "major", "registered"},
	"device": {"kind", "online"},
	"alarm":  {"severity", "kind", "state"},
}

func knownEventType(t string) bool {
	return t == "*" || cases.IsCaseEvent(t) || sensors.IsSensorEvent(t)
}

func boolAttr(b bool) string { return strconv.FormatBool(b) }

// attrs are one event's attributes, with the instants its durations run from.
type attrs struct {
	v     [nAttrs]string
	marks [nMarks]time.Time
}
