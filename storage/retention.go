package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MinKeep is the youngest age Prune deletes: a later before is moved back
// to now − MinKeep. Two days is more than the longest a scheduled run is
// caught up late (a day) plus the day its period names, so a period key is
// never claimed twice, and a catching-up summary still finds the last
// day's sign-ups.
const MinKeep = 48 * time.Hour

// Prune's transaction bounds: one transaction deletes at most pruneBatch
// keys (with their related index rows) and looks at most at pruneScan, so
// that a big prune never holds bbolt's single writer for long.
const (
	pruneBatch = 1000
	pruneScan  = 10_000
)

// PruneStats counts what one Prune deleted.
type PruneStats struct {
	// Outbox is the outbox entries deleted; each took its outbox_origin row
	// (a broadcast's entries have one) with it.
	Outbox int
	// Signups is the regs_by_time and regs_changed keys deleted.
	Signups int
	// Reminders and Deadlines are the reminders_sent and deadline_sent
	// marks deleted.
	Reminders, Deadlines int
	// Periods is the periods keys (digests and summaries sent) deleted.
	Periods int
	// Transactions is how many write transactions committed.
	Transactions int
}

// Deleted is how many keys Prune deleted, outbox_origin rows not counted.
func (p PruneStats) Deleted() int {
	return p.Outbox + p.Signups + p.Reminders + p.Deadlines + p.Periods
}

// Prune deletes what the bot no longer needs once it is older than before,
// so that the database, and each backup of it, stops growing with time.
// A before later than now − MinKeep (the store's clock) is moved back to
// it. Prune deletes:
//
//   - outbox entries that are sent, failed or skipped and were finished
//     earlier than before (DoneAt; for entries finished before DoneAt
//     existed, SentAt or else CreatedAt), each with its outbox_origin row.
//     Never a pending entry, and never an entry of a broadcast still in
//     broadcasts_active: its final report, which lists the failed
//     recipients, is not sent yet. The broadcasts rows, with their figures,
//     stay; BroadcastEntries of a pruned broadcast returns what is left.
//   - regs_by_time keys of sign-ups made earlier than before: the
//     summaries read only the last day of them.
//   - reminders_sent marks of events that are finished, cancelled or gone,
//     when the start the reminder was sent for is earlier than before.
//     RunDue sends a reminder only while now is before its event's start,
//     so a reminder for that start cannot be sent again, mark or no mark.
//     Marks of draft and published events stay whatever their age:
//     reindexDue reads them to leave out a reminder that an edit makes
//     overdue.
//   - deadline_sent marks of notices due more than their sending window
//     (11 hours) earlier than before: RunDue sends a deadline notice only
//     within that window after its due time, so it cannot go out twice.
//   - periods keys (the digests and summaries sent) recorded earlier than
//     before: a period names the day of a scheduled run (see MinKeep).
//
// It works in many small write transactions, each deleting at most 1,000
// keys and looking at no more than 10,000; one that would delete nothing
// is rolled back, not committed. ctx is checked before each: when it ends,
// Prune returns what it deleted so far with ctx's error. Each transaction
// leaves the store consistent (an entry goes with its index row), so a
// Prune cut short is simply run again. A key it cannot decide about (an
// undecodable value) is kept and reported in the error once the rest is
// done. Prune is safe for concurrent use with every other method; it is
// meant to run once a night.
func (s *Store) Prune(ctx context.Context, before time.Time) (PruneStats, error) {
	if limit := s.now().Add(-MinKeep); before.After(limit) {
		before = limit
	}
	cut := before.UnixNano()
	var (
		st   PruneStats
		errs []error
	)
	for _, w := range []struct {
		name  string
		count *int
		sweep sweep
	}{
		{"outbox", &st.Outbox, sweep{bucket: bucketOutbox, related: bucketOutboxOrigin, check: pruneOutboxEntry(before)}},
		{"sign-ups", &st.Signups, sweep{bucket: bucketRegsByTime, check: func(_ *bolt.Tx, k, _ []byte) (bool, []byte, bool, error) {
			if len(k) != 24 {
				return false, nil, false, fmt.Errorf("key %x: bad length", k)
			}
			// Keys sort by sign-up time: the first young one ends the walk.
			at := btoi(k[:8])
			old := at >= 0 && at < cut
			return old, nil, !old, nil
		}}},
		{"application changes", &st.Signups, sweep{bucket: bucketRegsChanged, check: func(_ *bolt.Tx, k, _ []byte) (bool, []byte, bool, error) {
			if len(k) != 24 {
				return false, nil, false, fmt.Errorf("key %x: bad length", k)
			}
			at := btoi(k[:8])
			old := at >= 0 && at < cut
			return old, nil, !old, nil
		}}},
		{"reminder marks", &st.Reminders, sweep{bucket: bucketRemindersSent, check: pruneReminderMark(cut)}},
		{"deadline marks", &st.Deadlines, sweep{bucket: bucketDeadlineSent, check: func(_ *bolt.Tx, _, v []byte) (bool, []byte, bool, error) {
			return len(v) == 8 && btoi(v) < cut-int64(noticeWindow), nil, false, nil
		}}},
		{"periods", &st.Periods, sweep{bucket: bucketPeriods, check: func(_ *bolt.Tx, _, v []byte) (bool, []byte, bool, error) {
			return len(v) == 8 && btoi(v) < cut, nil, false, nil
		}}},
	} {
		n, txs, err := s.sweep(ctx, w.sweep)
		*w.count += n
		st.Transactions += txs
		if err != nil {
			err = fmt.Errorf("storage: prune: %s: %w", w.name, err)
			if ctx.Err() != nil {
				return st, err
			}
			errs = append(errs, err)
		}
	}
	return st, errors.Join(errs...)
}

