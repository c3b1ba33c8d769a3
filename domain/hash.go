package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
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
const hashDomain = "chengyun.event.v1"

// ComputeHash returns the chain hash of e given the hash of the event before it in global order.
// Every field that the store keeps is covered, each length-prefixed so no two different events
// encode to the same bytes. Times are hashed at microsecond precision, the finest every adapter
// keeps.
func ComputeHash(prev Hash, e *RecordedEvent) Hash {
	h := sha256.New()
	var buf [8]byte
	writeBytes := func(b []byte) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(b)))
		h.Write(buf[:])
		h.Write(b)
	}
	writeUint := func(n uint64) {
		binary.BigEndian.PutUint64(buf[:], n)
		h.Write(buf[:])
	}
	writeBytes([]byte(hashDomain))
	h.Write(prev[:])
	writeUint(e.Position)
	writeBytes([]byte(e.StreamID))
	writeUint(e.Version)
	writeBytes([]byte(e.ID))
	writeBytes([]byte(e.Type))
	writeUint(uint64(e.SchemaVersion))
	writeUint(uint64(e.OccurredAt.UnixMicro()))
	writeUint(uint64(e.RecordedAt.UnixMicro()))
	writeBytes(e.Data)
	writeMetadata(h, writeBytes, e.Metadata)
	var out Hash
	h.Sum(out[:0])
	return out
}

func writeMetadata(_ hash.Hash, writeBytes func([]byte), m Metadata) {
	writeBytes([]byte(m.Actor))
	writeBytes([]byte(m.Channel))
	writeBytes([]byte(m.CorrelationID))
	writeBytes([]byte(m.CausationID))
}

// Seal fills e's chain fields: PrevHash = prev and Hash over the event. It returns e.Hash.
func Seal(prev Hash, e *RecordedEvent) Hash {
	e.PrevHash = prev
	e.Hash = ComputeHash(prev, e)
	return e.Hash
}
