package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group is a Telegram group chat the bot is in, optionally linked to an
// organisation: announcements addressed to the organisation go there too.
type Group struct {
	ChatID    int64     `json:"chat_id"`
	Title     string    `json:"title"`
	OrgID     int64     `json:"org_id,omitempty"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Group returns the group with chat id, or ErrNotFound.
func (s *Store) Group(ctx context.Context, chatID int64) (Group, error) {
	var g Group
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketGroups), itob(chatID), &g) })
	if err != nil {
		return Group{}, fmt.Errorf("storage: group %d: %w", chatID, err)
	}
	return g, nil
}

// PutGroup creates or replaces a group (CreatedAt is kept). A group linked
// to an organisation that does not exist is refused with ErrNotFound.
func (s *Store) PutGroup(ctx context.Context, g Group) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketGroups)
		var old Group
		switch err := getJSON(b, itob(g.ChatID), &old); err {
		case nil:
			g.CreatedAt = old.CreatedAt
		case ErrNotFound:
			g.CreatedAt = s.now()
		default:
			return err
		}
		if g.OrgID != 0 && tx.Bucket(bucketOrgs).Get(itob(g.OrgID)) == nil {
			return fmt.Errorf("organisation %d: %w", g.OrgID, ErrNotFound)
		}
		g.UpdatedAt = s.now()
		return putJSON(b, itob(g.ChatID), g)
	})
	if err != nil {
		return fmt.Errorf("storage: put group %d: %w", g.ChatID, err)
	}
	return nil
}

// SetUserActive marks a user active or not (blocked the bot). Unknown users
// are left alone.
func (s *Store) SetUserActive(ctx context.Context, userID int64, active bool) error {
	err := s.update(ctx, func(tx *bolt.Tx) error { return setRecipientActive(tx, userID, userID, active, s.now()) })
	if err != nil {
		return fmt.Errorf("storage: set user %d active: %w", userID, err)
	}
	return nil
}

func setRecipientActive(tx *bolt.Tx, chatID, userID int64, active bool, now time.Time) error {
	if userID != 0 {
		b := tx.Bucket(bucketUsers)
		var u User
		switch err := getJSON(b, itob(userID), &u); err {
		case nil:
		case ErrNotFound:
			return nil
		default:
			return err
		}
		if u.Active == active {
			return nil
		}
		u.Active, u.UpdatedAt = active, now
		return putJSON(b, itob(userID), u)
	}
	b := tx.Bucket(bucketGroups)
	var g Group
	switch err := getJSON(b, itob(chatID), &g); err {
	case nil:
	case ErrNotFound:
		return nil
	default:
		return err
	}
	if g.Active == active {
		return nil
	}
	g.Active, g.UpdatedAt = active, now
	return putJSON(b, itob(chatID), g)
}

// migrateGroup moves a group that became a supergroup to its new chat id.
func migrateGroup(tx *bolt.Tx, oldID, newID int64, now time.Time) error {
	b := tx.Bucket(bucketGroups)
	var g Group
	switch err := getJSON(b, itob(oldID), &g); err {
	case nil:
	case ErrNotFound:
		return nil
	default:
		return err
	}
	if err := b.Delete(itob(oldID)); err != nil {
		return err
	}
	g.ChatID, g.UpdatedAt = newID, now
	return putJSON(b, itob(newID), g)
}

// MigrateGroup moves a group to its new chat id (a group that became a
// supergroup).
func (s *Store) MigrateGroup(ctx context.Context, oldID, newID int64) error {
	err := s.update(ctx, func(tx *bolt.Tx) error { return migrateGroup(tx, oldID, newID, s.now()) })
	if err != nil {
		return fmt.Errorf("storage: migrate group %d: %w", oldID, err)
	}
	return nil
}
