package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxState is where an outbox entry is in its life.
type OutboxState string

// Outbox states. Pending entries are in the pending index; the others are
// final.
const (
	OutboxPending OutboxState = "pending"
	OutboxSent    OutboxState = "sent"
	OutboxFailed  OutboxState = "failed"
	OutboxSkipped OutboxState = "skipped"
)

// Button is an inline button of an outbox message: callback data or a URL.
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Content is what an outbox entry delivers: an HTML text with buttons, a
// copy of an existing message (CopyFromChat, CopyMessageID; a copy's Text,
// if set, replaces the copied message's caption, HTML), or files Telegram
// holds (Media).
type Content struct {
	Text          string     `json:"text,omitempty"`
	Buttons       [][]Button `json:"buttons,omitempty"`
	CopyFromChat  int64      `json:"copy_from_chat,omitempty"`
	CopyMessageID int        `json:"copy_message_id,omitempty"`
	// Media, if set, are sent by their file_ids instead of Text: one as a
	// photo, a video or a document (with Buttons), two to MaxAlbum as one
	// album (sendMediaGroup: photos and videos together, or documents
	// alone; an album takes no buttons).
	Media []Media `json:"media,omitempty"`
	// Certificate, if set, is the id of a certificate (certificates.go)
	// that the sender prints and uploads as a PDF document at send time,
	// with Text as its caption; the PDF is never stored.
	Certificate int64 `json:"certificate,omitempty"`
}

// Media is a file Telegram holds, to send again by its file_id, with its
// caption (HTML, "" for none).
type Media struct {
	Kind    WorkKind `json:"kind"`
	FileID  string   `json:"file_id"`
	Caption string   `json:"caption,omitempty"`
}

// MaxAlbum is the most files of one album (Telegram's limit).
const MaxAlbum = 10

// Messages is how many messages c makes in the chat, as Telegram's flood
// limits count them: each file of an album, else one.
func (c Content) Messages() int {
	if len(c.Media) > 1 {
		return len(c.Media)
	}
	return 1
}

// IsCopy reports whether the content is a copy of an existing message.
func (c Content) IsCopy() bool { return c.CopyMessageID != 0 }

// Origin says why an entry exists: a broadcast (ID), a reminder or a
// notice (Key).
type Origin struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id,omitempty"`
	Key  string `json:"key,omitempty"`
}

// Origin kinds.
const (
	OriginBroadcast = "broadcast"
	OriginNotice    = "notice"
	OriginReminder  = "reminder"
)

