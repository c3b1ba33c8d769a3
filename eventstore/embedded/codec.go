package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
)

// codecVersion is the first byte of every stored event, so a later layout can be read beside
// this one.
const codecVersion = 1

// encodeEvent writes e in a compact binary layout: reading the log back is the hot path of
// every projection rebuild, and this decodes several times faster than JSON. The position is
// the key, not part of the value.
func encodeEvent(dst []byte, e *domain.RecordedEvent, id [16]byte) []byte {
	dst = append(dst, codecVersion)
	dst = appendString(dst, e.StreamID)
	dst = binary.AppendUvarint(dst, e.Version)
	dst = append(dst, id[:]...)
	dst = appendString(dst, e.Type)
	dst = binary.AppendUvarint(dst, uint64(e.SchemaVersion))
	dst = binary.AppendVarint(dst, e.OccurredAt.UnixMicro())
	dst = binary.AppendVarint(dst, e.RecordedAt.UnixMicro())
	dst = appendString(dst, e.Metadata.Actor)
	dst = appendString(dst, e.Metadata.Channel)
	dst = appendString(dst, e.Metadata.CorrelationID)
	dst = appendString(dst, e.Metadata.CausationID)
	dst = append(dst, e.PrevHash[:]...)
	dst = append(dst, e.Hash[:]...)
	return appendString(dst, string(e.Data))
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

func (d *decoder) string() string { return string(d.bytes(d.uvarint())) }

// decodeEvent reads an event stored at pos. The value may come from damaged files, so every
// length is checked; the error names the position.
func decodeEvent(pos uint64, b []byte) (domain.RecordedEvent, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return domain.RecordedEvent{}, domain.Internal(fmt.Sprintf("event at position %d has an unknown encoding", pos), nil)
	}
	d := decoder{b: b[1:]}
	e := domain.RecordedEvent{Position: pos}
	e.StreamID = d.string()
	e.Version = d.uvarint()
	if raw := d.bytes(16); raw != nil {
		e.ID = uuid.UUID(raw).String()
	}
	e.Type = d.string()
	e.SchemaVersion = int(d.uvarint())
	e.OccurredAt = time.UnixMicro(d.varint()).UTC()
	e.RecordedAt = time.UnixMicro(d.varint()).UTC()
	e.Metadata.Actor = d.string()
	e.Metadata.Channel = d.string()
	e.Metadata.CorrelationID = d.string()
	e.Metadata.CausationID = d.string()
	copy(e.PrevHash[:], d.bytes(32))
	copy(e.Hash[:], d.bytes(32))
	data := d.bytes(d.uvarint())
	e.Data = append([]byte(nil), data...)
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return domain.RecordedEvent{}, domain.Internal(fmt.Sprintf("event at position %d cannot be decoded", pos), d.err)
	}
	return e, nil
}

func parseUUID(s string) ([16]byte, error) { return uuid.Parse(s) }
