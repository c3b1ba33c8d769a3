package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// Directory is the identity read model: users, sessions and keys, folded from the log in
// memory. It follows the log, so a user created or a session started on another node
// authenticates here as soon as the event arrives.
type Directory struct {
	mu       sync.RWMutex
	users    map[string]*identity.User    // by user id
	logins   map[string]string            // login → user id
	subjects map[string]string            // issuer + "\x00" + subject → user id
	sessions map[string]*identity.Session // by token hash
	byID     map[string]*identity.Session // by session id
	keys     map[string]*identity.Key     // by key id
	admins   int
	started  int // sessions folded in: every pruneEvery of them, dead ones are dropped
	// position is the last log position folded in. Most events of the log are not identity
	// events: they only move it, atomically, with no lock and no wake-up.
	position  atomic.Uint64
	advanced  chan struct{} // closed and replaced when an identity event is folded in
	followErr error
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{users: map[string]*identity.User{}, logins: map[string]string{}, subjects: map[string]string{},
		sessions: map[string]*identity.Session{}, byID: map[string]*identity.Session{}, keys: map[string]*identity.Key{},
		advanced: make(chan struct{})}
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Apply folds one stored event into the directory; events of other aggregates only move its
// position. Errors: internal for an identity event that does not decode.
func (d *Directory) Apply(e domain.RecordedEvent) error {
	if !identity.IsIdentityEvent(e.Type) {
		if e.Position > d.position.Load() {
			d.position.Store(e.Position) // one follower writes it; readers only compare
		}
		return nil
	}
	p, err := identity.Decode(e)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		// Fail closed: an event this node cannot read may disable a user or revoke a key,
		// so the position stays before it and nothing authenticates until it is read.
		d.followErr = err
		return err
	}
	d.followErr = nil
	defer d.advance(e.Position)
	switch v := p.(type) {
	case identity.SessionStarted:
		s := &identity.Session{SessionStarted: v, StartedAt: e.OccurredAt}
		d.sessions[v.TokenHash], d.byID[v.SessionID] = s, s
		if d.started++; d.started%pruneEvery == 0 {
			d.pruneSessions(e.OccurredAt)
		}
	case identity.SessionEnded:
		if s := d.byID[e.StreamID[len(identity.SessionStreamPrefix):]]; s != nil {
			s.Ended = true
		}
	case identity.KeyIssued:
		d.keys[v.KeyID] = &identity.Key{KeyIssued: v, IssuedAt: e.OccurredAt}
	case identity.KeyRevoked:
		if k := d.keys[e.StreamID[len(identity.KeyStreamPrefix):]]; k != nil {
			k.Revoked = true
		}
	default:
		if strings.HasPrefix(e.StreamID, identity.UserStreamPrefix) {
			d.applyUser(e, p) // a subject's claim stream repeats the link: the user's copy counts
		}
	}
	return nil
}

func (d *Directory) applyUser(e domain.RecordedEvent, p identity.Payload) {
	id := e.StreamID[len(identity.UserStreamPrefix):]
	u := d.users[id]
	if u == nil {
		u = &identity.User{}
		d.users[id] = u
	}
	wasAdmin := isAdmin(u)
	u.Apply(p, e.OccurredAt)
	switch v := p.(type) {
	case identity.UserCreated:
		d.logins[v.Login] = id
	case identity.IdentityLinked:
		d.subjects[v.Issuer+"\x00"+v.Subject] = id
	}
	if now := isAdmin(u); now != wasAdmin {
		if now {
			d.admins++
		} else {
			d.admins--
		}
	}
}

func isAdmin(u *identity.User) bool {
	if !u.Exists() || u.Disabled {
		return false
	}
	for _, g := range u.Grants {
		if g.Role == identity.RoleAdmin {
			return true
		}
	}
	return false
}

func (d *Directory) advance(pos uint64) {
	if pos > d.position.Load() {
		d.position.Store(pos)
		close(d.advanced)
		d.advanced = make(chan struct{})
	}
}

// Position is the last log position folded in.
func (d *Directory) Position() uint64 { return d.position.Load() }

