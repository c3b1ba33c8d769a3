package city

import (
	"fmt"
	"strings"
)

// Error is a problem with a city folder: which file, which feature of it (its code, or #index
// when it has none), which field, and what is wrong. geo cannot import the domain errors, so a
// caller that takes city folders from users maps *Error to a 400 answer.
type Error struct {
	File    string // e.g. "districts.geojson", "city.yaml"
	Feature string // e.g. "420102 (#0)", "#12"; empty for file-level problems
	Field   string // e.g. "geometry.coordinates[0][3]", "properties.adcode", "layers.grids.areaKm2"
	Msg     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Feature != "" {
		b.WriteString(": feature " + e.Feature)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// featureName names a feature by code and position, so an error can be found in the file
// either way.
func featureName(code string, index int) string {
	if code == "" {
		return fmt.Sprintf("#%d", index)
	}
	return fmt.Sprintf("%s (#%d)", code, index)
}

func errf(file, feature, field, format string, args ...any) *Error {
	return &Error{File: file, Feature: feature, Field: field, Msg: fmt.Sprintf(format, args...)}
}
