package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names. Every bucket is created at open in one transaction.
var (
	bucketMeta    = []byte("meta")
	bucketOrgs    = []byte("orgs")
	bucketUsers   = []byte("users")
	bucketOrgUser = []byte("org_users")
	bucketConvs   = []byte("conversations")
	bucketInvites = []byte("invites")

	bucketOutbox           = []byte("outbox")
	bucketOutboxPending    = []byte("outbox_pending")
	bucketOutboxOrigin     = []byte("outbox_origin")
	bucketBroadcasts       = []byte("broadcasts")
	bucketBroadcastsActive = []byte("broadcasts_active")
	bucketGroups           = []byte("groups")
	bucketInbox            = []byte("inbox")

	bucketEvents        = []byte("events")
	bucketEventsByStart = []byte("events_by_start")
	bucketRegs          = []byte("regs")
	bucketRegsByUser    = []byte("regs_by_user")
	bucketWaitlist      = []byte("waitlist")
	bucketRegsByTime    = []byte("regs_by_time")
	// bucketRegsChanged indexes applications changed after they were
	// submitted, by Application.ChangedAt (regTimeKey), for the summary.
	bucketRegsChanged = []byte("regs_changed")
	// bucketOrgActive counts an event's active registrations per
	// organisation (event id, org id → count), for the form's quota.
	bucketOrgActive = []byte("org_active")

	bucketDue           = []byte("due")
	bucketRemindersSent = []byte("reminders_sent")
	bucketDeadlineSent  = []byte("deadline_sent")
	bucketPeriods       = []byte("periods")

	bucketOrgRequests = []byte("org_requests")

	// bucketPlanKeys remembers the annual plan's rows already imported.
	bucketPlanKeys = []byte("plan_keys")

	// Certificates (certificates.go).
	bucketCertificates        = []byte("certificates")
	bucketCertificatesByEvent = []byte("certificates_by_event")
	bucketCertificatesByUser  = []byte("certificates_by_user")

	// Update ids received through the webhook (webhook.go).
	bucketSeen   = []byte("updates_seen")
	bucketSeenAt = []byte("updates_seen_at")

	allBuckets = [][]byte{bucketMeta, bucketOrgs, bucketUsers, bucketOrgUser, bucketConvs, bucketInvites,
		bucketOutbox, bucketOutboxPending, bucketOutboxOrigin, bucketBroadcasts, bucketBroadcastsActive, bucketGroups, bucketInbox,
		bucketEvents, bucketEventsByStart, bucketRegs, bucketRegsByUser, bucketWaitlist, bucketRegsByTime, bucketRegsChanged, bucketOrgActive,
		bucketDue, bucketRemindersSent, bucketDeadlineSent, bucketPeriods,
		bucketOrgRequests, bucketPlanKeys, bucketReportEvents, bucketReportRegs,
		bucketCalTokens, bucketCalFeeds,
		bucketCertificates, bucketCertificatesByEvent, bucketCertificatesByUser,
		bucketSeen, bucketSeenAt,
		bucketAudit, bucketAuditByEvent, bucketAuditByUser, bucketAuditByOrg}

	keySchema = []byte("schema")
)

