package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The audit trail: who changed what, appended by the storage function that
// makes the change, in the same transaction as the change (audit_write.go
// lists the actions). Its buckets:
//
//	audit           At.UnixNano (8 BE) + seq (8 BE, the bucket's NextSequence) → AuditEntry (JSON)
//	audit_by_event  event id (8) + audit key (16) → empty: Event and Events (what an import created)
//	audit_by_user   user id (8) + audit key (16) → empty: every person the entry names (AuditEntry.people)
//	audit_by_org    org id (8) + audit key (16) → empty: Org and Orgs (what an import created)
//
// PruneAudit deletes entries older than the audit's retention with their
// index rows; ForgetUser moves a forgotten person's entries to their
// anonymous id (forget_audit.go).
var (
	bucketAudit        = []byte("audit")
	bucketAuditByEvent = []byte("audit_by_event")
	bucketAuditByUser  = []byte("audit_by_user")
	bucketAuditByOrg   = []byte("audit_by_org")
)

// AuditAction says what was done. The values are stored: never rename one.
type AuditAction string

// The audited actions.
const (
	AuditEventCreate   AuditAction = "event_create"
	AuditEventEdit     AuditAction = "event_edit"
	AuditEventPublish  AuditAction = "event_publish"
	AuditEventCancel   AuditAction = "event_cancel"
	AuditEventHandOver AuditAction = "event_handover"
	AuditAttendance    AuditAction = "attendance"
	AuditResult        AuditAction = "result"
	AuditCertificates  AuditAction = "certificates"
	AuditBroadcastSend AuditAction = "broadcast_send"
	AuditBroadcastStop AuditAction = "broadcast_stop"
	AuditOrgCreate     AuditAction = "org_create"
	AuditOrgEdit       AuditAction = "org_edit"
	AuditOrgRemove     AuditAction = "org_remove"
	AuditOrgImport     AuditAction = "org_import"
	AuditRoleGrant     AuditAction = "role_grant"
	AuditRoleRevoke    AuditAction = "role_revoke"
	AuditInviteCreate  AuditAction = "invite_create"
	AuditInviteRevoke  AuditAction = "invite_revoke"
	AuditInviteUse     AuditAction = "invite_use"
	AuditPlanImport    AuditAction = "plan_import"
	AuditForget        AuditAction = "forget"
)

// AuditActions lists every action, for the locale test and the display.
var AuditActions = []AuditAction{AuditEventCreate, AuditEventEdit, AuditEventPublish, AuditEventCancel,
	AuditEventHandOver, AuditAttendance, AuditResult, AuditCertificates, AuditBroadcastSend, AuditBroadcastStop,
	AuditOrgCreate, AuditOrgEdit, AuditOrgRemove, AuditOrgImport, AuditRoleGrant, AuditRoleRevoke,
	AuditInviteCreate, AuditInviteRevoke, AuditInviteUse, AuditPlanImport, AuditForget}

// AuditObjectKind is the kind of thing an entry is about.
type AuditObjectKind string

// The kinds of audited objects.
const (
	AuditObjEvent        AuditObjectKind = "event"
	AuditObjOrg          AuditObjectKind = "org"
	AuditObjUser         AuditObjectKind = "user"
	AuditObjBroadcast    AuditObjectKind = "broadcast"
	AuditObjRegistration AuditObjectKind = "registration" // ID: the event; the person: Subject
	AuditObjInvite       AuditObjectKind = "invite"       // ID: 0; the code: Note
	AuditObjImport       AuditObjectKind = "import"       // ID: 0; what was created: Details
)

// AuditChange is one field an edit changed, as text: the value before and
// after (times in the district's zone, «02.01.2006 15:04»).
type AuditChange struct {
	Field  string `json:"f"`
	Before string `json:"b,omitempty"`
	After  string `json:"a,omitempty"`
}

