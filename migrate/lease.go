package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/moose-dev/moose-dev/clickhouse"
)

// LockTable holds the migration lock: a lease, taken by one `migrate` run
// at a time, in generations of append-only rows. A run takes the lock by
// claiming the generation after the last one, with a row inserted under
// the deduplication token `claim/<generation>`: the table deduplicates
// inserts by token, atomically, so of the runs claiming one generation,
// even in the same instant, exactly one row is stored, and each claimer
// reads back whose it is. The holder renews its lease with `renew` rows
// while it works and ends it with a `release` row; a generation whose last
// claim or renewal is older than its lease has expired, and only then may
// another run claim the next one (and resume the plan's progress). Every
// time is the server's (now64), so the clocks of the machines running
// migrate do not matter. ClickHouse skips `_moose*` tables when it reads
// reality.
const LockTable = "_MOOSE_MIGRATION_LOCK"

// LockTimeout is a lease's default length: how long the lock stays taken
// after its holder stopped renewing it (upstream's 300 s).
const LockTimeout = 300 * time.Second

// ReleaseRecipe is the command that releases a lock whose holder is gone.
const ReleaseRecipe = "moose-dev migrate --clickhouse-url <url> --release-lock"

// ErrLocked is returned while another migration holds the lock.
var ErrLocked = errors.New("another migration holds the lock")

// Holder is the run holding (or that last held) the lock, as its rows say.
type Holder struct {
	Gen      uint64
	Owner    string // a random id per run
	Host     string
	PID      int
	Plan     string // the SHA-256 of its plan.yaml
	Lease    time.Duration
	Since    time.Time // the claim, server time
	Renewed  time.Time // the last claim or renewal, server time
	Released bool
	Now      time.Time // the server's time when the rows were read
}

// Expires is when the lease ends unless renewed.
func (h *Holder) Expires() time.Time { return h.Renewed.Add(h.Lease) }

// Live reports whether the holder still holds the lock.
func (h *Holder) Live() bool { return !h.Released && h.Now.Before(h.Expires()) }

func (h *Holder) String() string {
	end := "lease until " + stamp(h.Expires())
	if h.Released {
		end = "released"
	}
	return fmt.Sprintf("migrate run %s (pid %d on %s, plan %.12s), since %s, %s", h.Owner, h.PID, h.Host, h.Plan, stamp(h.Since), end)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// LockedError is the lock held by a live run.
type LockedError struct{ Holder *Holder }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v: %s, renewed while it runs. Wait for it (run again with --lock-wait 10m), "+
		"or, if that run is gone, release its lock with `%s` (a run that is still working would then share the database with the next)",
		ErrLocked, e.Holder, ReleaseRecipe)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// claimValue is the value of a claim row.
type claimValue struct {
	Host    string `json:"host"`
	PID     int    `json:"pid"`
	Plan    string `json:"plan"`
	LeaseMS int64  `json:"lease_ms"`
}

// LeaseOptions are the knobs of Acquire.
type LeaseOptions struct {
	Duration time.Duration // the lease; LockTimeout when zero
	Renew    time.Duration // how often the holder renews it; Duration/3 when zero
	// Wait is how long to wait for a live holder to finish; zero fails
	// at once with a LockedError naming it.
	Wait time.Duration
	// Waiting, when set, hears once that the run waits, and for whom.
	Waiting func(*Holder)
}

// Lease is the lock, held: renewed in the background until Release.
type Lease struct {
	s     *Store
	gen   uint64
	owner string
	dur   time.Duration
	every time.Duration
	stop  chan struct{}
	done  chan struct{}
}

func (s *Store) ensureLockTable(ctx context.Context) error {
	if s.lockCreated.Load() {
		return nil
	}
	err := s.createTable(ctx, LockTable, "gen UInt64, kind String, owner String, value String, created_at DateTime64(6) DEFAULT now64(6)",
		"(gen, created_at)", 10000)
	if err != nil {
		return fmt.Errorf("creating %s: %w", LockTable, err)
	}
	s.lockCreated.Store(true)
	return nil
}

func (s *Store) lockRef() string { return s.ref(LockTable) }

// lockRow appends one row; token makes it unique (the table deduplicates
// by token: a second claim of a generation is dropped).
func (s *Store) lockRow(ctx context.Context, gen uint64, kind, owner, value, token string) error {
	return s.c.Exec(ctx, fmt.Sprintf("INSERT INTO %s (gen, kind, owner, value) SETTINGS insert_deduplicate = 1, async_insert = 0, "+
		"insert_deduplication_token = %s VALUES (%d, %s, %s, %s)", s.lockRef(), clickhouse.QuoteString(token), gen,
		clickhouse.QuoteString(kind), clickhouse.QuoteString(owner), clickhouse.QuoteString(value)))
}

