package access

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/identity"
)

// Service runs identity commands and authenticates requests. It is safe for concurrent use.
type Service struct {
	store      domain.EventStore
	dir        *Directory
	clock      func() time.Time
	lock       identity.LockPolicy
	sessionTTL time.Duration
	// hashing bounds concurrent password hashes: each takes 19 MiB and a core for ~25 ms, so
	// a burst of logins queues instead of exhausting memory.
	hashing chan struct{}
}

// Options tune a Service; zero values take the defaults.
type Options struct {
	Lock       identity.LockPolicy // DefaultLockPolicy
	SessionTTL time.Duration       // 12 hours: one shift at a big screen
	Hashers    int                 // 2
}

// NewService returns a service writing to store and reading dir (which must follow store).
func NewService(store domain.EventStore, dir *Directory, clock func() time.Time, o Options) *Service {
	if o.Lock.MaxFailures == 0 {
		o.Lock = identity.DefaultLockPolicy
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Hashers == 0 {
		o.Hashers = 2
	}
	return &Service{store: store, dir: dir, clock: clock, lock: o.Lock, sessionTTL: o.SessionTTL, hashing: make(chan struct{}, o.Hashers)}
}

// SessionTTL is how long a login lasts.
func (s *Service) SessionTTL() time.Duration { return s.sessionTTL }

// Directory is the service's read model.
func (s *Service) Directory() *Directory { return s.dir }

// userNamespace derives a user's id from their login: the user stream is then the login's
// claim, and the store's version check makes logins unique with no table and no race.
var userNamespace = uuid.MustParse("3b8f0d7e-2c4a-5d6b-8e9f-0a1b2c3d4e5f")

// UserID is the id of the user with login.
func UserID(login string) string { return uuid.NewSHA1(userNamespace, []byte(login)).String() }

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return HashPassword(pw)
}

func (s *Service) verify(ctx context.Context, hash, pw string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return VerifyPassword(hash, pw)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return domain.Unavailable("cancelled while waiting to hash a password", ctx.Err())
	}
}

// loadUser reads a user's stream from the store (decisions never trust a cache), in pages:
// a long-lived user's stream has no length limit.
func (s *Service) loadUser(ctx context.Context, id string) (*identity.User, error) {
	u := &identity.User{}
	for from := uint64(1); ; {
		recorded, err := s.store.ReadStream(ctx, identity.UserStreamPrefix+id, from, 1000)
		if err != nil {
			return nil, err
		}
		for _, e := range recorded {
			p, err := identity.Decode(e)
			if err != nil {
				return nil, err
			}
			u.Apply(p, e.OccurredAt)
		}
		if len(recorded) < 1000 {
			return u, nil
		}
		from = recorded[len(recorded)-1].Version + 1
	}
}

// append writes payloads to stream at expected and waits until the directory has them.
func (s *Service) append(ctx context.Context, stream string, expected uint64, actor string, ps ...identity.Payload) error {
	now := s.clock()
	md := domain.Metadata{Actor: actor, Channel: "apphub"}
	events := make([]domain.EventData, len(ps))
	for i, p := range ps {
		var err error
		if events[i], err = identity.Encode(p, uuid.Must(uuid.NewV7()).String(), now, md); err != nil {
			return err
		}
	}
	res, err := s.store.Append(ctx, stream, domain.ExpectedVersion(expected), events)
	if err != nil {
		return err
	}
	return s.dir.WaitFor(ctx, res.LastPosition)
}

// changeUser loads a user, decides with fn and appends, retrying when another writer got in
// between. Errors: not_found, what fn returns, unavailable.
func (s *Service) changeUser(ctx context.Context, id, actor string, fn func(*identity.User) ([]identity.Payload, error)) error {
	for attempt := 0; ; attempt++ {
		u, err := s.loadUser(ctx, id)
		if err != nil {
			return err
		}
		if !u.Exists() {
			return domain.NotFound("user", "no user %s", id)
		}
		ps, err := fn(u)
		if err != nil || len(ps) == 0 {
			return err
		}
		err = s.append(ctx, identity.UserStreamPrefix+id, u.Version, actor, ps...)
		if !errors.Is(err, domain.ErrConflict) || attempt >= 10 {
			return err
		}
	}
}