// AuditEntry is one line of the audit trail. Names are not stored: the
// display reads them from the users, events and organisations, so that
// /forget has only ids to replace.
type AuditEntry struct {
	// Key is the entry's key in the audit bucket (16 bytes): filled in by
	// the readers, not stored.
	Key []byte    `json:"-"`
	At  time.Time `json:"at"`
	// Actor is who did it: the user id from the context (WithActor), 0 for
	// the bot itself (no actor in the context), negative once forgotten.
	Actor  int64           `json:"actor,omitempty"`
	Action AuditAction     `json:"action"`
	Kind   AuditObjectKind `json:"kind"`
	// ObjectID is the id of the object of Kind (0 for invites and imports).
	ObjectID int64 `json:"id,omitempty"`
	// Event, Org and Subject are what the entry is indexed by besides the
	// actor: the event concerned, the organisation concerned, the person
	// acted on (the one granted a role, whose result was marked).
	Event   int64 `json:"event,omitempty"`
	Org     int64 `json:"org,omitempty"`
	Subject int64 `json:"subject,omitempty"`
	// Events and Orgs are further events and organisations the entry
	// concerns, indexed like Event and Org: what an import created.
	Events []int64 `json:"events,omitempty"`
	Orgs   []int64 `json:"orgs,omitempty"`
	// Details are the fields an edit changed, or a few facts of the action
	// (a count, a result) as Field/After pairs.
	Details []AuditChange `json:"details,omitempty"`
	// Note is a short value the action needs (an invitation's code).
	Note string `json:"note,omitempty"`
}

type actorKey struct{}

// WithActor returns ctx carrying the user who acts: every storage writer
// that records an audit entry takes its actor from there. The bot sets it
// once per update; other callers (imports, the scheduler acting for a
// user) set it themselves.
func WithActor(ctx context.Context, userID int64) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// ActorFrom returns the user set by WithActor; false when none was.
func ActorFrom(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(actorKey{}).(int64)
	return id, ok
}