// OutboxEntry is one message to one chat.
type OutboxEntry struct {
	ID     int64 `json:"id"`
	ChatID int64 `json:"chat_id"`
	// UserID is the recipient user, or 0 for a group chat.
	UserID  int64   `json:"user_id,omitempty"`
	Content Content `json:"content"`
	Origin  Origin  `json:"origin"`

	State     OutboxState `json:"state"`
	Attempts  int         `json:"attempts,omitempty"`
	NotBefore time.Time   `json:"not_before,omitzero"`
	MessageID int         `json:"message_id,omitempty"`
	SentAt    time.Time   `json:"sent_at,omitzero"`
	Reason    Reason      `json:"reason,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	// ExpiresAt, if set, is when the entry is no longer worth sending (a
	// reminder once its event has started): the sender skips it then.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// DueAt, for a reminder, is when it fell due (the event's start less
	// the offset): the sender measures its lateness from here.
	DueAt time.Time `json:"due_at,omitzero"`
	// DoneAt is when the entry reached its final state (sent, failed or
	// skipped): Prune counts its age from here. It is zero while the entry
	// is pending, and in entries finished before the field existed (Prune
	// then counts from SentAt, or else CreatedAt).
	DoneAt time.Time `json:"done_at,omitzero"`
}

// Group reports whether the recipient is a group chat.
func (e OutboxEntry) Group() bool { return e.UserID == 0 }

// Recipient is a chat to deliver to: a user's private chat or a group.
type Recipient struct {
	ChatID int64
	UserID int64 // 0 for a group
}

// Outcome is what happened to one send, for CompleteOutbox.
type Outcome struct {
	State     OutboxState // sent, failed or skipped; pending to retry later
	MessageID int
	Reason    Reason
	// RetryAt is when a pending entry may be tried again.
	RetryAt time.Time
	// Uncounted is set for a try that failed for no fault of the entry
	// (flood control, an outage): it does not count among its attempts.
	Uncounted bool
	// Deactivate marks the recipient inactive (blocked, kicked, chat gone).
	Deactivate bool
	// MigrateTo is a group's new chat id (it became a supergroup); the entry
	// stays pending and is sent there.
	MigrateTo int64
}

// enqueue adds entries to the outbox inside tx; ids are assigned here.
func enqueue(tx *bolt.Tx, entries []OutboxEntry, now time.Time) error {
	out := tx.Bucket(bucketOutbox)
	pending := tx.Bucket(bucketOutboxPending)
	byOrigin := tx.Bucket(bucketOutboxOrigin)
	for i := range entries {
		e := &entries[i]
		seq, err := out.NextSequence()
		if err != nil {
			return err
		}
		e.ID, e.State, e.CreatedAt = int64(seq), OutboxPending, now
		key := itob(e.ID)
		if err := putJSON(out, key, e); err != nil {
			return err
		}
		if err := pending.Put(key, nil); err != nil {
			return err
		}
		if e.Origin.Kind == OriginBroadcast {
			if err := byOrigin.Put(broadcastEntryKey(e.Origin.ID, e.ID), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func broadcastEntryKey(broadcastID, entryID int64) []byte {
	return append(append([]byte("b"), itob(broadcastID)...), itob(entryID)...)
}

// Enqueue adds entries (notices) to the outbox in one transaction.
func (s *Store) Enqueue(ctx context.Context, entries []OutboxEntry) error {
	err := s.update(ctx, func(tx *bolt.Tx) error { return enqueue(tx, entries, s.now()) })
	if err != nil {
		return fmt.Errorf("storage: enqueue: %w", err)
	}
	s.signalEnqueued()
	return nil
}

// PendingOutbox returns up to limit pending entries with ids above afterID,
// oldest first.
func (s *Store) PendingOutbox(ctx context.Context, afterID int64, limit int) ([]OutboxEntry, error) {
	var list []OutboxEntry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxPending).Cursor()
		for k, _ := c.Seek(itob(afterID + 1)); k != nil && len(list) < limit; k, _ = c.Next() {
			var e OutboxEntry
			if err := getJSON(out, k, &e); err != nil {
				return err
			}
			list = append(list, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: pending outbox: %w", err)
	}
	return list, nil
}

// OutboxEntry returns one entry, or ErrNotFound.
func (s *Store) OutboxEntry(ctx context.Context, id int64) (OutboxEntry, error) {
	var e OutboxEntry
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketOutbox), itob(id), &e) })
	if err != nil {
		return OutboxEntry{}, fmt.Errorf("storage: outbox entry %d: %w", id, err)
	}
	return e, nil
}

// CompleteOutbox records what happened to a send of entry id, and with it
// the broadcast's counters and the recipient's active flag, in one
// transaction. It goes through bbolt's Batch, so concurrent senders share
// commits; it is idempotent (an entry no longer pending is left alone), as
// Batch may run it more than once.
func (s *Store) CompleteOutbox(ctx context.Context, id int64, o Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.batch(func(tx *bolt.Tx) error { return completeOutbox(tx, id, o, s.now()) })
	if err != nil {
		return fmt.Errorf("storage: complete outbox %d: %w", id, err)
	}
	return nil
}

func completeOutbox(tx *bolt.Tx, id int64, o Outcome, now time.Time) error {
	out := tx.Bucket(bucketOutbox)
	key := itob(id)
	var e OutboxEntry
	switch err := getJSON(out, key, &e); {
	case errors.Is(err, ErrNotFound):
		// Deleted while it was being sent: its recipient asked to be
		// forgotten (ForgetUser), so there is nothing to record.
		return nil
	case err != nil:
		return err
	}
	if e.State != OutboxPending {
		// A send in flight when its broadcast was stopped reached the
		// recipient all the same: record it as sent, not as stopped.
		if e.State == OutboxSkipped && e.Reason == ReasonStopped && o.State == OutboxSent {
			e.State, e.Reason, e.MessageID, e.SentAt, e.DoneAt = OutboxSent, "", o.MessageID, now, now
			e.Attempts++
			if err := putJSON(out, key, e); err != nil {
				return err
			}
			if e.Origin.Kind == OriginBroadcast {
				return recountStopped(tx, e.Origin.ID)
			}
		}
		return nil
	}
	if !o.Uncounted {
		e.Attempts++
	}
	e.Reason = o.Reason
	if o.Deactivate {
		if err := setRecipientActive(tx, e.ChatID, e.UserID, false, now); err != nil {
			return err
		}
	}
	if o.MigrateTo != 0 {
		if err := migrateGroup(tx, e.ChatID, o.MigrateTo, now); err != nil {
			return err
		}
		e.ChatID = o.MigrateTo
	}
	if o.State == OutboxPending || o.State == "" {
		e.NotBefore = o.RetryAt
		return putJSON(out, key, e)
	}
	e.State, e.MessageID, e.DoneAt = o.State, o.MessageID, now
	if o.State == OutboxSent {
		e.SentAt = now
	}
	if err := putJSON(out, key, e); err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutboxPending).Delete(key); err != nil {
		return err
	}
	if e.Origin.Kind == OriginBroadcast {
		return countBroadcast(tx, e.Origin.ID, o.State, now)
	}
	return nil
}

// OutboxPendingCount returns how many entries wait to be sent.
func (s *Store) OutboxPendingCount(ctx context.Context) (int, error) {
	n := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutboxPending).Stats().KeyN
		return nil
	})
	return n, err
}

// ToSend re-reads entry id just before it is sent: ok is false when it is
// no longer pending or not yet due (another send or a stop got there
// first, or a retry time was set meanwhile), or no longer stored (its
// recipient was forgotten); active is false when its recipient is marked
// inactive.
func (s *Store) ToSend(ctx context.Context, id int64, now time.Time) (e OutboxEntry, ok, active bool, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		switch err := getJSON(tx.Bucket(bucketOutbox), itob(id), &e); {
		case errors.Is(err, ErrNotFound):
			e = OutboxEntry{}
			return nil
		case err != nil:
			return err
		}
		ok = e.State == OutboxPending && !e.NotBefore.After(now)
		active, err = recipientActive(tx, e)
		return err
	})
	if err != nil {
		return OutboxEntry{}, false, false, fmt.Errorf("storage: outbox entry %d: %w", id, err)
	}
	return e, ok, active, nil
}

// recipientActive reports whether e's user or group is not marked
// inactive; an unknown recipient is active.
func recipientActive(tx *bolt.Tx, e OutboxEntry) (bool, error) {
	if e.UserID != 0 {
		var u User
		switch err := getJSON(tx.Bucket(bucketUsers), itob(e.UserID), &u); err {
		case nil:
			return u.Active, nil
		case ErrNotFound:
			return true, nil
		default:
			return false, err
		}
	}
	var g Group
	switch err := getJSON(tx.Bucket(bucketGroups), itob(e.ChatID), &g); err {
	case nil:
		return g.Active, nil
	case ErrNotFound:
		return true, nil
	default:
		return false, err
	}
}
