package commands

import (
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
)

// idempotencyNamespace seeds the name-based (v5) UUIDs derived from idempotency keys.
var idempotencyNamespace = uuid.MustParse("6f1c2a4e-8d3b-5e7f-9a0b-1c2d3e4f5a6b")

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 255

// eventIDs chooses the ids of a command's events. With an idempotency key they are derived
// from the key, the case and the command, so a retried request proposes the same ids: its
// first result is found in the stream and nothing new is written, even across restarts,
// because the proof lives in the log itself rather than in a side table.
type eventIDs struct {
	key, caseID, command string
}

func (e eventIDs) id(i int) string {
	if e.key == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	return uuid.NewSHA1(idempotencyNamespace, []byte(e.key+"\x00"+e.caseID+"\x00"+e.command+"\x00"+strconv.Itoa(i))).String()
}

// replayed finds the events an earlier run of the same request appended.
func (e eventIDs) replayed(id string, recorded []domain.RecordedEvent) (Result, bool) {
	if e.key == "" {
		return Result{}, false
	}
	first := e.id(0)
	for i := range recorded {
		if recorded[i].ID != first {
			continue
		}
		n := 1
		for i+n < len(recorded) && recorded[i+n].ID == e.id(n) {
			n++
		}
		events, err := cases.DecodeAll(recorded[:i+n])
		if err != nil {
			return Result{}, false
		}
		st := cases.Fold(id, events)
		return Result{CaseID: id, Version: st.Version, Status: st.Status, Events: recorded[i : i+n], Replayed: true}, true
	}
	return Result{}, false
}

// NewCaseID returns the id for a new case: derived from the actor and the idempotency key
// when there is one (a retried report lands on the same case), random and time-ordered
// otherwise.
func NewCaseID(meta Meta) string {
	if meta.IdempotencyKey == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	return uuid.NewSHA1(idempotencyNamespace, []byte("case\x00"+scopedKey(meta))).String()
}

// scopedKey is an idempotency key as the actor's own: two callers who happen to send the same
// key are two requests, so one can neither read the other's result nor pre-empt it.
func scopedKey(meta Meta) string {
	if meta.IdempotencyKey == "" {
		return ""
	}
	return meta.Actor + "\x00" + meta.IdempotencyKey
}

func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

func checkMeta(m Meta) error {
	if len(m.IdempotencyKey) > MaxIdempotencyKey {
		return domain.Invalid("Idempotency-Key", "is %d bytes, at most %d", len(m.IdempotencyKey), MaxIdempotencyKey)
	}
	for _, f := range [...]struct{ name, v string }{{"Idempotency-Key", m.IdempotencyKey}, {"actor", m.Actor}, {"channel", m.Channel}, {"correlationId", m.CorrelationID}} {
		if strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\uFFFD' }) {
			return domain.Invalid(f.name, "contains control characters or invalid UTF-8")
		}
		if len(f.v) > MaxIdempotencyKey {
			return domain.Invalid(f.name, "is %d bytes, at most %d", len(f.v), MaxIdempotencyKey)
		}
	}
	return nil
}

// isVersionConflict tells a lost race (retry) from a rule the case refuses (report).
func isVersionConflict(err error) bool {
	var e *domain.Error
	return errors.As(err, &e) && e.Code == domain.CodeConflict && (e.Field == "expectedVersion" || strings.HasPrefix(e.Field, "events"))
}
