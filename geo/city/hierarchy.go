package city

import (
	"fmt"
	"strings"
)

// link gives each child of a layer loaded from a file its parent: the code in its parent
// property when it has one (which must name an area of the parent level), else the one
// parent that contains the child's interior point. A point that is certainly inside the child
// (not its centroid, which can fall outside a concave shape) makes "lies in no parent" and
// "lies in two" mean what they say.
func link(file, parentProp string, children, parents []*Area, parentLevel Level) error {
	byCode := make(map[string]*Area, len(parents))
	for _, p := range parents {
		byCode[p.Code] = p
	}
	idx := newSpatialIndex(parents)
	for i, ch := range children {
		feature := featureName(ch.Code, i)
		if ch.Parent != "" {
			if _, ok := byCode[ch.Parent]; !ok {
				return errf(file, feature, "properties."+parentProp, "no %s has code %s", parentLevel, ch.Parent)
			}
			continue
		}
		pt := interiorPoint(ch.Geometry)
		var in []string
		idx.each(pt, func(a *Area) { in = append(in, a.Code) })
		switch len(in) {
		case 1:
			ch.Parent = in[0]
		case 0:
			return errf(file, feature, "geometry", "lies in no %s (its interior point %s is outside all of them); give it a %s property or fix its outline", parentLevel, fmtPoint(pt), parentProp)
		default:
			return errf(file, feature, "geometry", "lies in %d %ss (%s): %ss overlap there", len(in), parentLevel, strings.Join(in, ", "), parentLevel)
		}
	}
	return nil
}

func fmtPoint(p [2]float64) string { return fmt.Sprintf("(%.6f, %.6f)", p[0], p[1]) }

// codeBook refuses a code used twice anywhere in the city, naming both places.
type codeBook map[string]string

// add records the codes of a layer file (field is its code property) or, with file
// city.yaml, of a generated layer (field is the layer's configuration).
func (b codeBook) add(file, field string, areas []*Area) error {
	for i, a := range areas {
		if prev, dup := b[a.Code]; dup {
			return errf(file, featureName(a.Code, i), field, "duplicate code: %s already has it", prev)
		}
		if file == ConfigFile {
			b[a.Code] = fmt.Sprintf("generated %s %s", a.Level, a.Code)
		} else {
			b[a.Code] = fmt.Sprintf("%s %s in %s", a.Level, featureName(a.Code, i), file)
		}
	}
	return nil
}