// pruneOutboxEntry decides about one outbox entry (see Prune).
func pruneOutboxEntry(before time.Time) func(tx *bolt.Tx, k, v []byte) (bool, []byte, bool, error) {
	return func(tx *bolt.Tx, k, v []byte) (bool, []byte, bool, error) {
		// Only the fields decided on (json skips the content).
		var e struct {
			State     OutboxState `json:"state"`
			Origin    Origin      `json:"origin"`
			CreatedAt time.Time   `json:"created_at"`
			SentAt    time.Time   `json:"sent_at"`
			DoneAt    time.Time   `json:"done_at"`
		}
		if err := jsonUnmarshal(v, &e); err != nil {
			return false, nil, false, fmt.Errorf("entry %d: %w", btoi(k), err)
		}
		// Ids grow with CreatedAt, and an entry is done after it is created:
		// from the first entry created at or after before, none is old
		// enough. (Should the clock step back, an old entry after that one
		// waits for the next night.)
		if !e.CreatedAt.Before(before) {
			return false, nil, true, nil
		}
		if e.State == OutboxPending || e.State == "" || tx.Bucket(bucketOutboxPending).Get(k) != nil {
			return false, nil, false, nil
		}
		done := e.DoneAt
		if done.IsZero() {
			done = e.SentAt
		}
		if done.IsZero() {
			done = e.CreatedAt
		}
		if !done.Before(before) {
			return false, nil, false, nil
		}
		var rel []byte
		if e.Origin.Kind == OriginBroadcast {
			if tx.Bucket(bucketBroadcastsActive).Get(itob(e.Origin.ID)) != nil {
				return false, nil, false, nil
			}
			rel = broadcastEntryKey(e.Origin.ID, btoi(k))
		}
		return true, rel, false, nil
	}
}

