package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// TestTamperIsDetected changes the stored log behind the store's back with plain SQL and checks
// that domain.VerifyChain points at the first damaged position.
func TestTamperIsDetected(t *testing.T) {
	const events = 50
	// Every column but position, to swap two events' contents without touching the unique keys'
	// rules: the two rows are taken out and put back at each other's positions.
	rest := strings.TrimPrefix(eventColumns, "position, ")
	cases := []struct {
		name string
		sql  string
		want uint64
	}{
		{"one byte of data changed", `UPDATE {s}.events SET data = set_byte(data, 9, get_byte(data, 9) # 1) WHERE position = 17`, 17},
		{"metadata changed", `UPDATE {s}.events SET actor = 'someone-else' WHERE position = 33`, 33},
		{"event deleted", `DELETE FROM {s}.events WHERE position = 17`, 17},
		{"two events swapped", `
CREATE TEMP TABLE swapped AS SELECT * FROM {s}.events WHERE position IN (17, 30);
DELETE FROM {s}.events WHERE position IN (17, 30);
INSERT INTO {s}.events (` + eventColumns + `) SELECT 47 - position, ` + rest + ` FROM swapped;
DROP TABLE swapped;`, 17},
		{"last event deleted", `DELETE FROM {s}.events WHERE position = 50`, 50},
		{"data and hash overwritten", `UPDATE {s}.events SET data = '{"forged":true}', hash = '\x00' WHERE position = 20`, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, url, schema := openStore(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for i := 0; i < events; {
				n := 1 + i%4
				n = min(n, events-i)
				batch := make([]domain.EventData, n)
				for j := range batch {
					batch[j] = storetest.NewEvent("CaseReported", 200)
				}
				if _, err := s.Append(ctx, fmt.Sprintf("case-tamper-%d", i%5), domain.ExpectAny, batch); err != nil {
					t.Fatal(err)
				}
				i += n
			}
			if rep, err := domain.VerifyChain(ctx, s); err != nil || !rep.OK || rep.Events != events {
				t.Fatalf("before tampering: %v, %v", rep, err)
			}
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, strings.ReplaceAll(c.sql, "{s}", pgx.Identifier{schema}.Sanitize())); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			rep, err := domain.VerifyChain(ctx, s)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if rep.OK || rep.BrokenAt != c.want {
				t.Fatalf("verify after tampering: %v; want broken at %d", rep, c.want)
			}
			t.Log(rep)
		})
	}
}
