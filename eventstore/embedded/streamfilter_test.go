package embedded

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// TestStreamFilterKnowsStoredStreams checks the shortcut a new stream takes (the stream
// filter instead of an index lookup): after a reopen, and after the version cache starts
// over, every stored stream is still seen as existing, so an append that expects no stream is
// refused and one at the right version is taken.
func TestStreamFilterKnowsStoredStreams(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		if _, err := s.Append(ctx, fmt.Sprintf("case-%d", i), domain.ExpectNoStream, []domain.EventData{storetest.NewEvent("CaseReported", 50), storetest.NewEvent("CaseVerified", 50)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	defer func(v int) { maxCachedStreams = v }(maxCachedStreams)
	maxCachedStreams = 10 // the cache starts over every few appends
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		stream := fmt.Sprintf("case-%d", i)
		if _, err := s.Append(ctx, stream, domain.ExpectNoStream, []domain.EventData{storetest.NewEvent("CaseReported", 50)}); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("%s after reopen, expecting no stream: %v, want a conflict", stream, err)
		}
		res, err := s.Append(ctx, stream, 2, []domain.EventData{storetest.NewEvent("CaseRegistered", 50)})
		if err != nil || res.FirstVersion != 3 {
			t.Fatalf("%s at version 2: %+v %v", stream, res, err)
		}
	}
	if res, err := s.Append(ctx, "case-new", domain.ExpectNoStream, []domain.EventData{storetest.NewEvent("CaseReported", 50)}); err != nil || res.FirstVersion != 1 {
		t.Fatalf("a new stream: %+v %v", res, err)
	}
}
