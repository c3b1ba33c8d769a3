package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/domain/catalog"
)

// Arrival is one case the city reports: when, what, and the rest of its story.
type Arrival struct {
	Key    string // stable name of the arrival, e.g. "h493512-s0-7": the idempotency key of its report
	At     time.Time
	CaseID string // the history's case id (live reports get theirs from the server)
	Report cases.Report
	Steps  []Step
}

// Generator draws a city's activity from a seed. Every hour of the city's time is drawn from
// its own generator seeded by (seed, hour), so any window of time gives the same cases
// however it is cut, whoever asks first, and however many goroutines draw it.
type Generator struct {
	World *World
	Rates Rates
	Seed  uint64
	// DayShift keeps the staff to the city's day (true by default): a demo accelerated well
	// beyond real time turns it off, or its nights would stall every case for hours.
	DayShift bool
	loc      *time.Location
}

// NewGenerator returns a generator for w.
func NewGenerator(w *World, r Rates, seed uint64) *Generator {
	loc := time.Local
	if c, ok := w.City.Calendar.(interface{ Location() *time.Location }); ok && c.Location() != nil {
		loc = c.Location()
	}
	return &Generator{World: w, Rates: r, Seed: seed, DayShift: true, loc: loc}
}

// Location is the city's time zone.
func (g *Generator) Location() *time.Location { return g.loc }

// Hour returns the cases reported in the hour that starts at h (truncated to the hour), at
// volume factor f (1 now, Rates.YearAgo a year earlier), in the order they arrive.
func (g *Generator) Hour(h time.Time, f float64) []Arrival {
	h = h.Truncate(time.Hour)
	hour := uint64(h.Unix() / 3600)
	local := h.In(g.loc)
	var out []Arrival
	for si := range sourceShare {
		rng := g.rng(hour, uint64(si), 1<<32)
		n := poisson(rng, g.Rates.expected(si, local, f))
		for i := range n {
			out = append(out, g.arrival(h, hour, si, i))
		}
	}
	out = append(out, g.stormArrivals(h, hour, f)...)
	sortArrivals(out)
	return out
}

func (g *Generator) rng(a, b, c uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.Seed^a*0x9e3779b97f4a7c15, b<<40^c^0xd1b54a32d192ed03))
}

func (g *Generator) arrival(h time.Time, hour uint64, si, i int) Arrival {
	rng := g.rng(hour, uint64(si), uint64(i))
	src := sourceShare[si].src
	at := h.Add(time.Duration(rng.Int64N(int64(time.Hour)))).Truncate(time.Millisecond)
	rep := g.report(rng, src)
	return Arrival{Key: fmt.Sprintf("h%d-s%d-%d", hour, si, i), At: at, CaseID: newUUID(rng), Report: rep,
		Steps: story(rng, rep, at, g.loc, g.DayShift)}
}

func (g *Generator) report(rng *rand.Rand, src cases.Source) cases.Report {
	w := g.World
	m := w.bySource[src]
	if m == nil {
		m = w.bySource[cases.SourceHotline]
	}
	code := m.pick(rng)
	grid, pt := w.place(rng)
	streetName := w.streetName(grid)
	name := code
	if cat, ok := w.City.Catalog.Category(code); ok {
		name = cat.Name.ZH
	}
	urgency := catalog.Urgency("normal")
	switch x := rng.IntN(100); {
	case x < 2:
		urgency = "critical"
	case x < 12:
		urgency = "urgent"
	}
	rep := cases.Report{Source: src, Category: code, Urgency: urgency, Title: streetName + " " + name,
		Description: pick(rng, describedBy(src)) + name + "问题，" + pick(rng, requests),
		Location:    cases.Location{Point: &pt, Address: streetName + pick(rng, places)}}
	switch src {
	case cases.SourceHotline, cases.SourceOpen311, cases.SourceMedia, cases.SourceEnterprise:
		rep.Reporter = &cases.Reporter{Name: pick(rng, surnames) + pick(rng, []string{"先生", "女士"}), Phone: phone(rng)}
	}
	if src == cases.SourceOpen311 {
		rep.ExternalID = fmt.Sprintf("311-%08d", rng.IntN(1e8))
	}
	return rep
}

// describedBy is how a report of src begins: a caller's words, or what a patrol or a
// camera found.
func describedBy(src cases.Source) []string {
	switch src {
	case cases.SourcePatrol, cases.SourceVideo, cases.SourceSensor:
		return finders
	}
	return callers
}

// newUUID draws a version-4 UUID from rng, so ids are reproducible from the seed.
func newUUID(rng *rand.Rand) string {
	var u uuid.UUID
	a, b := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

func phone(rng *rand.Rand) string {
	return fmt.Sprintf("1%s%08d", pick(rng, []string{"33", "35", "36", "37", "38", "39", "50", "52", "58", "77", "86", "89"}), rng.IntN(1e8))
}

func sortArrivals(a []Arrival) {
	slices.SortStableFunc(a, func(x, y Arrival) int { return x.At.Compare(y.At) })
}

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"}
	places   = []string{"小区门口", "菜市场旁", "公交站附近", "学校周边", "主干道路口", "小区内部", "商业街", "地铁站出口"}
	callers  = []string{"市民来电反映", "群众来电称", "市民反映"}
	finders  = []string{"巡查发现", "现场发现"}
	requests = []string{"请尽快处理。", "希望相关部门尽快解决。", "影响周边居民生活。", "存在安全隐患。"}
)
