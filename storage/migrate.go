package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrations[i] brings a database from schema version i to i+1. They run at
// Open, inside the same transaction that creates the buckets, so a failed
// migration leaves the file as it was. Append only; never edit one that has
// shipped.
var migrations = []func(s *Store, tx *bolt.Tx) error{
	// 0 → 1: the initial layout; the buckets are created before migrations run.
	func(*Store, *bolt.Tx) error { return nil },
	// 1 → 2: scheduled work (the due index) and sign-ups by time, for
	// events and sign-ups stored before they existed.
	func(s *Store, tx *bolt.Tx) error {
		now := s.now()
		var events []Event
		if err := tx.Bucket(bucketEvents).ForEach(func(_, v []byte) error {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			events = append(events, e)
			return nil
		}); err != nil {
			return err
		}
		for i := range events {
			e := &events[i]
			if e.Status == EventPublished && !finishAt(*e).After(now) {
				// Long over: finished quietly, without asking anyone to
				// mark attendance years later.
				e.Status = EventFinished
				if err := putJSON(tx.Bucket(bucketEvents), itob(e.ID), e); err != nil {
					return err
				}
				continue
			}
			if err := s.reindexDue(tx, nil, e, now); err != nil {
				return err
			}
			// Reminders whose time has passed are not sent late.
			for _, off := range e.Reminders {
				if off > 0 && !e.Start.Add(-off).After(now) {
					if err := tx.Bucket(bucketRemindersSent).Put(remSentKey(e.ID, off), itob(e.Start.UnixNano())); err != nil {
						return err
					}
					if ns, ok := dueNanos(e.Start.Add(-off)); ok {
						if err := tx.Bucket(bucketDue).Delete(dueKey(ns, DueReminder, e.ID, off)); err != nil {
							return err
						}
					}
				}
			}
		}
		byTime := tx.Bucket(bucketRegsByTime)
		return tx.Bucket(bucketRegs).ForEach(func(_, v []byte) error {
			var r Registration
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			if r.State == RegCancelled {
				return nil
			}
			return byTime.Put(regTimeKey(r.CreatedAt, r.EventID, r.UserID), nil)
		})
	},
	// 2 → 3: every event belongs to an organisation (Event.OwnerOrg): its
	// author's as the author is stored now, else its first organiser, as
	// CreateEvent decides for new events.
	func(_ *Store, tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		var owned []Event
		if err := events.ForEach(func(_, v []byte) error {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			if e.OwnerOrg != 0 {
				return nil
			}
			org, err := ownerOrg(tx, e)
			if err != nil || org == 0 {
				return err
			}
			e.OwnerOrg = org
			owned = append(owned, e)
			return nil
		}); err != nil {
			return err
		}
		// Written after the walk: bbolt forbids changing a bucket
		// under its own ForEach.
		for _, e := range owned {
			if err := putJSON(events, itob(e.ID), e); err != nil {
				return err
			}
		}
		return nil
	},
	// 3 → 4: the coverage report's rows (report_rows.go) for the events and
	// registrations stored before them.
	buildReportRows,
}

// SchemaVersion is the version a database has after Open.
func SchemaVersion() uint64 { return uint64(len(migrations)) }

func migrate(s *Store, tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	var version uint64
	if v := meta.Get(keySchema); v != nil {
		version = binary.BigEndian.Uint64(v)
	}
	if version > uint64(len(migrations)) {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d)", version, len(migrations))
	}
	for ; version < uint64(len(migrations)); version++ {
		if err := migrations[version](s, tx); err != nil {
			return fmt.Errorf("migrate %d→%d: %w", version, version+1, err)
		}
	}
	buf := make([]byte, 8)
	binary.BigEndian.PutUint64(buf, version)
	return meta.Put(keySchema, buf)
}

// Schema returns the database's schema version.
func (s *Store) Schema() (uint64, error) {
	var v uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(keySchema); b != nil {
			v = binary.BigEndian.Uint64(b)
		}
		return nil
	})
	return v, err
}

var keyZone = []byte("zone")

// keepZone records the district's zone; when it differs from the one the
// due index was built in, the index is built again: deadline notices are
// due at 10:00 local time, so their keys depend on the zone.
func (s *Store) keepZone(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	zone := []byte(s.loc.String())
	old := meta.Get(keyZone)
	if bytes.Equal(old, zone) {
		return nil
	}
	if old != nil {
		if err := tx.DeleteBucket(bucketDue); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketDue); err != nil {
			return err
		}
		now := s.now()
		if err := tx.Bucket(bucketEvents).ForEach(func(_, v []byte) error {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			return s.reindexDue(tx, nil, &e, now)
		}); err != nil {
			return fmt.Errorf("reindex for zone %s: %w", zone, err)
		}
	}
	return meta.Put(keyZone, zone)
}
