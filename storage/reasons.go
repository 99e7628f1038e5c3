package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Reason says why an outbox entry was not delivered (failed or skipped),
// or why a pending one waits. The broadcast report shows it through the
// locales (reason_<code>), so every value here has a text there.
type Reason string

// Reasons. The first group is final, about the recipient or the message;
// the second is why an entry still waits.
const (
	ReasonBlocked      Reason = "blocked"        // 403: blocked the bot, deactivated, bot removed from the group
	ReasonChatNotFound Reason = "chat_not_found" // 400 chat not found
	ReasonServer       Reason = "server_error"   // Telegram failed this message again and again while it answered others
	ReasonBadRequest   Reason = "bad_request"    // Telegram refused this message
	ReasonInactive     Reason = "inactive"       // the recipient was already marked unreachable
	ReasonStopped      Reason = "stopped"        // its broadcast was stopped
	ReasonExpired      Reason = "expired"        // too late to be worth sending (its event has started)
	ReasonReplaced     Reason = "replaced"       // a newer notice took its place before it was sent (a corrected result)
	ReasonErased       Reason = "erased"         // all it held was the data of someone forgotten since (ForgetUser)

	ReasonRetryAfter Reason = "retry_after" // waits for Telegram's flood control
	ReasonOutage     Reason = "outage"      // waits for Telegram to be reachable
)

// Reasons is every final reason a broadcast's entry may have, in the order
// a report lists them (ReasonReplaced is only ever a notice's).
var Reasons = []Reason{ReasonBlocked, ReasonChatNotFound, ReasonBadRequest, ReasonServer, ReasonInactive, ReasonStopped, ReasonExpired}

// Undelivered is a recipient a broadcast did not reach, as its author
// knows them, for the final report.
type Undelivered struct {
	// UserID and FullName name a user (FullName may be empty); a group
	// has UserID 0 and its Title.
	UserID   int64
	FullName string
	ChatID   int64
	Title    string
	Reason   Reason
}

// BroadcastUndelivered returns the recipients of broadcast id whose
// entries failed or were skipped, in enqueue order, with their names, read
// in one transaction.
func (s *Store) BroadcastUndelivered(ctx context.Context, id int64) ([]Undelivered, error) {
	var list []Undelivered
	err := s.view(ctx, func(tx *bolt.Tx) error {
		users, groups := tx.Bucket(bucketUsers), tx.Bucket(bucketGroups)
		return forBroadcastEntries(tx, id, func(e OutboxEntry) error {
			if e.State != OutboxFailed && e.State != OutboxSkipped {
				return nil
			}
			u := Undelivered{UserID: e.UserID, ChatID: e.ChatID, Reason: e.Reason}
			if e.UserID != 0 {
				var user User
				if err := getJSON(users, itob(e.UserID), &user); err == nil {
					u.FullName = user.FullName
				}
			} else {
				var g Group
				if err := getJSON(groups, itob(e.ChatID), &g); err == nil {
					u.Title = g.Title
				}
			}
			list = append(list, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: undelivered of broadcast %d: %w", id, err)
	}
	return list, nil
}
