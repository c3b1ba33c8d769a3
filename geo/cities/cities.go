// Package cities ships the cities Chengyun runs out of the box. A city is a folder: its
// calendar, category catalog and routing table now, its map layers with the city model.
package cities

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
)

//go:embed wuhan nyc
var shipped embed.FS

// Default is the city `chengyun serve` runs without --city.
const Default = "wuhan"

// Names lists the shipped cities.
func Names() []string { return []string{"nyc", "wuhan"} }

// Open returns the files of a city: a shipped city by name, or any folder by path (a name
// with a slash or a dot in it, or one that is no shipped city, is taken as a path).
func Open(name string) (fs.FS, error) {
	if slices.Contains(Names(), name) {
		return fs.Sub(shipped, name)
	}
	if !strings.ContainsAny(name, `/\.`) {
		return nil, errors.New("city " + name + " is neither a shipped city (" + strings.Join(Names(), ", ") + ") nor a folder path")
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, errors.New(name + " is not a folder")
	}
	return os.DirFS(name), nil
}