// Store is the bbolt store. Its buckets:
//
//	meta           "schema" → uint64 BE: the schema version (see migrations);
//	               "anon_seq" → uint64 BE: the last anonymous id given by ForgetUser (its negative)
//	               "webhook_secret" → ASCII: the webhook's secret token, made once (webhook.go)
//	orgs           org id (uint64 BE) → Organisation (JSON)
//	users          Telegram user id (uint64 BE) → User (JSON)
//	org_users      org id (8 bytes BE) + user id (8 bytes BE) → empty: who belongs where
//	conversations  Telegram user id (uint64 BE) → Conversation (JSON): wizard state;
//	               user id + "p" + seq (uint64 BE) → a parked Conversation (JSON)
//	invites        invitation code (ASCII) → Invite (JSON)
//	outbox             entry id (uint64 BE) → OutboxEntry (JSON): every message the bot sends on its own
//	outbox_pending     entry id → empty: the entries still to send, in enqueue order
//	outbox_origin      "b" + broadcast id (8) + entry id (8) → empty: a broadcast's entries
//	broadcasts         broadcast id (uint64 BE) → Broadcast (JSON), with its delivery figures
//	broadcasts_active  broadcast id → empty: broadcasts whose final report is not sent yet
//	groups             chat id (int64 as 8 bytes BE) → Group (JSON): group chats and their organisation
//	inbox              update id (uint64 BE) → the update's JSON: received, confirmed to Telegram, not yet handled
//	events             event id (uint64 BE) → Event (JSON), with its Taken and Waiting counters
//	events_by_start    Start.UnixNano (as uint64, 8 bytes BE) + event id (8) → empty: every event, any
//	                   status, in start order
//	regs               event id (8) + user id (8) → Registration (JSON), cancelled ones included; a
//	                   forgotten person's user id is an anonymous one, negative (forget.go), here and
//	                   in regs_by_user, regs_by_time and waitlist
//	regs_by_user       user id (8) + event id (8) → empty: a user's registrations, any state
//	waitlist           event id (8) + seq (8, from the bucket's NextSequence) → user id (8): the
//	                   waitlist in order; only registrations in state waitlist have a key here
//	regs_by_time       CreatedAt.UnixNano (8) + event id (8) + user id (8) → empty: sign-ups in the
//	                   order they were made (a re-sign-up moves its key), for the daily summaries
//	due                due time UnixNano (8) + DueKind (1) + event id (8) + reminder offset ns (8, 0 for
//	                   other kinds) → empty: the scheduled work of published events, soonest first
//	                   (kept by reindexDue in every transaction that changes an event)
//	reminders_sent     event id (8) + offset ns (8) → the Start (UnixNano, 8) the reminder was sent for
//	deadline_sent      event id (8) → the due time (UnixNano, 8) of the deadline notice that was sent
//	periods            "digest:<period>" or "summary:<period>" → UnixNano (8) when it was enqueued:
//	                   each digest and summary goes out once per period
//	org_requests       request id (uint64 BE) → OrgRequest (JSON): a person's request for an organisation
//	                   missing from the list, and the admin's decision
//	plan_keys          PlanKey of an imported annual plan row (32) → the id of the draft it became (8 BE)
//	report_events      event id (8) → the event's fixed-width report row (report_rows.go), kept by putEvent
//	report_regs        event id (8) + user id (8), as regs → the registration's report row, kept by
//	                   putReg and deleteReg: what the coverage report reads instead of JSON
//	cal_tokens         SHA-256 of a calendar feed token (32) → the user id (8 BE) whose feed it opens
//	cal_feeds          user id (8 BE) → that user's current feed token (ASCII): one per user (calfeed.go)
//	certificates          certificate id (uint64 BE, the district-wide sequence) → Certificate (JSON):
//	                      issued documents, revoked ones included; never deleted
//	certificates_by_event event id (8) + certificate id (8) → empty
//	certificates_by_user  user id (8) + certificate id (8) → empty; a forgotten person's move to the
//	                      anonymous id, as their registrations do
//	updates_seen          update id (uint64 BE) → UnixNano (8) when the webhook received it: a second
//	                      delivery is not handled again; kept SeenKeep, pruned as updates arrive
//	updates_seen_at       UnixNano (8) + update id (8) → empty: updates_seen in the order received
//	audit, audit_by_event, audit_by_user, audit_by_org: the audit trail (audit.go)
//
// Prune (retention.go) deletes what is no longer needed once it is older
// than the retention: finished outbox entries with their outbox_origin
// rows, regs_by_time keys, reminders_sent and deadline_sent marks that can
// no longer matter, and periods.
//
// Store is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	now func() time.Time
	// loc is the district's zone, for calendar rules (the deadline notice).
	loc *time.Location
	// enqueued is signalled (without blocking) after every commit that adds
	// to the outbox, so the sender wakes at once.
	enqueued chan struct{}
	// lock is the lock file held while the store is open for writing.
	lock *lockFile
	// beforeCommit, set only by tests (export_test.go), runs at the end of
	// every update's function; an error it returns rolls the transaction
	// back, as a failure after the change's last write would.
	beforeCommit func() error
	// tainted: this run had a panic in a transaction or a failed commit
	// (taint.go); Close then writes no clean-shutdown stamp.
	tainted atomic.Bool
}