// auditKey is an entry's key: its time (UnixNano, big-endian) and a
// sequence, so that keys sort by time and two entries of one nanosecond
// both fit.
func auditKey(at time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// appendAudit stores e inside tx, with its index rows: the actor from ctx,
// the time from the store's clock. Every audited writer calls it exactly
// once per change, after the change's own writes.
func (s *Store) appendAudit(ctx context.Context, tx *bolt.Tx, e AuditEntry) error {
	if id, ok := ActorFrom(ctx); ok {
		e.Actor = id
	}
	e.At = s.now()
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	k := auditKey(e.At, seq)
	if err := putJSON(b, k, e); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, ix := range auditIndexRows(e, k) {
		if err := tx.Bucket(ix.bucket).Put(ix.key, nil); err != nil {
			return fmt.Errorf("audit: index: %w", err)
		}
	}
	return nil
}

type auditIndexRow struct {
	bucket []byte
	key    []byte
}

// auditPersonFields are the Details fields whose values are user ids
// (a hand-over's previous and new author): they are indexed by person and
// rewritten by /forget like Actor and Subject.
var auditPersonFields = map[string]bool{"author": true}

// people are the users entry e names, each once, none 0: the actor, the
// person acted on, and every user id in a person field of its Details.
func (e AuditEntry) people() []int64 {
	ids := []int64{e.Actor, e.Subject}
	for _, c := range e.Details {
		if !auditPersonFields[c.Field] {
			continue
		}
		for _, v := range []string{c.Before, c.After} {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return uniqueIDs(ids)
}

// uniqueIDs returns ids without zeros and repeats, in their first order.
func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// auditIndexRows are the index keys of entry e stored at k: by each event
// it concerns, each person it names (people), each organisation it
// concerns; one row per id.
func auditIndexRows(e AuditEntry, k []byte) []auditIndexRow {
	var rows []auditIndexRow
	add := func(b []byte, ids []int64) {
		for _, id := range uniqueIDs(ids) {
			rows = append(rows, auditIndexRow{b, append(itob(id), k...)})
		}
	}
	add(bucketAuditByEvent, append([]int64{e.Event}, e.Events...))
	add(bucketAuditByUser, e.people())
	add(bucketAuditByOrg, append([]int64{e.Org}, e.Orgs...))
	return rows
}

// AuditFilter narrows the audit trail to one event, person or
// organisation; the zero value is every entry.
type AuditFilter struct {
	Event int64
	User  int64
	Org   int64
}

// index returns the index bucket and prefix the filter reads; nil for
// the empty filter.
func (f AuditFilter) index() ([]byte, []byte) {
	switch {
	case f.Event != 0:
		return bucketAuditByEvent, itob(f.Event)
	case f.User != 0:
		return bucketAuditByUser, itob(f.User)
	case f.Org != 0:
		return bucketAuditByOrg, itob(f.Org)
	}
	return nil, nil
}

// AuditPage returns up to limit entries of the filter, newest first,
// skipping the first offset, and how many the filter holds in all. A
// filtered page reads only its index (its rows are counted, the entries
// of the page alone decoded); an unfiltered one counts the audit bucket's
// keys. limit 0 means no limit.
func (s *Store) AuditPage(ctx context.Context, f AuditFilter, offset, limit int) ([]AuditEntry, int, error) {
	var (
		list  []AuditEntry
		total int
	)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list, total = nil, 0
		entries := tx.Bucket(bucketAudit)
		if f == (AuditFilter{}) {
			// Everything: the page by the cursor, the total by bbolt's
			// count of keys, which reads each page once instead of
			// stepping over every key.
			c := entries.Cursor()
			skipped := 0
			for k, v := c.Last(); k != nil && (limit <= 0 || len(list) < limit); k, v = c.Prev() {
				if skipped < offset {
					skipped++
					continue
				}
				var e AuditEntry
				if err := jsonUnmarshal(v, &e); err != nil {
					return fmt.Errorf("entry %x: %w", k, err)
				}
				e.Key = bytes.Clone(k)
				list = append(list, e)
			}
			total = entries.Stats().KeyN
			return nil
		}
		return walkAudit(tx, f, func(k []byte) error {
			if total >= offset && (limit <= 0 || len(list) < limit) {
				var e AuditEntry
				if err := getJSON(entries, k, &e); err != nil {
					return fmt.Errorf("entry %x: %w", k, err)
				}
				e.Key = bytes.Clone(k)
				list = append(list, e)
			}
			total++
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: audit page: %w", err)
	}
	return list, total, nil
}

// AuditEntries returns every entry of the filter, newest first, up to max
// (0: no limit): what the XLSX export holds.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter, max int) ([]AuditEntry, error) {
	list, _, err := s.AuditPage(ctx, f, 0, max)
	return list, err
}

// walkAudit calls fn with the key of each entry of a filter that is not
// empty, newest first, walking its index.
func walkAudit(tx *bolt.Tx, f AuditFilter, fn func(k []byte) error) error {
	ixName, prefix := f.index()
	c := tx.Bucket(ixName).Cursor()
	// The last key with the prefix: seek past it, step back.
	end := append(bytes.Clone(prefix), bytes.Repeat([]byte{0xff}, 16)...)
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else if !bytes.Equal(k, end) {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if len(k) != 24 {
			return fmt.Errorf("index key %x: bad length", k)
		}
		if err := fn(k[8:]); err != nil {
			return err
		}
	}
	return nil
}

// AuditEntryAt returns the entry stored at key (AuditEntry.Key), or
// ErrNotFound (pruned, or a key that never was).
func (s *Store) AuditEntryAt(ctx context.Context, key []byte) (AuditEntry, error) {
	var e AuditEntry
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketAudit), key, &e) })
	if err != nil {
		return AuditEntry{}, fmt.Errorf("storage: audit entry %x: %w", key, err)
	}
	e.Key = bytes.Clone(key)
	return e, nil
}
