package postgres

import (
	"strconv"
	"time"
)

// listen keeps a LISTEN session on the store's notification channel, on a connection of its
// own, and wakes the subscriptions for every notification that announces events this process
// did not write itself (its own commits wake them directly). When the connection is lost it
// reconnects with backoff, and wakes the subscriptions once it is back, since notifications
// sent meanwhile are gone. It returns when the store closes.
func (s *Store) listen() {
	const minBackoff, maxBackoff = 100 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	failures := 0
	for {
		err := s.listenOnce(func() {
			if failures > 0 {
				s.log.Info("listening for notifications again", "after_failures", failures)
			}
			failures, backoff = 0, minBackoff
		})
		if s.ctx.Err() != nil {
			return
		}
		failures++
		if failures == 1 {
			s.log.Warn("notification connection lost; reconnecting (subscriptions poll meanwhile)", "err", err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// listenOnce runs one LISTEN session until its connection fails or the store closes; it calls
// up once the session is established.
func (s *Store) listenOnce(up func()) error {
	conn, err := dial(s.ctx, s.cfg)
	if err != nil {
		return err
	}
	defer closeConn(conn)
	if _, err := conn.Exec(s.ctx, s.sql.listen); err != nil {
		return err
	}
	s.listens.Add(1)
	up()
	s.bc.Notify()
	for {
		n, err := conn.WaitForNotification(s.ctx)
		if err != nil {
			return err
		}
		if pos, err := strconv.ParseUint(n.Payload, 10, 64); err == nil && pos <= s.written.Load() {
			continue
		}
		s.bc.Notify()
	}
}
