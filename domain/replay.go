package domain

// StoredID is where an event id already lives in a store, if it does.
type StoredID struct {
	Found    bool
	Stream   string
	Version  uint64
	Position uint64
}

// ReplayedAppend decides what an append means when some of its event ids may be stored
// already. found[i] is the stored place of events[i].ID. When none is stored it returns
// ok=false: the append is new. When all are stored, in this stream, consecutively, in this
// order, it is a retry: it returns the original result and ok=true. Anything in between is a
// conflict: the ids belong to another append.
func ReplayedAppend(stream string, found []StoredID) (res AppendResult, ok bool, err error) {
	n := 0
	for _, f := range found {
		if f.Found {
			n++
		}
	}
	if n == 0 {
		return AppendResult{}, false, nil
	}
	for i, f := range found {
		if !f.Found {
			return AppendResult{}, false, Conflict("events", "some event ids of this append are stored already and events[%d] is not: the ids belong to another append", i)
		}
		if f.Stream != stream {
			return AppendResult{}, false, Conflict("events["+itoa(int64(i))+"].id", "is stored already in stream %q", f.Stream)
		}
		if i > 0 && (f.Version != found[i-1].Version+1 || f.Position <= found[i-1].Position) {
			return AppendResult{}, false, Conflict("events["+itoa(int64(i))+"].id", "is stored already, but not as part of the same append")
		}
	}
	last := found[len(found)-1]
	return AppendResult{
		StreamID:      stream,
		FirstVersion:  found[0].Version,
		LastVersion:   last.Version,
		FirstPosition: found[0].Position,
		LastPosition:  last.Position,
	}, true, nil
}
