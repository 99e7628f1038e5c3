package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Where each certificate's delivery to its teacher stands, read from its
// outbox entry: so that the coordinator learns whose paper did not reach
// them (to print it), and a teacher asking for hers again is not sent one
// the outbox is about to send.

// DeliveryState is where a certificate's delivery stands.
type DeliveryState string

// Delivery states.
const (
	// DeliveryPending: the outbox has yet to send it.
	DeliveryPending DeliveryState = "pending"
	// DeliverySent: it reached the teacher's chat.
	DeliverySent DeliveryState = "sent"
	// DeliveryUndelivered: the teacher could not be reached — unreachable
	// when it was issued (no delivery was made), or the send failed (the
	// bot was blocked, the chat is gone…) or was skipped for that reason.
	DeliveryUndelivered DeliveryState = "undelivered"
	// DeliveryUnknown: its outbox entry has been pruned since.
	DeliveryUnknown DeliveryState = "unknown"
)

// CertificateDelivery is a valid certificate with where its delivery
// stands.
type CertificateDelivery struct {
	Certificate Certificate
	State       DeliveryState
	// Reason says why it is undelivered ("" when it was never sent out:
	// the teacher was unreachable at issue).
	Reason Reason
}

// CertificateDeliveries returns, in issue order, the valid certificates
// of the event held by people not forgotten — only userID's when userID
// is not 0 (read through the user's index: a card's cost) — each with
// where its delivery stands, read in one transaction.
func (s *Store) CertificateDeliveries(ctx context.Context, eventID, userID int64) ([]CertificateDelivery, error) {
	var list []CertificateDelivery
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list = nil
		out := tx.Bucket(bucketOutbox)
		walk := func(fn func(Certificate) error) error { return forEventCertificates(tx, eventID, fn) }
		if userID != 0 {
			walk = func(fn func(Certificate) error) error {
				held, err := userCertificates(tx, userID)
				for i := 0; err == nil && i < len(held); i++ {
					err = fn(held[i])
				}
				return err
			}
		}
		return walk(func(c Certificate) error {
			if c.Revoked() || c.UserID <= 0 || c.EventID != eventID {
				return nil
			}
			d := CertificateDelivery{Certificate: c, State: DeliveryUndelivered}
			if c.Notice != 0 {
				var e OutboxEntry
				switch err := getJSON(out, itob(c.Notice), &e); {
				case err == nil:
					d.State, d.Reason = deliveryOf(e)
				case IsNotFound(err):
					d.State = DeliveryUnknown
				default:
					return fmt.Errorf("outbox entry %d: %w", c.Notice, err)
				}
			}
			list = append(list, d)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: certificate deliveries of event %d: %w", eventID, err)
	}
	return list, nil
}

// deliveryOf is where a delivery stands by its outbox entry.
func deliveryOf(e OutboxEntry) (DeliveryState, Reason) {
	switch e.State {
	case OutboxPending:
		return DeliveryPending, ""
	case OutboxSent:
		return DeliverySent, ""
	}
	return DeliveryUndelivered, e.Reason
}
