package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// codecVersion is the first byte of every stored event, so a later layout can be read beside
// this one.
const codecVersion = 1

// The stored layout of an event, after the codec version byte:
//
//	header: version, occurred-at, recorded-at, previous hash, hash   (assigned by the sequencer)
//	body:   stream, id, type, schema version, metadata, data         (known to the caller)
//
// A compact binary layout: reading the log back is the hot path of every projection rebuild,
// and this decodes several times faster than JSON. The body comes last so the appending
// goroutine can encode it before the append reaches the store's one serial sequencer. The
// position is the key, not part of the value.

// encodeBody encodes the caller's part of an event proposed for stream.
func encodeBody(dst []byte, stream string, e *domain.EventData, id [16]byte) []byte {
	dst = appendString(dst, stream)
	dst = append(dst, id[:]...)
	dst = appendString(dst, e.Type)
	dst = binary.AppendUvarint(dst, uint64(max(e.SchemaVersion, 1)))
	dst = appendString(dst, e.Metadata.Actor)
	dst = appendString(dst, e.Metadata.Channel)
	dst = appendString(dst, e.Metadata.CorrelationID)
	dst = appendString(dst, e.Metadata.CausationID)
	return appendString(dst, string(e.Data))
}

// encodeEvent writes the stored value of e: the header from e, then its encoded body.
func encodeEvent(dst []byte, e *domain.RecordedEvent, body []byte) []byte {
	dst = append(dst, codecVersion)
	dst = binary.AppendUvarint(dst, e.Version)
	dst = binary.AppendVarint(dst, e.OccurredAt.UnixMicro())
	dst = binary.AppendVarint(dst, e.RecordedAt.UnixMicro())
	dst = append(dst, e.PrevHash[:]...)
	dst = append(dst, e.Hash[:]...)
	return append(dst, body...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errShort = errors.New("truncated")

// decoder reads fields in order and remembers the first failure, so decodeEvent stays flat.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errShort
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

// string returns the next length-prefixed field as a string that shares the decoder's buffer.
func (d *decoder) string() string {
	b := d.bytes(d.uvarint())
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decodeEvent reads an event stored at pos. The value may come from damaged files, so every
// length is checked; the error names the position.
//
// Reading the log back is the hot path of every projection rebuild, so an event costs one
// allocation: the value is copied once (Pebble reuses its buffer) with room for the id's text,
// and every string and the data share that copy, which is never written again.
func decodeEvent(pos uint64, value []byte) (domain.RecordedEvent, error) {
	if len(value) == 0 || value[0] != codecVersion {
		return domain.RecordedEvent{}, domain.Internal(fmt.Sprintf("event at position %d has an unknown encoding", pos), nil)
	}
	buf := make([]byte, len(value)-1, len(value)-1+36)
	copy(buf, value[1:])
	d := decoder{b: buf}
	e := domain.RecordedEvent{Position: pos}
	e.Version = d.uvarint()
	e.OccurredAt = time.UnixMicro(d.varint()).UTC()
	e.RecordedAt = time.UnixMicro(d.varint()).UTC()
	copy(e.PrevHash[:], d.bytes(32))
	copy(e.Hash[:], d.bytes(32))
	e.StreamID = d.string()
	if raw := d.bytes(16); raw != nil {
		text := buf[len(buf) : len(buf)+36]
		hexUUID(text, raw)
		e.ID = unsafe.String(&text[0], 36)
	}
	e.Type = d.string()
	e.SchemaVersion = int(d.uvarint())
	e.Metadata.Actor = d.string()
	e.Metadata.Channel = d.string()
	e.Metadata.CorrelationID = d.string()
	e.Metadata.CausationID = d.string()
	e.Data = d.bytes(d.uvarint())
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return domain.RecordedEvent{}, domain.Internal(fmt.Sprintf("event at position %d cannot be decoded", pos), d.err)
	}
	return e, nil
}

// hexUUID writes the 36-character form of a 16-byte UUID into dst.
func hexUUID(dst, u []byte) {
	const digits = "0123456789abcdef"
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst[j] = '-'
			j++
		}
		dst[j], dst[j+1] = digits[c>>4], digits[c&0x0f]
		j += 2
	}
}

func parseUUID(s string) ([16]byte, error) { return uuid.Parse(s) }
