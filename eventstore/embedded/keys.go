package embedded

import "encoding/binary"

// Key layout in the one Pebble keyspace. Each kind of key starts with its own byte so that a
// range scan over one kind never sees another.
//
//	e<pos:8>                      → encoded event (codec.go)
//	s<stream>\x00<first version:8> → first pos:8 count:8  (one entry per append: its events
//	                                                       have consecutive versions and positions;
//	                                                       stream ids hold no control bytes)
//	i<event id:16>                → pos:8 version:8 stream (idempotency index)
//	mhead                    → pos:8 hash:32              (head record: catches a cut-off tail)
//	mstreams                 → count:8
const (
	prefixEvent  = 'e'
	prefixStream = 's'
	prefixID     = 'i'
)

var (
	keyHead    = []byte("mhead")
	keyStreams = []byte("mstreams")
)

func eventKey(pos uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefixEvent
	binary.BigEndian.PutUint64(k[1:], pos)
	return k
}

func streamKey(stream string, version uint64) []byte {
	k := make([]byte, 0, len(stream)+10)
	k = append(k, prefixStream)
	k = append(k, stream...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, version)
}

func streamValue(firstPos, count uint64) []byte {
	return binary.BigEndian.AppendUint64(u64(firstPos), count)
}

func idKey(id [16]byte) []byte {
	return append([]byte{prefixID}, id[:]...)
}

func idValue(pos, version uint64, stream string) []byte {
	v := make([]byte, 16, 16+len(stream))
	binary.BigEndian.PutUint64(v, pos)
	binary.BigEndian.PutUint64(v[8:], version)
	return append(v, stream...)
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