// WaitFor returns once the directory has folded position pos, so a node answers its own
// writes (a login, then the first request with its token). Errors: unavailable on timeout.
func (d *Directory) WaitFor(ctx context.Context, pos uint64) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		d.mu.RLock()
		reached, ch, ferr := d.position.Load() >= pos, d.advanced, d.followErr
		d.mu.RUnlock()
		if reached {
			return nil
		}
		if ferr != nil {
			return domain.Unavailable("identity directory is not following the log", ferr)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return domain.Unavailable("identity directory is behind the log", ctx.Err())
		}
	}
}

// Follow folds the log from the directory's position, catch-up then live, until ctx ends.
// A lost subscription is resumed from the last folded position.
func (d *Directory) Follow(ctx context.Context, store domain.EventStore, onError func(error)) {
	for ctx.Err() == nil {
		err := d.follow(ctx, store)
		if ctx.Err() != nil {
			return
		}
		if onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (d *Directory) follow(ctx context.Context, store domain.EventStore) error {
	sub, err := store.Subscribe(ctx, d.Position())
	if err != nil {
		return err
	}
	defer sub.Close()
	for e := range sub.Events() {
		if err := d.Apply(e); err != nil {
			return err
		}
	}
	return sub.Err()
}

// CatchUp folds the log up to its current head (reading in pages), so that a server knows
// every user before it answers its first request.
func (d *Directory) CatchUp(ctx context.Context, store domain.EventStore) error {
	for {
		batch, err := store.ReadAll(ctx, d.Position(), 5000)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := d.Apply(e); err != nil {
				return err
			}
		}
		if len(batch) < 5000 {
			return nil
		}
	}
}

// UserByLogin returns a copy of a user, or nil.
func (d *Directory) UserByLogin(login string) *identity.User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.copyUser(d.logins[login])
}

// User returns a copy of a user by id, or nil.
func (d *Directory) User(id string) *identity.User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.copyUser(id)
}

// UserBySubject returns the user linked to an OpenID Connect identity, or nil.
func (d *Directory) UserBySubject(issuer, subject string) *identity.User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.copyUser(d.subjects[issuer+"\x00"+subject])
}

func (d *Directory) copyUser(id string) *identity.User {
	u := d.users[id]
	if !u.Exists() {
		return nil
	}
	c := *u
	return &c
}

// Users returns copies of every user.
func (d *Directory) Users() []identity.User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]identity.User, 0, len(d.users))
	for _, u := range d.users {
		if u.Exists() {
			out = append(out, *u)
		}
	}
	return out
}

// Keys returns copies of every API key.
func (d *Directory) Keys() []identity.Key {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]identity.Key, 0, len(d.keys))
	for _, k := range d.keys {
		out = append(out, *k)
	}
	return out
}

// Admins counts enabled users holding the admin role.
func (d *Directory) Admins() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.admins
}

func (d *Directory) session(token string) (identity.Session, *identity.User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s := d.sessions[hashToken(token)]
	if s == nil {
		return identity.Session{}, nil, false
	}
	return *s, d.copyUser(s.UserID), true
}

func (d *Directory) key(id string) (identity.Key, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	k := d.keys[id]
	if k == nil {
		return identity.Key{}, false
	}
	return *k, true
}

// pruneEvery is how many new sessions pass between sweeps of the dead ones: a sweep costs one
// pass over the sessions held, so the directory holds the live ones and at most this many more.
const pruneEvery = 1024

// sessionSlack is how long past its expiry a session is kept: the instant it is judged by is
// an event's time, and another node's clock may run behind this one's.
const sessionSlack = time.Hour

// pruneSessions drops the sessions that ended or expired well before now (with the lock
// held): they can never authenticate again, and every login would otherwise stay in memory
// for good.
func (d *Directory) pruneSessions(now time.Time) {
	cut := now.Add(-sessionSlack)
	for id, s := range d.byID {
		if s.Ended || s.ExpiresAt.Before(cut) {
			delete(d.byID, id)
			delete(d.sessions, s.TokenHash)
		}
	}
}

// sessionsOf lists the live session ids of a user.
func (d *Directory) sessionsOf(userID string, now time.Time) []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	for id, s := range d.byID {
		if s.UserID == userID && s.Live(now) {
			out = append(out, id)
		}
	}
	return out
}

// Broken reports why the directory cannot be trusted (an identity event it could not read),
// or nil.
func (d *Directory) Broken() error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.followErr
}
