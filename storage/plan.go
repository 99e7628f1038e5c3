package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The annual plan (a coordinator's XLSX or CSV of the year's events) is
// imported as drafts, and a past event is copied for next year. Both create
// drafts in one transaction each.

// PlanKey is the import key of a plan row: a hash of its title and place
// (case, ё/е and spacing folded) and its start instant. The same row read
// from the same file, or typed again with other spacing, has the same key.
func PlanKey(title string, start time.Time, place string) []byte {
	fold := func(s string) string {
		s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
		return strings.Join(strings.Fields(s), " ")
	}
	h := sha256.New()
	h.Write([]byte(fold(title)))
	h.Write([]byte{0})
	h.Write([]byte(fold(place)))
	h.Write([]byte{0})
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(start.Unix()))
	h.Write(ts[:])
	return h.Sum(nil)
}

// PlanRow is one row of an annual plan to become a draft: the event as
// read and its PlanKey.
type PlanRow struct {
	Key   []byte `json:"key"`
	Event Event  `json:"event"`
}

// PlanImport is what ImportPlan decided.
type PlanImport struct {
	// Created are the drafts created, in the order of the rows.
	Created []Event
	// Already are the indexes (into the rows given) of rows imported
	// before, whose drafts still exist: nothing was created for them.
	Already []int
}

// planKeyLive reports whether key was imported and its event still exists
// and is not cancelled (a draft deleted since may be imported again).
func planKeyLive(tx *bolt.Tx, key []byte) bool {
	v := tx.Bucket(bucketPlanKeys).Get(key)
	if len(v) != 8 {
		return false
	}
	var e Event
	return getJSON(tx.Bucket(bucketEvents), v, &e) == nil && e.Status != EventCancelled
}

// PlanImported reports, for each key, whether a row with that PlanKey was
// imported and its event still exists, not cancelled.
func (s *Store) PlanImported(ctx context.Context, keys [][]byte) ([]bool, error) {
	out := make([]bool, len(keys))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		for i, k := range keys {
			out[i] = planKeyLive(tx, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: plan imported: %w", err)
	}
	return out, nil
}

// ImportPlan creates a draft for each row, all in one transaction, as
// CreateEvent would (status draft whatever the row says; OwnerOrg by
// CreateEvent's rule), and records each row's key. A row whose key was
// imported before (its event still existing, not cancelled), or repeats a key earlier in
// rows, creates nothing and is listed in Already. A row that CreateEvent
// would refuse (no start, a bad form) fails the whole import: nothing is
// created.
func (s *Store) ImportPlan(ctx context.Context, rows []PlanRow) (PlanImport, error) {
	now := s.now()
	var out PlanImport
	err := s.update(ctx, func(tx *bolt.Tx) error {
		out = PlanImport{}
		keys := tx.Bucket(bucketPlanKeys)
		for i, row := range rows {
			if len(row.Key) == 0 {
				return fmt.Errorf("row %d: no key", i)
			}
			if planKeyLive(tx, row.Key) {
				out.Already = append(out.Already, i)
				continue
			}
			e := row.Event
			e.ID, e.Status, e.Taken, e.Waiting = 0, EventDraft, 0, 0
			e.CreatedAt, e.UpdatedAt = now, now
			if err := checkEventTimes(e); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			if err := s.createEventTx(tx, &e, now); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			if err := keys.Put(row.Key, itob(e.ID)); err != nil {
				return err
			}
			out.Created = append(out.Created, e)
		}
		if len(out.Created) == 0 {
			return nil
		}
		first, last := out.Created[0], out.Created[len(out.Created)-1]
		imported := AuditEntry{Action: AuditPlanImport, Kind: AuditObjImport, Org: first.OwnerOrg,
			Details: []AuditChange{auditFact("count", strconv.Itoa(len(out.Created))),
				auditFact("first", strconv.FormatInt(first.ID, 10)), auditFact("last", strconv.FormatInt(last.ID, 10))}}
		// Each draft and its owner listed under the one entry, so that
		// /audit e<draft> and /audit o<owner> show the import.
		for _, e := range out.Created {
			imported.Events = append(imported.Events, e.ID)
			imported.Orgs = append(imported.Orgs, e.OwnerOrg)
		}
		imported.Orgs = uniqueIDs(imported.Orgs)
		return s.appendAudit(ctx, tx, imported)
	})
	if err != nil {
		return PlanImport{}, fmt.Errorf("storage: import plan: %w", err)
	}
	return out, nil
}

// ErrShiftedPast is returned by CopyEvent when the copy's start would not
// be after now.
var ErrShiftedPast = errors.New("storage: the copy would start in the past")

// CopyEvent creates, in one transaction, a draft copy of event id by the
// user by: the source's settings, organisers, form, reminders and
// regulations, with its start, end, deadline and works' Until each passed
// through shift; no registrations; CreatedBy by and OwnerOrg by
// CreateEvent's rule (by's organisation, else the source's owner). A
// cancelled, finished or draft source is copied too. ErrNotFound when
// there is no such event; ErrShiftedPast when the shifted start is not
// after now. A shifted deadline or Until that is not after now is dropped
// (sign-up and works then close as when none is set).
func (s *Store) CopyEvent(ctx context.Context, id, by int64, shift func(time.Time) time.Time) (Event, error) {
	now := s.now()
	var e Event
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bucketEvents), itob(id), &e); err != nil {
			return err
		}
		e.ID, e.Status, e.Taken, e.Waiting = 0, EventDraft, 0, 0
		e.CreatedBy, e.CreatedAt, e.UpdatedAt = by, now, now
		e.Start = shift(e.Start)
		if !e.End.IsZero() {
			e.End = shift(e.End)
		}
		if !e.Deadline.IsZero() {
			e.Deadline = shift(e.Deadline)
		}
		if e.Form.Works != nil && !e.Form.Works.Until.IsZero() {
			e.Form.Works.Until = shift(e.Form.Works.Until)
		}
		if !e.Start.After(now) {
			return ErrShiftedPast
		}
		// A deadline the shift left behind would close sign-up at once.
		if !e.Deadline.IsZero() && !e.Deadline.After(now) {
			e.Deadline = time.Time{}
		}
		if e.Form.Works != nil && !e.Form.Works.Until.IsZero() && !e.Form.Works.Until.After(now) {
			e.Form.Works.Until = time.Time{}
		}
		if err := checkEventTimes(e); err != nil {
			return err
		}
		if err := s.createEventTx(tx, &e, now); err != nil {
			return err
		}
		created := eventAudit(AuditEventCreate, e)
		created.Details = []AuditChange{auditFact("copy_of", strconv.FormatInt(id, 10))}
		return s.appendAudit(ctx, tx, created)
	})
	if err != nil {
		return Event{}, fmt.Errorf("storage: copy event %d: %w", id, err)
	}
	return e, nil
}
