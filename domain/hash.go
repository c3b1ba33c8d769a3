package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Hash is a SHA-256 link of the log's hash chain.
type Hash [32]byte

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero hash (the "previous hash" of position 1).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes the hash as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a hex hash.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("hash: want 64 hex digits, got %d", len(b))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// ParseHash decodes a hex hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	err := h.UnmarshalText([]byte(s))
	return h, err
}

// hashDomain separates this chain's hashes from any other use of SHA-256 over similar bytes and
// names the encoding, so a future change of fields is a new label, never a silent reinterpretation.
const (
	contentDomain = "chengyun.event.content.v1"
	linkDomain    = "chengyun.event.link.v1"
)

// ComputeHash returns the chain hash of e given the hash of the event before it in global order.
// It is two steps: ContentHash covers what the caller proposed, and ChainHash links that to the
// previous hash with what the store assigned. Every field the store keeps is covered, each
// length-prefixed so no two different events encode to the same bytes. Times are hashed at
// microsecond precision, the finest every adapter keeps.
func ComputeHash(prev Hash, e *RecordedEvent) Hash {
	return ChainHash(prev, ContentHash(e.StreamID, &e.EventData), e.Position, e.Version, e.OccurredAt, e.RecordedAt)
}

// ContentHash covers the fields a caller proposes for an event in stream: id, type, schema
// version (0 counts as 1, as Record makes it), data and metadata. It needs nothing the store
// assigns, so it can be computed by the appending goroutine, off the store's serial path.
func ContentHash(stream string, e *EventData) Hash {
	// One buffer and one Sum256 call: several times cheaper than streaming small writes into
	// a hash.Hash, and this runs for every event appended and verified.
	bp := hashBufs.Get().(*[]byte)
	b := append((*bp)[:0], contentDomain...)
	b = appendField(b, stream)
	b = appendField(b, e.ID)
	b = appendField(b, e.Type)
	b = binary.BigEndian.AppendUint64(b, uint64(max(e.SchemaVersion, 1)))
	b = binary.BigEndian.AppendUint64(b, uint64(len(e.Data)))
	b = append(b, e.Data...)
	b = appendField(b, e.Metadata.Actor)
	b = appendField(b, e.Metadata.Channel)
	b = appendField(b, e.Metadata.CorrelationID)
	b = appendField(b, e.Metadata.CausationID)
	sum := Hash(sha256.Sum256(b))
	*bp = b
	hashBufs.Put(bp)
	return sum
}

// ChainHash links an event's content hash to the previous event's hash together with the
// place and times the store gave it: position, stream version, occurred-at and recorded-at.
func ChainHash(prev, content Hash, position, version uint64, occurredAt, recordedAt time.Time) Hash {
	var buf [len(linkDomain) + 32 + 32 + 4*8]byte
	b := append(buf[:0], linkDomain...)
	b = append(b, prev[:]...)
	b = append(b, content[:]...)
	b = binary.BigEndian.AppendUint64(b, position)
	b = binary.BigEndian.AppendUint64(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(occurredAt.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(recordedAt.UnixMicro()))
	return sha256.Sum256(b)
}

var hashBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// Seal fills e's chain fields: PrevHash = prev and Hash over the event. It returns e.Hash.
func Seal(prev Hash, e *RecordedEvent) Hash {
	e.PrevHash = prev
	e.Hash = ComputeHash(prev, e)
	return e.Hash
}

// SealWithContent is Seal for a caller that has the event's ContentHash already.
func SealWithContent(prev, content Hash, e *RecordedEvent) Hash {
	e.PrevHash = prev
	e.Hash = ChainHash(prev, content, e.Position, e.Version, e.OccurredAt, e.RecordedAt)
	return e.Hash
}
