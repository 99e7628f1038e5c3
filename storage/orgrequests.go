package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OrgRequestState is where a request for a missing organisation is.
type OrgRequestState string

// Request states. Only a pending request can be decided.
const (
	OrgRequestPending OrgRequestState = "pending"
	// OrgRequestAdded: an admin added the organisation to the list.
	OrgRequestAdded OrgRequestState = "added"
	// OrgRequestMatched: an admin found it already in the list.
	OrgRequestMatched OrgRequestState = "matched"
	// OrgRequestRefused: an admin refused it.
	OrgRequestRefused OrgRequestState = "refused"
	// OrgRequestWithdrawn: the person made a newer request, so this one
	// no longer applies.
	OrgRequestWithdrawn OrgRequestState = "withdrawn"
)

// OrgRequest is a person's request to add an organisation they did not
// find in the list (while registering or changing their profile). Admins
// decide it once: add it, point to an existing one, or refuse.
type OrgRequest struct {
	ID     int64 `json:"id"`
	UserID int64 `json:"user_id"`
	// Name is what the person typed, as typed.
	Name string `json:"name"`
	// Contact is the person's Telegram @username, if they have one, so
	// that an admin can ask them.
	Contact string          `json:"contact,omitempty"`
	State   OrgRequestState `json:"state"`
	// OrgID is the organisation added or pointed to.
	OrgID     int64     `json:"org_id,omitempty"`
	DecidedBy int64     `json:"decided_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// ErrRequestDecided is returned by DecideOrgRequest for a request that is
// no longer pending (another admin decided it, or it was withdrawn); the
// error wraps an *OrgRequestDecidedError that holds the request.
var ErrRequestDecided = errors.New("storage: request already decided")

// OrgRequestDecidedError carries the request DecideOrgRequest found
// decided already. errors.Is(err, ErrRequestDecided) holds for it.
type OrgRequestDecidedError struct{ Request OrgRequest }

func (e *OrgRequestDecidedError) Error() string {
	return fmt.Sprintf("request %d is %s", e.Request.ID, e.Request.State)
}

// Is reports whether target is ErrRequestDecided.
func (e *OrgRequestDecidedError) Is(target error) bool { return target == ErrRequestDecided }

// CreateOrgRequest stores a new pending request of req.UserID for the
// organisation req.Name, withdraws that user's older pending ones, puts
// the user's wizard c (its step waits for the answer) and enqueues the
// notices that notify(request) returns for the admins, all in one
// transaction. notify runs inside the transaction with the request as
// stored (its ID assigned): it must only build values. It returns the
// stored request.
func (s *Store) CreateOrgRequest(ctx context.Context, req OrgRequest, c Conversation, notify func(OrgRequest) []OutboxEntry) (OrgRequest, error) {
	now := s.now()
	var entries []OutboxEntry
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrgRequests)
		if err := b.ForEach(func(k, v []byte) error {
			var old OrgRequest
			if err := jsonUnmarshal(v, &old); err != nil {
				return err
			}
			if old.UserID != req.UserID || old.State != OrgRequestPending {
				return nil
			}
			old.State, old.DecidedAt = OrgRequestWithdrawn, now
			return putJSON(b, k, old)
		}); err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		req.ID, req.State, req.CreatedAt = int64(seq), OrgRequestPending, now
		req.OrgID, req.DecidedBy, req.DecidedAt = 0, 0, time.Time{}
		if err := putJSON(b, itob(req.ID), req); err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := putJSON(tx.Bucket(bucketConvs), itob(req.UserID), c); err != nil {
			return err
		}
		entries = notify(req)
		return enqueue(tx, entries, now)
	})
	if err != nil {
		return OrgRequest{}, fmt.Errorf("storage: create organisation request of %d: %w", req.UserID, err)
	}
	if len(entries) > 0 {
		s.signalEnqueued()
	}
	return req, nil
}

// OrgRequest returns the request with id, or ErrNotFound.
func (s *Store) OrgRequest(ctx context.Context, id int64) (OrgRequest, error) {
	var req OrgRequest
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketOrgRequests), itob(id), &req)
	})
	if err != nil {
		return OrgRequest{}, fmt.Errorf("storage: organisation request %d: %w", id, err)
	}
	return req, nil
}

// OrgDecision is an admin's answer to a request.
type OrgDecision struct {
	RequestID int64
	AdminID   int64
	// State is OrgRequestAdded (New is created), OrgRequestMatched (OrgID
	// is an existing organisation) or OrgRequestRefused.
	State OrgRequestState
	New   Organisation
	OrgID int64
	// Follow builds, inside the transaction, the person's side of the
	// decision from what is stored then: the request as decided, the
	// organisation (zero when refused), the person, and their wizard (ok
	// false when they are in none). It must only build values.
	Follow func(req OrgRequest, org Organisation, u User, c Conversation, ok bool) OrgFollow
}

// OrgFollow is what a decision does for the person who asked.
type OrgFollow struct {
	// User, if set, is stored (with its OrgID, say).
	User *User
	// Conversation, if set, becomes the person's wizard; EndConversation
	// ends it instead.
	Conversation    *Conversation
	EndConversation bool
	// Notices are enqueued (what the person is told).
	Notices []OutboxEntry
}

// DecideOrgRequest applies an admin's decision in one transaction: it
// creates the organisation (for OrgRequestAdded), marks the request
// decided, and applies d.Follow's result (the person's organisation and
// wizard, and the notices). It returns the request as decided and the
// organisation. Errors: ErrNotFound for no such request or organisation,
// ErrRequestDecided (an *OrgRequestDecidedError) when it is not pending,
// ErrDuplicate when an organisation of the new name exists.
func (s *Store) DecideOrgRequest(ctx context.Context, d OrgDecision) (OrgRequest, Organisation, error) {
	now := s.now()
	var req OrgRequest
	var org Organisation
	var enqueued bool
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrgRequests)
		if err := getJSON(b, itob(d.RequestID), &req); err != nil {
			return err
		}
		if req.State != OrgRequestPending {
			return &OrgRequestDecidedError{Request: req}
		}
		switch d.State {
		case OrgRequestAdded:
			org = d.New
			if err := createOrg(tx, &org, now); err != nil {
				return err
			}
			added := orgAudit(AuditOrgCreate, org.ID)
			added.Subject = req.UserID
			if err := s.appendAudit(ctx, tx, added); err != nil {
				return err
			}
		case OrgRequestMatched:
			if err := getJSON(tx.Bucket(bucketOrgs), itob(d.OrgID), &org); err != nil {
				return fmt.Errorf("organisation %d: %w", d.OrgID, err)
			}
		case OrgRequestRefused:
		default:
			return fmt.Errorf("decision %q: not a decision", d.State)
		}
		req.State, req.OrgID, req.DecidedBy, req.DecidedAt = d.State, org.ID, d.AdminID, now
		if err := putJSON(b, itob(req.ID), req); err != nil {
			return err
		}
		if d.Follow == nil {
			return nil
		}
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), itob(req.UserID), &u); err != nil && err != ErrNotFound {
			return err
		}
		var c Conversation
		inWizard := true
		switch err := getJSON(tx.Bucket(bucketConvs), itob(req.UserID), &c); err {
		case nil:
		case ErrNotFound:
			inWizard = false
		default:
			return err
		}
		f := d.Follow(req, org, u, c, inWizard)
		if f.User != nil {
			if err := putUser(tx, *f.User, now, true); err != nil {
				return err
			}
		}
		switch {
		case f.Conversation != nil:
			f.Conversation.UpdatedAt = now
			if err := putJSON(tx.Bucket(bucketConvs), itob(req.UserID), f.Conversation); err != nil {
				return err
			}
		case f.EndConversation:
			if err := tx.Bucket(bucketConvs).Delete(itob(req.UserID)); err != nil {
				return err
			}
		}
		enqueued = len(f.Notices) > 0
		return enqueue(tx, f.Notices, now)
	})
	if err != nil {
		return req, Organisation{}, fmt.Errorf("storage: decide organisation request %d: %w", d.RequestID, err)
	}
	if enqueued {
		s.signalEnqueued()
	}
	return req, org, nil
}
