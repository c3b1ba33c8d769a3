package sim

import (
	"sync"
	"testing"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
	"github.com/chengyun/chengyun/geo/locate"
)

var (
	wuhan = sync.OnceValues(func() (*World, error) { return loadWorld("wuhan") })
	nyc   = sync.OnceValues(func() (*World, error) { return loadWorld("nyc") })
)

// loadWorld loads a shipped city as the simulator sees it.
func loadWorld(name string) (*World, error) {
	fsys, err := cities.Open(name)
	if err != nil {
		return nil, err
	}
	c, err := commands.LoadCity(fsys)
	if err != nil {
		return nil, err
	}
	model, err := city.Load(fsys)
	if err != nil {
		return nil, err
	}
	return NewWorld(c, model, locate.New(model)), nil
}

func wuhanWorld(t testing.TB) *World {
	t.Helper()
	w, err := wuhan()
	if err != nil {
		t.Fatal(err)
	}
	return w
}
