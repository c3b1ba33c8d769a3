package worktime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	_ "time/tzdata" // zones must resolve on hosts without system zoneinfo (scratch images)

	"go.yaml.in/yaml/v3"

	"github.com/chengyun/chengyun/domain"
)

// maxFileBytes bounds a calendar file; a real one is a few kilobytes.
const maxFileBytes = 1 << 20

// file is the YAML form of a calendar; see Parse.
type file struct {
	Name     string    `yaml:"name"`
	Timezone string    `yaml:"timezone"`
	Weekdays []string  `yaml:"weekdays"`
	Hours    []string  `yaml:"hours"`
	Years    []int     `yaml:"years"`
	Holidays []holiday `yaml:"holidays"`
	Workdays []makeup  `yaml:"workdays"`
	Source   string    `yaml:"source"`
}

// holiday is a day off, or a range of them, that would otherwise be a workday.
type holiday struct {
	Name string `yaml:"name"`
	Date string `yaml:"date"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// makeup is a make-up workday (调休) on a day that is otherwise off.
type makeup struct {
	Name string `yaml:"name"`
	Date string `yaml:"date"`
}

// Parse reads a calendar from YAML:
//
//	name: 中国大陆法定工作日历 (湖北武汉)     # required
//	timezone: Asia/Shanghai                 # required, an IANA zone
//	weekdays: [mon, tue, wed, thu, fri]     # regular workdays, at least one
//	hours: ["08:30-12:00", "14:00-17:30"]   # local wall clock, half-open, ascending, disjoint
//	years: [2025, 2026]                     # years whose official holidays are listed
//	holidays:                               # named days off: a date, or an inclusive range
//	  - {name: 春节, from: 2026-02-15, to: 2026-02-23}
//	  - {name: 元旦, date: 2025-01-01}
//	workdays:                               # make-up workdays on days otherwise off
//	  - {name: 春节调休, date: 2026-02-14}
//	source: 国办发明电〔2025〕7号             # where the dates come from; required with years
//
// Times are HH:MM, 00:00 to 24:00; day names are mon..sun in any case. Years lie in 1900-2999,
// every listed date must fall in a listed year, a holiday range is at most 366 days, a date
// may not be both a holiday and a make-up workday, and a make-up workday must be a day the
// weekday rule leaves off. Unknown fields are rejected. Errors are *domain.Error: CodeInvalid
// naming the field (e.g. holidays[3].to, or "file" for the document as a whole), or
// CodeTooLarge for a file over 1 MiB. Parse never panics.
func Parse(data []byte) (c *Calendar, err error) {
	if len(data) > maxFileBytes {
		return nil, domain.TooLarge("file", "calendar file is %d bytes, limit %d", len(data), maxFileBytes)
	}
	defer func() {
		// Belt and braces: a YAML parser bug on hostile input must not take the process down.
		if r := recover(); r != nil {
			c, err = nil, domain.Invalid("file", "unparseable YAML: %v", r)
		}
	}()
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, domain.Invalid("file", "empty: no YAML document")
		}
		return nil, decodeError(data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, domain.Invalid("file", "content after the first YAML document")
	}
	return f.calendar()
}

var (
	errLine    = regexp.MustCompile(`line (\d+): `)
	errUnknown = regexp.MustCompile(`field (.+) not found in type`)
	errValue   = regexp.MustCompile("cannot unmarshal !!\\w+ `(.*)` into")
)

// decodeError turns a YAML error into a domain error naming the field, found by the line the
// parser reports (and the key or value it quotes) in the document tree.
func decodeError(data []byte, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := errLine.FindStringSubmatch(msg)
	if m == nil {
		return domain.Invalid("file", "%s", msg)
	}
	line, _ := strconv.Atoi(m[1])
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return domain.Invalid("file", "%s", msg)
	}
	if u := errUnknown.FindStringSubmatch(msg); u != nil {
		if p := find(&root, "", line, u[1], true); p != "" {
			return domain.Invalid(p, "unknown field (line %d)", line)
		}
	}
	value := ""
	if v := errValue.FindStringSubmatch(msg); v != nil {
		value = v[1]
	}
	if p := find(&root, "", line, value, false); p != "" {
		return domain.Invalid(p, "%s", msg)
	}
	return domain.Invalid("file", "%s", msg)
}

// find returns the path (name, holidays[3].date) of the deepest node on the given line that the
// parser complained about: a mapping key spelled text if key is set; else a scalar spelled text,
// or, when text is empty, a mapping or sequence (the parser quotes only scalars).
func find(n *yaml.Node, path string, line int, text string, key bool) string {
	hit := func(c *yaml.Node) bool {
		if key || c.Line != line {
			return false
		}
		if text != "" {
			return c.Kind == yaml.ScalarNode && c.Value == text
		}
		return c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := find(c, path, line, text, key); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if key && k.Line == line && k.Value == text {
				return p
			}
			if q := find(v, p, line, text, key); q != "" {
				return q
			}
			if hit(v) {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if q := find(c, p, line, text, key); q != "" {
				return q
			}
			if hit(c) {
				return p
			}
		}
	}
	return "" // scalars are matched by their parent; aliases are not followed
}
