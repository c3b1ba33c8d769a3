package testcity

import (
	"sync"
	"testing"

	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/geo/city"
)

var (
	wuhanOnce sync.Once
	wuhan     *city.City
	wuhanErr  error
)

// Wuhan loads the shipped Wuhan once per test binary, for the real-data checks of the geo
// packages (the synthetic cities cover the rest).
func Wuhan(tb testing.TB) *city.City {
	tb.Helper()
	wuhanOnce.Do(func() {
		fsys, err := cities.Open("wuhan")
		if err != nil {
			wuhanErr = err
			return
		}
		wuhan, wuhanErr = city.Load(fsys)
	})
	if wuhanErr != nil {
		tb.Fatalf("loading wuhan: %v", wuhanErr)
	}
	return wuhan
}
