package commands

import (
	"io/fs"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/catalog"
	"github.com/chengyun/chengyun/domain/worktime"
)

// The files of a city folder that the write side reads.
const (
	CategoriesFile = "categories.yaml"
	RoutingFile    = "routing.yaml"
	CalendarFile   = "calendar.yaml"
)

// LoadCity reads a city's catalog, routing table and calendar from its folder. Errors:
// invalid naming the file and the field, not_found for a missing file.
func LoadCity(fsys fs.FS) (City, error) {
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, domain.NotFound(name, "the city folder has no %s: %v", name, err)
		}
		return b, nil
	}
	var c City
	b, err := read(CategoriesFile)
	if err == nil {
		c.Catalog, err = catalog.ParseCategories(b)
	}
	if err != nil {
		return c, inFile(CategoriesFile, err)
	}
	if b, err = read(RoutingFile); err == nil {
		c.Routing, err = catalog.ParseRouting(b, c.Catalog)
	}
	if err != nil {
		return c, inFile(RoutingFile, err)
	}
	var cal *worktime.Calendar
	if b, err = read(CalendarFile); err == nil {
		cal, err = worktime.Parse(b)
	}
	if err != nil {
		return c, inFile(CalendarFile, err)
	}
	c.Calendar = cal
	return c, nil
}

// inFile prefixes the field of a parse error with the file it came from.
func inFile(file string, err error) error {
	if e, ok := err.(*domain.Error); ok && e.Field != file {
		cp := *e
		cp.Field = file + ": " + e.Field
		return &cp
	}
	return err
}
