package sim

import (
	"math/rand/v2"
	"time"

	"github.com/chengyun/chengyun/domain/cases"
)

// Step is one thing a simulated person does to a case, After its report.
type Step struct {
	After time.Duration
	Cmd   cases.Command
}

// Role is the kind of staff a step needs; the live simulator logs in as one user per role.
type Role string

// The simulated staff.
const (
	Operator   Role = "operator"   // 12345 受理员: takes calls, verifies, registers, closes, calls back
	Dispatcher Role = "dispatcher" // 派遣员
	Handler    Role = "handler"    // a department's handler
	Patroller  Role = "grid"       // grid worker on patrol
)

// Roles lists the simulated staff.
var Roles = []Role{Operator, Dispatcher, Handler, Patroller}

// RoleOf is who runs a command in the demo. A patrol's report and its on-the-spot closing are
// the grid worker's; everything else follows the roles of domain/identity.
func RoleOf(source cases.Source, cmd string) Role {
	switch cmd {
	case "report":
		if source == cases.SourcePatrol {
			return Patroller
		}
		return Operator
	case "close-on-spot":
		return Patroller
	case "dispatch", "grant-extension", "deny-extension", "suspend", "resume", "supervise", "escalate":
		return Dispatcher
	case "accept", "return", "request-extension", "handle":
		return Handler
	}
	return Operator
}

// story is the life of one case after its report, drawn from rng: how it is sorted, who
// handles it and how fast, whether it is late, reworked or extended, and what the citizen says
// when called back. With dayShift, staff work on the city's day: a step that falls in the
// night waits, most of the time, for the next morning. Offsets only grow, so the steps are in
// order.
func story(rng *rand.Rand, rep cases.Report, reported time.Time, loc *time.Location, dayShift bool) []Step {
	var steps []Step
	at := time.Duration(0)
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	do := func(wait time.Duration, cmd cases.Command) {
		at += wait
		if dayShift {
			at = daytime(rng, reported, at, loc)
		}
		steps = append(steps, Step{After: at, Cmd: cmd})
	}
	roll := rng.Float64()
	switch {
	case roll < 0.04:
		do(minutes(5, 90), cases.Void{Reason: pick(rng, voidReasons)})
		return steps
	case roll < 0.16 && rep.Source == cases.SourceHotline:
		do(minutes(1, 15), cases.DirectAnswer{Answer: pick(rng, directAnswers)})
		if rng.IntN(2) == 0 {
			do(minutes(600, 2880), revisit(rng))
		}
		return steps
	case roll < 0.30 && rep.Source == cases.SourcePatrol:
		do(minutes(10, 60), cases.CloseOnSpot{Feedback: "现场已处置完毕"})
		return steps
	}
	do(minutes(2, 60), cases.Verify{})
	do(minutes(2, 90), cases.Register{})
	do(minutes(5, 120), cases.Dispatch{})
	if rng.IntN(10) == 0 { // the wrong department: it sends the case back
		do(minutes(20, 300), cases.Return{Reason: pick(rng, returnReasons)})
		do(minutes(10, 120), cases.Dispatch{})
	}
	do(minutes(5, 240), cases.Accept{})
	if rng.IntN(25) == 0 {
		do(minutes(30, 600), cases.Supervise{Note: "请加快办理进度"})
	}
	if rng.IntN(12) == 0 {
		do(minutes(60, 900), cases.RequestExtension{Extra: pick(rng, []string{"1d", "2d", "3d"}), Reason: pick(rng, extensionReasons)})
		if rng.IntN(5) == 0 {
			do(minutes(20, 240), cases.DenyExtension{Reason: "理由不充分，请按期办结"})
		} else {
			do(minutes(20, 240), cases.GrantExtension{})
		}
	}
	if rng.IntN(40) == 0 {
		do(minutes(30, 300), cases.Suspend{Reason: "等待相关审批"})
		do(minutes(1440, 5760), cases.Resume{})
	}
	// Most cases are handled well inside their limit; about one in eight runs late.
	if rng.IntN(8) == 0 {
		if rng.IntN(3) == 0 {
			do(minutes(60, 240), cases.Escalate{Reason: "办理超期，提级督办"})
		}
		do(minutes(3*1440, 7*1440), cases.Handle{Feedback: pick(rng, feedbacks)})
	} else {
		do(minutes(60, 2*1440), cases.Handle{Feedback: pick(rng, feedbacks)})
	}
	if rng.IntN(9) == 0 { // the inspection finds the work not done
		do(minutes(30, 480), cases.Inspect{Pass: false, Note: "现场核查未处置到位，请重新处置并上传照片", Rework: pick(rng, []string{"8h", "1d", "2d"})})
		do(minutes(120, 2880), cases.Handle{Feedback: "已返工处置到位"})
	}
	do(minutes(30, 480), cases.Inspect{Pass: true, Note: "核查通过"})
	do(minutes(5, 120), cases.Close{})
	if rep.Source == cases.SourceHotline || rng.IntN(3) == 0 {
		do(minutes(600, 2880), revisit(rng))
	}
	return steps
}

// daytime moves a step that would fall in the night (22:00–07:30 in the city) to the next
// morning, four times in five; the fifth is the night shift.
func daytime(rng *rand.Rand, reported time.Time, at time.Duration, loc *time.Location) time.Duration {
	t := reported.Add(at).In(loc)
	h := t.Hour()*60 + t.Minute()
	if (h >= 7*60+30 && h < 22*60) || rng.IntN(5) == 0 {
		return at
	}
	morning := time.Date(t.Year(), t.Month(), t.Day(), 7, 30, 0, 0, loc)
	if h >= 22*60 {
		morning = morning.AddDate(0, 0, 1)
	}
	return morning.Add(time.Duration(rng.IntN(120))*time.Minute + time.Duration(rng.IntN(60))*time.Second).Sub(reported)
}

func revisit(rng *rand.Rand) cases.Revisit {
	if rng.IntN(12) == 0 {
		return cases.Revisit{Reached: false, Note: "电话无人接听"}
	}
	x := rng.IntN(100)
	switch {
	case x < 72:
		return cases.Revisit{Reached: true, Solved: true, Satisfaction: cases.Satisfied}
	case x < 92:
		return cases.Revisit{Reached: true, Solved: rng.IntN(4) > 0, Satisfaction: cases.BasicSatisfied}
	}
	return cases.Revisit{Reached: true, Solved: rng.IntN(3) == 0, Satisfaction: cases.Unsatisfied, Note: "对处理结果不满意"}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

var (
	voidReasons      = []string{"重复上报", "不属于受理范围", "信息不全无法核实", "诉求人已自行解决"}
	directAnswers    = []string{"已电话解答政策咨询", "已告知办理渠道和所需材料", "已解释相关规定，市民表示理解"}
	returnReasons    = []string{"不属本单位职责", "点位不在辖区", "分类有误，请重新派遣"}
	extensionReasons = []string{"需要协调多个部门", "涉及施工，需等待材料", "天气原因无法施工"}
	feedbacks        = []string{"已安排人员现场处置", "已整改完毕并拍照留存", "已约谈责任单位完成整改", "已维修恢复正常"}
)
