package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Invite is a one-time invitation that makes whoever opens it a coordinator.
type Invite struct {
	Code      string    `json:"code"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedBy    int64     `json:"used_by,omitempty"`
	UsedAt    time.Time `json:"used_at,omitzero"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// Pending reports whether the invite can still be used at now.
func (i Invite) Pending(now time.Time) bool {
	return i.UsedBy == 0 && !i.Revoked && now.Before(i.ExpiresAt)
}

// CreateInvite stores a new invitation.
func (s *Store) CreateInvite(ctx context.Context, inv Invite) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		if b.Get([]byte(inv.Code)) != nil {
			return fmt.Errorf("code exists: %w", ErrDuplicate)
		}
		if err := putJSON(b, []byte(inv.Code), inv); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: AuditInviteCreate, Kind: AuditObjInvite, Note: inv.Code})
	})
	if err != nil {
		return fmt.Errorf("storage: create invite: %w", err)
	}
	return nil
}

// RedeemInvite uses the invitation for the stored user userID and makes
// them a coordinator, in one transaction. It returns ErrNotFound for an
// unknown code or user, ErrInviteUsed for one used or revoked, and
// ErrInviteExpired past its expiry.
func (s *Store) RedeemInvite(ctx context.Context, code string, userID int64) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		var inv Invite
		if err := getJSON(b, []byte(code), &inv); err != nil {
			return err
		}
		now := s.now()
		switch {
		case inv.UsedBy != 0 || inv.Revoked:
			return ErrInviteUsed
		case !now.Before(inv.ExpiresAt):
			return ErrInviteExpired
		}
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), itob(userID), &u); err != nil {
			return err
		}
		u.Role = RoleCoordinator
		if err := putUser(tx, u, now, false); err != nil {
			return err
		}
		inv.UsedBy, inv.UsedAt = userID, now
		if err := putJSON(b, []byte(code), inv); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: AuditInviteUse, Kind: AuditObjInvite, Note: code,
			Subject: userID, Org: u.OrgID, Details: []AuditChange{auditFact("role", string(RoleCoordinator))}})
	})
	if err != nil {
		return fmt.Errorf("storage: redeem invite: %w", err)
	}
	return nil
}

// PendingInvites returns the invitations still usable now, newest first.
func (s *Store) PendingInvites(ctx context.Context) ([]Invite, error) {
	var list []Invite
	now := s.now()
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInvites).ForEach(func(_, v []byte) error {
			var inv Invite
			if err := jsonUnmarshal(v, &inv); err != nil {
				return err
			}
			if inv.Pending(now) {
				list = append(list, inv)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: pending invites: %w", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].CreatedAt.After(list[j].CreatedAt) })
	return list, nil
}

// RevokeInvite makes an invitation unusable. ErrNotFound for an unknown code.
func (s *Store) RevokeInvite(ctx context.Context, code string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		var inv Invite
		if err := getJSON(b, []byte(code), &inv); err != nil {
			return err
		}
		if inv.Revoked {
			return nil
		}
		inv.Revoked = true
		if err := putJSON(b, []byte(code), inv); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: AuditInviteRevoke, Kind: AuditObjInvite, Note: code})
	})
	if err != nil {
		return fmt.Errorf("storage: revoke invite: %w", err)
	}
	return nil
}

// Invite returns the invitation with code, or ErrNotFound.
func (s *Store) Invite(ctx context.Context, code string) (Invite, error) {
	var inv Invite
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketInvites), []byte(code), &inv) })
	if err != nil {
		return Invite{}, fmt.Errorf("storage: invite: %w", err)
	}
	return inv, nil
}