// Holder reads who holds, or last held, the lock; nil when nobody ever
// did.
func (s *Store) Holder(ctx context.Context) (*Holder, error) {
	if !s.lockCreated.Load() {
		if ok, err := s.tableExists(ctx, LockTable); !ok || err != nil {
			return nil, err
		}
		s.lockCreated.Store(true)
	}
	// the earliest claim of a generation is its holder: there is only
	// one, unless the deduplication window forgot a token, and then the
	// earliest still wins everywhere alike
	rows, err := s.c.Query(ctx, fmt.Sprintf(`SELECT gen, argMinIf(owner, (created_at, owner), kind = 'claim'),
		argMinIf(value, (created_at, owner), kind = 'claim'), toUnixTimestamp64Micro(minIf(created_at, kind = 'claim')),
		toUnixTimestamp64Micro(maxIf(created_at, kind IN ('claim', 'renew'))), countIf(kind = 'release'), toUnixTimestamp64Micro(now64(6))
		FROM %s GROUP BY gen HAVING countIf(kind = 'claim') > 0 ORDER BY gen DESC LIMIT 1`, s.lockRef()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var h Holder
	var value string
	var since, renewed, now int64
	var released uint64
	if err := rows.Scan(&h.Gen, &h.Owner, &value, &since, &renewed, &released, &now); err != nil {
		return nil, err
	}
	var v claimValue
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return nil, fmt.Errorf("%s.%s: generation %d: %w", s.db, LockTable, h.Gen, err)
	}
	h.Host, h.PID, h.Plan, h.Lease = v.Host, v.PID, v.Plan, time.Duration(v.LeaseMS)*time.Millisecond
	h.Since, h.Renewed, h.Now = time.UnixMicro(since), time.UnixMicro(renewed), time.UnixMicro(now)
	h.Released = released > 0
	return &h, rows.Err()
}

// Acquire takes the lock for the plan with the given hash. A live holder
// makes it wait up to o.Wait, then fail with a LockedError naming the
// holder. It returns the lease and the previous holder, if any (whose
// lease expired when it was not released: the caller says it takes over).
func (s *Store) Acquire(ctx context.Context, plan string, o LeaseOptions) (*Lease, *Holder, error) {
	if o.Duration <= 0 {
		o.Duration = LockTimeout
	}
	if o.Renew <= 0 {
		o.Renew = o.Duration / 3
	}
	if err := s.ensureLockTable(ctx); err != nil {
		return nil, nil, err
	}
	owner, err := newOwnerID()
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	value, err := json.Marshal(claimValue{Host: host, PID: os.Getpid(), Plan: plan, LeaseMS: o.Duration.Milliseconds()})
	if err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(o.Wait)
	told := false
	for {
		h, err := s.Holder(ctx)
		if err != nil {
			return nil, nil, err
		}
		if h != nil && h.Live() {
			if !time.Now().Before(deadline) {
				return nil, nil, &LockedError{Holder: h}
			}
			if !told && o.Waiting != nil {
				o.Waiting(h)
			}
			told = true
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(min(time.Second, time.Until(deadline))):
			}
			continue
		}
		gen := uint64(1)
		if h != nil {
			gen = h.Gen + 1
		}
		if err := s.lockRow(ctx, gen, "claim", owner, string(value), fmt.Sprintf("claim/%d", gen)); err != nil {
			return nil, nil, err
		}
		won, err := s.Holder(ctx)
		if err != nil {
			return nil, nil, err
		}
		if won != nil && won.Gen == gen && won.Owner == owner {
			l := &Lease{s: s, gen: gen, owner: owner, dur: o.Duration, every: o.Renew, stop: make(chan struct{}), done: make(chan struct{})}
			go l.renew()
			return l, h, nil
		}
		// another run claimed this generation first: it holds the lock
		// now. On a cluster its claim may have been made on another node
		// and not have reached this one yet (ours was dropped as a
		// duplicate of it): wait for it to arrive
		if won == nil || won.Gen < gen {
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// Owner is the id of the run holding the lease.
func (l *Lease) Owner() string { return l.owner }

// renew renews the lease until Release.
func (l *Lease) renew() {
	defer close(l.done)
	t := time.NewTicker(l.every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-l.stop:
			return
		case <-t.C:
			// a failed renewal is retried at the next tick; Check tells
			// the run when the lease is lost
			_ = l.s.lockRow(context.Background(), l.gen, "renew", l.owner, "", fmt.Sprintf("renew/%d/%s/%d", l.gen, l.owner, n))
		}
	}
}

// Check returns nil while the lease is this run's and live, and an error
// naming the new holder otherwise.
func (l *Lease) Check(ctx context.Context) error {
	h, err := l.s.Holder(ctx)
	if err != nil {
		return err
	}
	if h == nil || h.Gen != l.gen || h.Owner != l.owner || !h.Live() {
		now := "nobody holds it now"
		if h != nil && h.Live() {
			now = "it is held by " + h.String()
		}
		return fmt.Errorf("this run lost the migration lock (its lease expired or was released; %s): stopping", now)
	}
	return nil
}

// Release ends the lease, even when ctx was cancelled (an interrupted run
// releases its lock too).
func (l *Lease) Release(ctx context.Context) error {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return l.s.lockRow(ctx, l.gen, "release", l.owner, "", fmt.Sprintf("release/%d/%s", l.gen, l.owner))
}

// ReleaseLock releases the lock whoever holds it (`migrate --release-lock`,
// for a holder that is gone). It returns the holder it released, or the
// last one when none was live (nil when nobody ever held it), and whether
// it released anything.
func (s *Store) ReleaseLock(ctx context.Context) (*Holder, bool, error) {
	h, err := s.Holder(ctx)
	if err != nil || h == nil || !h.Live() {
		return h, false, err
	}
	owner, err := newOwnerID()
	if err != nil {
		return nil, false, err
	}
	return h, true, s.lockRow(ctx, h.Gen, "release", "release-lock:"+owner, "", fmt.Sprintf("release/%d/%s", h.Gen, owner))
}

func newOwnerID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