// pruneReminderMark decides about one reminders_sent mark (see Prune).
func pruneReminderMark(cut int64) func(tx *bolt.Tx, k, v []byte) (bool, []byte, bool, error) {
	return func(tx *bolt.Tx, k, v []byte) (bool, []byte, bool, error) {
		if len(k) != 16 || len(v) != 8 || btoi(v) >= cut {
			return false, nil, false, nil
		}
		var e Event
		switch err := getJSON(tx.Bucket(bucketEvents), k[:8], &e); {
		case errors.Is(err, ErrNotFound):
			return true, nil, false, nil
		case err != nil:
			return false, nil, false, fmt.Errorf("event %d: %w", btoi(k[:8]), err)
		}
		return e.Status != EventDraft && e.Status != EventPublished, nil, false, nil
	}
}

// sweep is one bucket's part of Prune.
type sweep struct {
	bucket []byte
	// related is the bucket of the rel keys check returns.
	related []byte
	// check decides about key k with value v: del deletes it, and rel (if
	// not nil) from related with it; stop ends the walk (no later key can
	// be deleted); an error keeps the key. It must only read.
	check func(tx *bolt.Tx, k, v []byte) (del bool, rel []byte, stop bool, err error)
	// drop, if set, is called for each key check picked, with its value,
	// just before it is deleted: to delete rows of other buckets that
	// point to it (the audit trail's indexes).
	drop func(tx *bolt.Tx, k, v []byte) error
}

// errNothingToDelete rolls back a sweep transaction that found nothing: a
// committed empty transaction still writes and fsyncs the meta page.
var errNothingToDelete = errors.New("nothing to delete")

// sweep walks w.bucket in key order, in write transactions of at most
// pruneBatch deletions and pruneScan keys looked at, deleting what
// w.check picks. It returns how many keys it deleted from w.bucket and how
// many transactions it committed. A key check fails on is kept, and the
// walk goes on; the first such error is returned at the end with their
// count.
func (s *Store) sweep(ctx context.Context, w sweep) (deleted, txs int, err error) {
	var (
		from      []byte // where the next transaction starts; nil: the first key
		undecided int
		firstErr  error
	)
	for {
		var (
			next      []byte // where the one after starts; nil: the walk is over
			n         int
			checkErrs []error
		)
		err := s.update(ctx, func(tx *bolt.Tx) error {
			next, n, checkErrs = nil, 0, nil
			b := tx.Bucket(w.bucket)
			type doomed struct{ key, rel, value []byte }
			var list []doomed
			c := b.Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for scanned := 0; k != nil; k, v = c.Next() {
				if scanned == pruneScan || len(list) == pruneBatch {
					next = bytes.Clone(k)
					break
				}
				scanned++
				del, rel, stop, err := w.check(tx, k, v)
				if err != nil {
					checkErrs = append(checkErrs, err)
					continue
				}
				if del {
					d := doomed{key: bytes.Clone(k), rel: rel}
					if w.drop != nil {
						d.value = bytes.Clone(v)
					}
					list = append(list, d)
				}
				if stop {
					break
				}
			}
			if len(list) == 0 {
				return errNothingToDelete
			}
			// Collected first, deleted now: deleting keys while a cursor
			// walks the bucket can skip keys.
			for _, d := range list {
				if w.drop != nil {
					if err := w.drop(tx, d.key, d.value); err != nil {
						return err
					}
				}
				if err := b.Delete(d.key); err != nil {
					return err
				}
				if d.rel != nil {
					if err := tx.Bucket(w.related).Delete(d.rel); err != nil {
						return err
					}
				}
			}
			n = len(list)
			return nil
		})
		switch {
		case errors.Is(err, errNothingToDelete):
		case err != nil:
			return deleted, txs, err
		default:
			deleted += n
			txs++
		}
		if len(checkErrs) > 0 && firstErr == nil {
			firstErr = checkErrs[0]
		}
		undecided += len(checkErrs)
		if next == nil {
			if firstErr != nil {
				return deleted, txs, fmt.Errorf("%d keys kept undecided, the first: %w", undecided, firstErr)
			}
			return deleted, txs, nil
		}
		from = next
	}
}
