package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keyWebhookSecret is the meta key of the webhook's secret token.
var keyWebhookSecret = []byte("webhook_secret")

// SeenKeep is how long the ids of updates received through the webhook are
// remembered: Telegram keeps an update it could not deliver for 24 hours,
// so a second delivery comes within that; an hour more for clocks and
// retries.
const SeenKeep = 25 * time.Hour

// seenPrunePerSave bounds how many expired ids one SaveWebhookUpdate
// deletes, so that its transaction stays small after a long stop.
const seenPrunePerSave = 64

// WebhookSecret returns the webhook's secret token kept in the database,
// making a random one (32 bytes, base64url: 43 characters of A-Za-z0-9_-,
// what Telegram allows) the first time. The same secret is returned on
// every start, so that a webhook Telegram still holds keeps working.
func (s *Store) WebhookSecret(ctx context.Context) (string, error) {
	var secret string
	err := s.update(ctx, func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyWebhookSecret); v != nil {
			secret = string(v)
			return nil
		}
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		secret = base64.RawURLEncoding.EncodeToString(buf)
		return meta.Put(keyWebhookSecret, []byte(secret))
	})
	if err != nil {
		return "", fmt.Errorf("storage: webhook secret: %w", err)
	}
	return secret, nil
}

// SaveWebhookUpdate stores an update received through the webhook in the
// inbox (see SaveUpdates), unless its id was received before: fresh is
// false then and nothing changes. The id is remembered (updates_seen) for
// SeenKeep, also after the update is handled and leaves the inbox, so that
// Telegram's second delivery of an update already answered is not handled
// twice. Ids older than SeenKeep are pruned in the same transaction.
//
// Concurrent calls share commits through bbolt's Batch: with the
// webhook's 10 connections that took 1.5–2 times as many updates a second
// as a commit each (BENCHMARKS.md, "Webhook intake"), for at most 10 ms
// more (Batch's delay) on a lone update. The function may run more than
// once and sets fresh anew each time, so it is idempotent.
func (s *Store) SaveWebhookUpdate(ctx context.Context, u InboxUpdate) (fresh bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.now()
	err = s.batch(func(tx *bolt.Tx) error {
		fresh = false
		seen, seenAt := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenAt)
		if err := pruneSeen(seen, seenAt, now.Add(-SeenKeep)); err != nil {
			return err
		}
		id := itob(u.ID)
		if seen.Get(id) != nil {
			return nil
		}
		at := itob(now.UnixNano())
		if err := seen.Put(id, at); err != nil {
			return err
		}
		if err := seenAt.Put(append(at, id...), nil); err != nil {
			return err
		}
		fresh = true
		return tx.Bucket(bucketInbox).Put(id, u.Data)
	})
	if err != nil {
		return false, fmt.Errorf("storage: save webhook update %d: %w", u.ID, err)
	}
	return fresh, nil
}

// pruneSeen forgets at most seenPrunePerSave ids received before cutoff.
// The keys are collected first: deleting under a walking cursor skips keys.
func pruneSeen(seen, seenAt *bolt.Bucket, cutoff time.Time) error {
	limit := itob(cutoff.UnixNano())
	var old [][]byte
	c := seenAt.Cursor()
	for k, _ := c.First(); k != nil && len(old) < seenPrunePerSave && string(k[:8]) < string(limit); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := seenAt.Delete(k); err != nil {
			return err
		}
		if err := seen.Delete(k[8:]); err != nil {
			return err
		}
	}
	return nil
}

// SeenUpdates is how many update ids received through the webhook are
// remembered (for tests and the operator's curiosity).
func (s *Store) SeenUpdates(ctx context.Context) (int, error) {
	n := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSeen).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: seen updates: %w", err)
	}
	return n, nil
}
