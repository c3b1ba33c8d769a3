package catalog

// Text is a name in Chinese and English; both are always set.
type Text struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// Kind says where a category comes from: a 部件 (part: a piece of city infrastructure that is
// damaged or missing), an 事件 (event: something happening in the street) or a 12345 hotline
// 诉求 (hotline). Its letter (P, E, H) starts every code of the kind.
type Kind string

// kindLetters maps each kind to the first letter of its codes.
var kindLetters = map[Kind]byte{"part": 'P', "event": 'E', "hotline": 'H'}

// Urgency is how urgent a case is: "normal" 一般, "urgent" 紧急 or "critical" 特急.
type Urgency string

// Urgencies lists every urgency, least urgent first. Every catalog has a policy for each.
var Urgencies = []Urgency{"normal", "urgent", "critical"}

// UrgencyPolicy is what an urgency does to a case's time limits: each limit is scaled by
// Factor (0 < Factor <= 1, see Limit.Scale), and a Continuous urgency counts 24x7 instead of on
// the working calendar.
type UrgencyPolicy struct {
	Name       Text
	Factor     float64
	Continuous bool
}

// Category is one class of case: a 小类 of the catalog.
type Category struct {
	Code       string // unique: kind letter + 大类 + two digits, e.g. "P0101", "E0502", "H0301"
	Kind       Kind
	Major      string // the 大类 code, e.g. "01"
	MajorName  Text
	Name       Text
	Department string // the default responsible department's code
	// Limits has a limit for every stage of Stages. The map is shared with the catalog, which
	// is immutable after parsing: read it, do not write it.
	Limits     map[Stage]Limit
	Continuous bool // limits are counted 24x7, not on the working calendar (突发事件)
}

// Catalog is a parsed, validated categories file. It is immutable, so safe for concurrent use.
type Catalog struct {
	name      string
	warnAt    float64
	urgencies map[Urgency]UrgencyPolicy
	cats      []Category
	byCode    map[string]int
	majors    map[string]bool // kind letter + 大类 ("E01"): what a routing rule's prefix may name
}

// Category returns the category with the given code, and whether there is one.
func (c *Catalog) Category(code string) (Category, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Category{}, false
	}
	return c.cats[i], true
}

// Categories returns every category in file order. The slice is the caller's; the Limits maps
// in it are shared and must not be modified.
func (c *Catalog) Categories() []Category {
	out := make([]Category, len(c.cats))
	copy(out, c.cats)
	return out
}

// Urgency returns the policy for u, and whether u is a known urgency.
func (c *Catalog) Urgency(u Urgency) (UrgencyPolicy, bool) {
	p, ok := c.urgencies[u]
	return p, ok
}

// WarnFraction is the fraction of a stage's limit after which a case is flagged as about to
// run late (e.g. 0.8: warn when 80% of the limit has elapsed); always in (0, 1).
func (c *Catalog) WarnFraction() float64 { return c.warnAt }

// Name is the catalog's title as given in the file.
func (c *Catalog) Name() string { return c.name }
