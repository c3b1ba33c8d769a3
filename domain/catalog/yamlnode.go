package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/chengyun/chengyun/domain"
)

// The catalog files are walked as yaml.Node trees rather than decoded into structs with
// yaml.Decoder.KnownFields(true): both reject unknown fields, but only the walk knows where it
// is, so every error can name the full field path ("classes[3].items[2].limits.handle")
// instead of yaml's "line 40: field x not found in type catalog.item".

// maxFileBytes bounds what the parsers accept. The largest real catalog is a few hundred
// kilobytes; the bound keeps a hostile file from costing unbounded memory.
const maxFileBytes = 4 << 20

// document parses data as exactly one YAML document and returns its root node.
func document(data []byte) (*yaml.Node, error) {
	if len(data) > maxFileBytes {
		return nil, domain.TooLarge("document", "%d bytes, at most %d", len(data), maxFileBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, domain.Invalid("document", "empty")
		}
		return nil, domain.Invalid("document", "not valid YAML: %v", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, domain.Invalid("document", "a file holds one YAML document, found more (or trailing garbage)")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, domain.Invalid("document", "not a single YAML document")
	}
	return doc.Content[0], nil
}

// bad is an invalid error for the field at path, with the line of n when it has one.
func bad(n *yaml.Node, path, format string, args ...any) *domain.Error {
	e := domain.Invalid(path, format, args...)
	if n != nil && n.Line > 0 {
		e.Msg = fmt.Sprintf("line %d: %s", n.Line, e.Msg)
	}
	return e
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// isNull reports an absent or explicitly empty value ("key:" or "key: ~").
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// deref follows an alias (*name) to its anchored value, so repeated blocks such as a class's
// limits can be written once. The walk only descends the fixed depth of the schema and every
// code must be unique, so an alias cannot make it revisit a subtree more than the file's size
// allows; yaml.v3 refuses an anchor that contains itself.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields is one YAML mapping whose keys were checked against the schema's.
type fields struct {
	path  string
	where *yaml.Node // the mapping itself, for the line of a missing field
	vals  map[string]*yaml.Node
}

// mapping checks that n is a mapping with only allowed, unrepeated keys. A null n is an empty
// mapping, so optional sections may be written as "key:" with nothing after.
func mapping(n *yaml.Node, path string, allowed ...string) (fields, error) {
	n = deref(n)
	f := fields{path: path, where: n, vals: map[string]*yaml.Node{}}
	if isNull(n) {
		return f, nil
	}
	if n.Kind != yaml.MappingNode {
		return f, bad(n, orRoot(path), "want a mapping of fields (%s)", strings.Join(allowed, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return f, bad(k, orRoot(path), "a field name must be a plain string")
		}
		if !slices.Contains(allowed, k.Value) {
			name := k.Value
			if name == "" {
				name = `""` // so that the path still names something
			}
			return f, bad(k, join(path, name), "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		}
		if _, dup := f.vals[k.Value]; dup {
			return f, bad(k, join(path, k.Value), "field given twice")
		}
		f.vals[k.Value] = v
	}
	return f, nil
}

func orRoot(path string) string {
	if path == "" {
		return "document"
	}
	return path
}

func (f fields) at(key string) string { return join(f.path, key) }

// node returns the value of key (aliases already followed), nil when absent.
func (f fields) node(key string) *yaml.Node { return f.vals[key] }

// str returns the trimmed text of an optional single value, "" when absent. Any scalar is
// accepted as text, so that unquoted codes like `major: 01` or `district: 420102` read as
// written.
func (f fields) str(key string) (string, error) {
	n := f.vals[key]
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", bad(n, f.at(key), "want a single value")
	}
	return strings.TrimSpace(n.Value), nil
}

// need is str for a field that must be present and non-blank.
func (f fields) need(key string) (string, error) {
	s, err := f.str(key)
	if err == nil && s == "" {
		n := f.vals[key]
		if n == nil {
			n = f.where
		}
		return "", bad(n, f.at(key), "required")
	}
	return s, err
}

// float returns an optional number and whether it was given.
func (f fields) float(key string) (float64, bool, error) {
	n := f.vals[key]
	if isNull(n) {
		return 0, false, nil
	}
	var v float64
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, bad(n, f.at(key), "want a finite number")
	}
	return v, true, nil
}

// boolean returns an optional true/false and whether it was given.
func (f fields) boolean(key string) (bool, bool, error) {
	n := f.vals[key]
	if isNull(n) {
		return false, false, nil
	}
	var v bool
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		return false, false, bad(n, f.at(key), "want true or false")
	}
	return v, true, nil
}

// sequence returns the items of an optional list, nil when absent.
func (f fields) sequence(key string) ([]*yaml.Node, error) {
	n := f.vals[key]
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, bad(n, f.at(key), "want a list")
	}
	return n.Content, nil
}

// text reads a bilingual name from the fields zh and en, both required.
func (f fields) text() (Text, error) {
	zh, err := f.need("zh")
	if err != nil {
		return Text{}, err
	}
	en, err := f.need("en")
	return Text{ZH: zh, EN: en}, err
}

// validCode reports whether s can serve as a department or location code: 1 to 64 ASCII
// letters, digits, '-', '_' or '.', so codes are safe in URLs, logs and stream ids.
func validCode(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// code reads an optional code field and checks its form.
func (f fields) code(key string) (string, error) {
	s, err := f.str(key)
	if err == nil && s != "" && !validCode(s) {
		return "", bad(f.vals[key], f.at(key), "%q is not a code: use 1-64 letters, digits, '-', '_' or '.'", s)
	}
	return s, err
}
