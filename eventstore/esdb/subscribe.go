package esdb

import (
	"context"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/chengyun/chengyun/domain"
)

// subBuffer is the capacity of a subscription's channel.
const subBuffer = 256

// Subscribe delivers every event of ours with position > after (0: from the beginning), catch-up
// then live, in $all order, each exactly once, until ctx ends, the subscription is closed or the
// store is closed. It runs a KurrentDB catch-up subscription to $all, filtered on the server to
// the stream prefix (or, without a prefix, to streams not starting with $), and drops system
// event types here. When that subscription drops (server restart, lost connection) it is opened
// again from the last delivered position after a backoff of 50 ms doubling to 5 s; see follow.
//
// Errors: unavailable when the store is closed. The subscription's Err is nil after Close or
// when ctx ends; invalid when after is not a position of the log; internal when KurrentDB
// refuses the credentials or an event under the prefix was not written by Chengyun.
func (s *Store) Subscribe(ctx context.Context, after uint64) (domain.Subscription, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	s.subs.Add(1)
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.stop, cancel)
	sub := &subscription{ch: make(chan domain.RecordedEvent, subBuffer), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer s.subs.Done()
		defer stopOnClose()
		defer cancel()
		defer close(sub.done)
		defer close(sub.ch)
		sub.setErr(follow(ctx, s.openAll, after, sub.ch, defaultBackoff, s.log))
	}()
	return sub, nil
}

// filter selects our streams on the server.
func (s *Store) filter() *esdb.SubscriptionFilter {
	if s.prefix != "" {
		return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{s.prefix}}
	}
	return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "^[^$]"}
}

// openAll is the openFunc of a real subscription. KurrentDB's catch-up subscription from a
// position starts after it; follow skips the event at after anyway, should a server include it.
func (s *Store) openAll(ctx context.Context, after uint64) (eventStream, error) {
	opts := esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: s.filter()}
	if after > 0 {
		opts.From = esdb.Position{Commit: after, Prepare: after}
	}
	var sub *esdb.Subscription
	err := s.conn.call(ctx, func(ctx context.Context, cl *esdb.Client) error {
		var err error
		sub, err = cl.SubscribeToAll(ctx, opts)
		return err
	})
	if err != nil {
		if after > 0 && isInvalidPosition(err) {
			return nil, domain.Invalid("after", "%d is not a position of this KurrentDB log", after)
		}
		return nil, subErr(err)
	}
	return &allStream{sub: sub, prefix: s.prefix}, nil
}

// allStream adapts a client subscription to eventStream.
type allStream struct {
	sub    *esdb.Subscription
	prefix string
}

func (a *allStream) Next() (domain.RecordedEvent, error) {
	for {
		ev := a.sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			if ev.SubscriptionDropped.Error == nil {
				return domain.RecordedEvent{}, domain.Unavailable("the KurrentDB subscription dropped", nil)
			}
			return domain.RecordedEvent{}, subErr(ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			r := ev.EventAppeared.OriginalEvent()
			stream, ok := ours(a.prefix, r)
			if !ok {
				continue
			}
			return decodeEvent(stream, r)
		}
		// Checkpoints, caught-up and fell-behind notices carry no event.
	}
}

func (a *allStream) Close() { _ = a.sub.Close() }

// subscription is the domain.Subscription handed to callers.
type subscription struct {
	ch     chan domain.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

func (s *subscription) Events() <-chan domain.RecordedEvent { return s.ch }

func (s *subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription and waits until its channel is closed.
func (s *subscription) Close() {
	s.cancel()
	<-s.done
}

func (s *subscription) setErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}
