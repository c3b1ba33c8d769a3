package access

import (
	"fmt"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// TestDeadSessionsAreDropped: the directory forgets sessions that ended or expired (an hour
// of slack past their expiry), so logins do not pile up in memory; live ones still
// authenticate, whatever sweeps passed.
func TestDeadSessionsAreDropped(t *testing.T) {
	d := NewDirectory()
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	pos := uint64(0)
	apply := func(stream string, p identity.Payload, at time.Time) {
		t.Helper()
		pos++
		data, err := identity.Encode(p, fmt.Sprintf("e%d", pos), at, domain.Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Apply(domain.RecordedEvent{EventData: data, StreamID: stream, Position: pos, RecordedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	login := func(i int, at time.Time, lasts time.Duration) string {
		id := fmt.Sprintf("s%d", i)
		apply(identity.SessionStreamPrefix+id, identity.SessionStarted{SessionID: id, UserID: "u1", TokenHash: hashToken("token-" + id),
			Method: "password", ExpiresAt: at.Add(lasts)}, at)
		return id
	}
	// A long session first, then a day of short ones (a minute apart, each for ten minutes),
	// one of which is logged out at once.
	login(0, start, 30*24*time.Hour)
	ended := login(1, start, 10*time.Minute)
	apply(identity.SessionStreamPrefix+ended, identity.SessionEnded{Reason: "logout"}, start)
	n := 3 * pruneEvery
	for i := 2; i < n; i++ {
		login(i, start.Add(time.Duration(i)*time.Minute), 10*time.Minute)
	}
	now := start.Add(time.Duration(n) * time.Minute)
	// Held: the live ones, those within the slack, and what came since the last sweep.
	if held := len(d.byID); held > pruneEvery+int(sessionSlack/time.Minute)+11 || len(d.sessions) != held {
		t.Fatalf("%d sessions held after %d logins (%d by token)", held, n, len(d.sessions))
	}
	if _, _, ok := d.session("token-" + ended); ok {
		t.Error("the ended session is still held")
	}
	if s, _, ok := d.session("token-s0"); !ok || !s.Live(now) {
		t.Error("the long session was dropped")
	}
	last := fmt.Sprintf("s%d", n-1)
	if s, _, ok := d.session("token-" + last); !ok || !s.Live(now.Add(-time.Minute)) {
		t.Error("the latest session was dropped")
	}
	if got := d.sessionsOf("u1", now.Add(-time.Minute)); len(got) < 2 {
		t.Errorf("live sessions of the user: %v", got)
	}
}
