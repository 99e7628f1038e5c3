package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Audience kinds of a broadcast.
const (
	AudienceAllTeachers = "all"
	AudienceKinds       = "kinds"
	AudienceOrgs        = "orgs"
	AudienceGroups      = "groups"
	// AudienceEvent is the participants of one event (Audience.EventID).
	AudienceEvent = "event"
)

// Audience is who a broadcast goes to.
type Audience struct {
	Kind   string    `json:"kind"`
	Kinds  []OrgKind `json:"kinds,omitempty"`
	OrgIDs []int64   `json:"org_ids,omitempty"`
	// EventID is the event whose participants an AudienceEvent means.
	EventID int64 `json:"event_id,omitempty"`
}

// BroadcastState is where a broadcast is.
type BroadcastState string

// Broadcast states.
const (
	BroadcastRunning BroadcastState = "running"
	BroadcastStopped BroadcastState = "stopped"
	BroadcastDone    BroadcastState = "done"
)

// Broadcast is a coordinator's announcement copied to many chats. Its
// counters are kept in step with its outbox entries, in the same
// transactions.
type Broadcast struct {
	ID         int64    `json:"id"`
	AuthorID   int64    `json:"author_id"`
	AuthorChat int64    `json:"author_chat"`
	Lang       string   `json:"lang"`
	Audience   Audience `json:"audience"`
	// SourceChat and SourceMessage are the message being copied.
	SourceChat    int64 `json:"source_chat"`
	SourceMessage int   `json:"source_message"`
	// Preview is a short plain description for lists.
	Preview string `json:"preview,omitempty"`

	Total   int            `json:"total"`
	Sent    int            `json:"sent"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
	State   BroadcastState `json:"state"`

	// StatusMessage is the author's message that shows progress.
	StatusMessage int `json:"status_message,omitempty"`
	// Version counts changes of the figures; Shown is the version the status
	// message shows. Reported is set once the final report is sent.
	Version  int64 `json:"version"`
	Shown    int64 `json:"shown"`
	Reported bool  `json:"reported,omitempty"`

	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Left is how many recipients are still waiting.
func (b Broadcast) Left() int { return b.Total - b.Sent - b.Failed - b.Skipped }

// ButtonsFor renders the buttons under one recipient's copy of a
// broadcast, in that recipient's language; u is the stored user, or the
// zero User for a group chat or a user not stored. It runs inside the
// storage transaction, so it must only compute: no I/O, no side effects.
type ButtonsFor func(u User) [][]Button

// ContentFor renders one recipient's copy of a broadcast, in that
// recipient's language; u is the stored user, or the zero User for a group
// chat or a user not stored. It runs inside the storage transaction, so it
// must only compute: no I/O, no side effects.
type ContentFor func(u User) Content

// CreateBroadcast is CreateBroadcastFor with the same content for every
// recipient, a copy of the broadcast's source message, under
// buttons(recipient) when buttons is not nil.
func (s *Store) CreateBroadcast(ctx context.Context, b Broadcast, recipients []Recipient, buttons ButtonsFor) (Broadcast, error) {
	return s.CreateBroadcastFor(ctx, b, recipients, func(u User) Content {
		c := Content{CopyFromChat: b.SourceChat, CopyMessageID: b.SourceMessage}
		if buttons != nil {
			c.Buttons = buttons(u)
		}
		return c
	})
}

// CreateBroadcastFor stores the broadcast, enqueues one outbox entry per
// recipient with content(recipient) and ends the author's wizard, all in
// one transaction (so a double tap or a crash cannot send it twice), and
// returns it with its id. A broadcast with no recipients is stored done.
func (s *Store) CreateBroadcastFor(ctx context.Context, b Broadcast, recipients []Recipient, content ContentFor) (Broadcast, error) {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketConvs).Delete(itob(b.AuthorID)); err != nil {
			return err
		}
		bb := tx.Bucket(bucketBroadcasts)
		seq, err := bb.NextSequence()
		if err != nil {
			return err
		}
		now := s.now()
		b.ID, b.CreatedAt, b.Total, b.State, b.Version = int64(seq), now, len(recipients), BroadcastRunning, 1
		if b.Total == 0 {
			b.State, b.FinishedAt = BroadcastDone, now
		}
		entries := make([]OutboxEntry, len(recipients))
		users := tx.Bucket(bucketUsers)
		for i, r := range recipients {
			var u User
			if r.UserID != 0 {
				if err := getJSON(users, itob(r.UserID), &u); err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
			}
			entries[i] = OutboxEntry{ChatID: r.ChatID, UserID: r.UserID, Content: content(u), Origin: Origin{Kind: OriginBroadcast, ID: b.ID}}
		}
		if err := enqueue(tx, entries, now); err != nil {
			return err
		}
		if err := tx.Bucket(bucketBroadcastsActive).Put(itob(b.ID), nil); err != nil {
			return err
		}
		if err := putJSON(bb, itob(b.ID), b); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: AuditBroadcastSend, Kind: AuditObjBroadcast, ObjectID: b.ID,
			Event: b.Audience.EventID, Details: []AuditChange{auditFact("recipients", strconv.Itoa(b.Total))}})
	})
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast: %w", err)
	}
	s.signalEnqueued()
	return b, nil
}

// countBroadcast adds one finished entry to its broadcast's figures.
func countBroadcast(tx *bolt.Tx, id int64, state OutboxState, now time.Time) error {
	bb := tx.Bucket(bucketBroadcasts)
	var b Broadcast
	if err := getJSON(bb, itob(id), &b); err != nil {
		return err
	}
	switch state {
	case OutboxSent:
		b.Sent++
	case OutboxFailed:
		b.Failed++
	case OutboxSkipped:
		b.Skipped++
	}
	b.Version++
	if b.Left() <= 0 && b.State == BroadcastRunning {
		b.State, b.FinishedAt = BroadcastDone, now
	}
	return putJSON(bb, itob(id), b)
}

// recountStopped moves one entry of a stopped broadcast from skipped to
// sent: it was delivered while the broadcast was being stopped.
func recountStopped(tx *bolt.Tx, id int64) error {
	bb := tx.Bucket(bucketBroadcasts)
	var b Broadcast
	if err := getJSON(bb, itob(id), &b); err != nil {
		return err
	}
	b.Skipped--
	b.Sent++
	b.Version++
	return putJSON(bb, itob(id), b)
}

// Broadcast returns one broadcast, or ErrNotFound.
func (s *Store) Broadcast(ctx context.Context, id int64) (Broadcast, error) {
	var b Broadcast
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketBroadcasts), itob(id), &b) })
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: broadcast %d: %w", id, err)
	}
	return b, nil
}

// RecentBroadcasts returns up to limit broadcasts, newest first.
func (s *Store) RecentBroadcasts(ctx context.Context, limit int) ([]Broadcast, error) {
	var list []Broadcast
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBroadcasts).Cursor()
		for k, v := c.Last(); k != nil && len(list) < limit; k, v = c.Prev() {
			var b Broadcast
			if err := jsonUnmarshal(v, &b); err != nil {
				return err
			}
			list = append(list, b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: recent broadcasts: %w", err)
	}
	return list, nil
}

// ActiveBroadcasts returns the broadcasts whose final report has not been
// sent yet: running ones, and finished or stopped ones awaiting the report.
func (s *Store) ActiveBroadcasts(ctx context.Context) ([]Broadcast, error) {
	var list []Broadcast
	err := s.view(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBroadcasts)
		return tx.Bucket(bucketBroadcastsActive).ForEach(func(k, _ []byte) error {
			var b Broadcast
			if err := getJSON(bb, k, &b); err != nil {
				return err
			}
			list = append(list, b)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: active broadcasts: %w", err)
	}
	return list, nil
}

// SetBroadcastStatusMessage records the author's status message.
func (s *Store) SetBroadcastStatusMessage(ctx context.Context, id int64, messageID int) error {
	return s.changeBroadcast(ctx, id, func(b *Broadcast) { b.StatusMessage = messageID })
}

// MarkBroadcastShown records that the status message shows version; with
// reported, the final report was sent and the broadcast leaves the active
// list.
func (s *Store) MarkBroadcastShown(ctx context.Context, id, version int64, reported bool) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBroadcasts)
		var b Broadcast
		if err := getJSON(bb, itob(id), &b); err != nil {
			return err
		}
		b.Shown = max(b.Shown, version)
		if reported {
			b.Reported = true
			if err := tx.Bucket(bucketBroadcastsActive).Delete(itob(id)); err != nil {
				return err
			}
		}
		return putJSON(bb, itob(id), b)
	})
	if err != nil {
		return fmt.Errorf("storage: mark broadcast %d shown: %w", id, err)
	}
	return nil
}

func (s *Store) changeBroadcast(ctx context.Context, id int64, change func(*Broadcast)) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBroadcasts)
		var b Broadcast
		if err := getJSON(bb, itob(id), &b); err != nil {
			return err
		}
		change(&b)
		return putJSON(bb, itob(id), b)
	})
	if err != nil {
		return fmt.Errorf("storage: change broadcast %d: %w", id, err)
	}
	return nil
}

// StopBroadcast stops a running broadcast: its pending entries become
// skipped ("stopped"), in one transaction. Stopping one that is not running
// changes nothing and returns it as it is.
func (s *Store) StopBroadcast(ctx context.Context, id int64) (Broadcast, error) {
	var b Broadcast
	err := s.update(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBroadcasts)
		if err := getJSON(bb, itob(id), &b); err != nil {
			return err
		}
		if b.State != BroadcastRunning {
			return nil
		}
		out := tx.Bucket(bucketOutbox)
		pending := tx.Bucket(bucketOutboxPending)
		prefix := append([]byte("b"), itob(id)...)
		c := tx.Bucket(bucketOutboxOrigin).Cursor()
		now := s.now()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			entryKey := k[len(prefix):]
			if pending.Get(entryKey) == nil {
				continue
			}
			var e OutboxEntry
			if err := getJSON(out, entryKey, &e); err != nil {
				return err
			}
			e.State, e.Reason, e.DoneAt = OutboxSkipped, ReasonStopped, now
			if err := putJSON(out, entryKey, e); err != nil {
				return err
			}
			if err := pending.Delete(entryKey); err != nil {
				return err
			}
			b.Skipped++
		}
		b.State, b.FinishedAt = BroadcastStopped, now
		b.Version++
		if err := putJSON(bb, itob(id), b); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: AuditBroadcastStop, Kind: AuditObjBroadcast, ObjectID: id,
			Event: b.Audience.EventID, Details: []AuditChange{auditFact("skipped", strconv.Itoa(b.Skipped))}})
	})
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: stop broadcast %d: %w", id, err)
	}
	return b, nil
}

// BroadcastEntries returns the broadcast's outbox entries in the given
// states (all when none are given), in enqueue order.
func (s *Store) BroadcastEntries(ctx context.Context, id int64, states ...OutboxState) ([]OutboxEntry, error) {
	want := map[OutboxState]bool{}
	for _, st := range states {
		want[st] = true
	}
	var list []OutboxEntry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return forBroadcastEntries(tx, id, func(e OutboxEntry) error {
			if len(want) == 0 || want[e.State] {
				list = append(list, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: entries of broadcast %d: %w", id, err)
	}
	return list, nil
}

// forBroadcastEntries calls fn with each outbox entry of broadcast id, in
// enqueue order.
func forBroadcastEntries(tx *bolt.Tx, id int64, fn func(e OutboxEntry) error) error {
	out := tx.Bucket(bucketOutbox)
	prefix := append([]byte("b"), itob(id)...)
	c := tx.Bucket(bucketOutboxOrigin).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var e OutboxEntry
		if err := getJSON(out, k[len(prefix):], &e); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