// Options tune Open. The zero value is usable.
type Options struct {
	// LockTimeout bounds how long Open waits for another process's lock on
	// the file; 0 means one second.
	LockTimeout time.Duration
	// Now is the clock used for created/updated times; nil means time.Now.
	Now func() time.Time
	// ReadOnly opens the file for reading only (used to check backups).
	ReadOnly bool
	// NoSync skips fsync on commit. It loses data on a crash: only for
	// building throwaway databases in benchmarks, never for real data.
	NoSync bool
	// Logger receives Open's warning about an invalid meta page; nil means
	// slog.Default().
	Logger *slog.Logger
	// Location is the district's time zone: the deadline notice is due at
	// 10:00 there on the day before the deadline. nil means UTC.
	Location *time.Location
}

// Open opens (creating if needed, with its folder) the database at path,
// creates missing buckets and runs pending migrations. It returns ErrLocked
// when another process holds the file. A missing or empty file becomes a
// new database.
//
// An existing, non-empty file is checked before bbolt maps it for writing,
// and Open writes nothing to a file that fails: its size and both meta
// pages (read without bbolt), then, read-only and with faults and panics
// recovered, every page and bbolt's consistency check (Tx.Check). A file
// that fails is ErrDamaged (a *DamageError says why). One invalid meta page
// beside a valid one is not damage: a crash in the middle of a commit's
// meta write leaves exactly that, bbolt uses the other page, and the next
// commit rewrites the bad one; Open logs it to Options.Logger.
//
// After a clean Close the full check is skipped: Close leaves a stamp
// naming the file as it left it, and Open, which removes the stamp before
// it writes, skips the check only when the stamp names the file exactly as
// it is (cleanstamp.go). Otherwise Tx.Check runs, on purpose: for a 100 MB file the whole
// check took 0.07–0.25 s on a 2-core machine, cached or not (BENCHMARKS.md,
// 2026-12-02), paid once at start. Without it, damage in a random page is
// found only when a handler reads that page, and Open's own first commit
// would already have written to the damaged file.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var lock *lockFile
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("storage: create folder: %w", err)
		}
		var err error
		if lock, err = acquireLock(path, opts.LockTimeout); err != nil {
			if errors.Is(err, ErrLocked) {
				return nil, ErrLocked
			}
			return nil, fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	clean := false
	if !opts.ReadOnly {
		var err error
		if clean, err = takeCleanStamp(path); err != nil {
			_ = lock.release()
			return nil, fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	if clean {
		opts.Logger.Info("storage: closed cleanly last time; the full check is skipped (vmeste -check runs it)", "path", path)
	} else if err := checkExisting(path, opts.LockTimeout, opts.Logger); err != nil {
		_ = lock.release()
		if errors.Is(err, ErrLocked) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db, err := openBolt(path, bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync})
	if err != nil {
		_ = lock.release()
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Store{db: db, now: opts.Now, loc: opts.Location, enqueued: make(chan struct{}, 1), lock: lock}
	if opts.ReadOnly {
		return s, nil
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := migrate(s, tx); err != nil {
			return err
		}
		return s.keepZone(tx)
	}); err != nil {
		_ = db.Close()
		_ = lock.release()
		return nil, fmt.Errorf("storage: prepare: %w", err)
	}
	return s, nil
}

// Close closes the database. It waits for open transactions to finish.
// A store open for writing then writes its clean-shutdown stamp
// (cleanstamp.go), so that the next Open may skip the full check —
// unless this run was tainted (taint.go): then the next Open checks.
func (s *Store) Close() error {
	path := s.db.Path()
	err := s.db.Close()
	if err == nil && s.lock != nil && path != "" && !s.tainted.Load() { // "": closed before
		err = writeCleanStamp(path)
	}
	if lerr := s.lock.release(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Ping reports whether the database is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	return s.view(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("storage: meta bucket missing")
		}
		return nil
	})
}

func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.taintOnPanic()
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.commit(s.db.Update, fn, s.beforeCommit)
}

// itob encodes an id as a sortable 8-byte big-endian key.
func itob(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

func btoi(b []byte) int64 { return int64(binary.BigEndian.Uint64(b)) }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(key, data)
}

// getJSON decodes the value at key into v; ErrNotFound when there is none.
func getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// Enqueued is signalled after a commit that added entries to the outbox.
// One receiver (the sender) should listen; signals coalesce.
func (s *Store) Enqueued() <-chan struct{} { return s.enqueued }

func (s *Store) signalEnqueued() {
	select {
	case s.enqueued <- struct{}{}:
	default:
	}
}
