package domain

import (
	"context"
	"fmt"
)

// HeadReporter is implemented by stores that keep a separate record of the log's last position
// and hash, so that a verify can also catch a log whose tail was cut off.
type HeadReporter interface {
	Head(ctx context.Context) (position uint64, hash Hash, err error)
}

// VerifyReport is the outcome of walking the hash chain.
type VerifyReport struct {
	OK       bool   `json:"ok"`
	Events   uint64 `json:"events"`
	BrokenAt uint64 `json:"brokenAt,omitempty"` // first position that fails
	Problem  string `json:"problem,omitempty"`
}

func (r VerifyReport) String() string {
	if r.OK {
		return fmt.Sprintf("OK: %d events, hash chain intact", r.Events)
	}
	return fmt.Sprintf("BROKEN at position %d: %s (%d events checked before it)", r.BrokenAt, r.Problem, r.Events)
}

// VerifyChain walks the whole log in global order and checks that positions are gap-free from
// 1, that each event's previous hash is the hash of the event before it, and that each hash
// matches the event's content. It reports the first broken position. An error is returned only
// when the walk itself cannot go on for a reason other than a damaged log (e.g. ctx ended).
func VerifyChain(ctx context.Context, store EventStore) (VerifyReport, error) {
	var prev Hash
	var pos uint64
	for {
		// A store may return the events it could read before a damaged one, with the error.
		page, err := store.ReadAll(ctx, pos, 1000)
		for i := range page {
			e := &page[i]
			if r, bad := checkLink(pos, prev, e); bad {
				return r, nil
			}
			pos, prev = e.Position, e.Hash
		}
		if err != nil {
			if ctx.Err() != nil || CodeOf(err) == CodeUnavailable {
				return VerifyReport{}, err
			}
			return VerifyReport{Events: pos, BrokenAt: pos + 1, Problem: "cannot be read: " + err.Error()}, nil
		}
		if len(page) < 1000 {
			break
		}
	}
	if hr, ok := store.(HeadReporter); ok {
		headPos, headHash, err := hr.Head(ctx)
		if err != nil {
			return VerifyReport{}, err
		}
		if headPos != pos || headHash != prev {
			return VerifyReport{Events: pos, BrokenAt: pos + 1, Problem: fmt.Sprintf("the log ends at position %d but the store's head record says %d: events were removed from the end", pos, headPos)}, nil
		}
	}
	return VerifyReport{OK: true, Events: pos}, nil
}

func checkLink(pos uint64, prev Hash, e *RecordedEvent) (VerifyReport, bool) {
	broken := func(format string, args ...any) (VerifyReport, bool) {
		return VerifyReport{Events: pos, BrokenAt: pos + 1, Problem: fmt.Sprintf(format, args...)}, true
	}
	switch {
	case e.Position != pos+1:
		return broken("next event has position %d: event(s) missing or out of order", e.Position)
	case e.PrevHash != prev:
		return broken("previous-hash link does not match the event before it (event removed, inserted or reordered)")
	case ComputeHash(prev, e) != e.Hash:
		return broken("content does not match its hash (event %s in %s changed)", e.ID, e.StreamID)
	}
	return VerifyReport{}, false
}
