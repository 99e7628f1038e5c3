package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Conversation is where a user is in a multi-step wizard (onboarding,
// adding an organisation, an import awaiting confirmation…). It lives in
// bbolt so that a restart of the bot in the middle of a wizard loses
// nothing: the user's next message continues where they were.
type Conversation struct {
	Flow string `json:"flow"`
	Step string `json:"step"`
	// Data is the wizard's own state; each flow decodes its own shape.
	Data      json.RawMessage `json:"data,omitempty"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Interrupted, if set, is a request that would begin another wizard
	// (a command such as "/broadcast", or a button's callback data), held
	// while the user is asked whether to leave this one; InterruptedBy is
	// the id of the update that made it, which the question's buttons
	// carry. Storing the conversation anew (the next step) drops both.
	Interrupted   string `json:"interrupted,omitempty"`
	InterruptedBy int64  `json:"interrupted_by,omitempty"`
}

// Conversation returns the user's wizard state, or ErrNotFound when the user
// is in no wizard.
func (s *Store) Conversation(ctx context.Context, userID int64) (Conversation, error) {
	var c Conversation
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketConvs), itob(userID), &c)
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("storage: conversation of %d: %w", userID, err)
	}
	return c, nil
}

// PutConversation stores the user's wizard state.
func (s *Store) PutConversation(ctx context.Context, userID int64, c Conversation) error {
	c.UpdatedAt = s.now()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketConvs), itob(userID), c)
	})
	if err != nil {
		return fmt.Errorf("storage: put conversation of %d: %w", userID, err)
	}
	return nil
}

// ClearConversation ends the user's wizard; it is not an error if there was
// none.
func (s *Store) ClearConversation(ctx context.Context, userID int64) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConvs).Delete(itob(userID))
	})
	if err != nil {
		return fmt.Errorf("storage: clear conversation of %d: %w", userID, err)
	}
	return nil
}

// SaveUserEndConversation stores u and ends u's wizard in one transaction,
// so that a finished wizard is never half-applied.
func (s *Store) SaveUserEndConversation(ctx context.Context, u User) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := putUser(tx, u, s.now(), true); err != nil {
			return err
		}
		return tx.Bucket(bucketConvs).Delete(itob(u.ID))
	})
	if err != nil {
		return fmt.Errorf("storage: save user %d: %w", u.ID, err)
	}
	return nil
}

// SaveUserConversation stores u and its wizard state in one transaction.
func (s *Store) SaveUserConversation(ctx context.Context, u User, c Conversation) error {
	c.UpdatedAt = s.now()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := putUser(tx, u, s.now(), true); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketConvs), itob(u.ID), c)
	})
	if err != nil {
		return fmt.Errorf("storage: save user %d: %w", u.ID, err)
	}
	return nil
}

// IsNotFound reports whether err is or wraps ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
