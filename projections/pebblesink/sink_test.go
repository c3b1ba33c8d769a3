package pebblesink_test

import (
	"testing"

	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
	"github.com/chengyun/chengyun/projections/sinktest"
)

func TestContract(t *testing.T) {
	sinktest.Run(t, sinktest.Harness{Open: func(t *testing.T) (projections.Sink, func(t *testing.T) projections.Sink) {
		dir := t.TempDir()
		open := func(t *testing.T) projections.Sink {
			s, err := pebblesink.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		return open(t), open
	}})
}

// A second process (a rebuild while the server runs) must be refused, not share the files.
func TestOpenRefusesASecondOwner(t *testing.T) {
	dir := t.TempDir()
	s, err := pebblesink.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := pebblesink.Open(dir, nil); err == nil {
		s2.Close()
		t.Fatal("a second open of a held sink succeeded")
	}
}
