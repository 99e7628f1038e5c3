package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Role is what a user may do. Admins come from the configuration and are not
// stored: a stored user is a teacher or a coordinator.
type Role string

// Stored roles.
const (
	RoleTeacher     Role = "teacher"
	RoleCoordinator Role = "coordinator"
)

// User is a person who has written to the bot.
type User struct {
	ID       int64  `json:"id"`      // Telegram user id
	ChatID   int64  `json:"chat_id"` // private chat with the bot
	FullName string `json:"full_name,omitempty"`
	OrgID    int64  `json:"org_id,omitempty"`
	Position string `json:"position,omitempty"`
	Role     Role   `json:"role"`
	Lang     string `json:"lang"`
	// Registered is set when onboarding is complete.
	Registered bool `json:"registered"`
	// Active is false once Telegram said the user blocked the bot; it is set
	// again when they write.
	Active bool `json:"active"`
	// NoAnnouncements is the teacher's choice to get no broadcasts.
	NoAnnouncements bool `json:"no_announcements,omitempty"`
	// NoDigest is the teacher's choice to get no weekly digest.
	NoDigest bool `json:"no_digest,omitempty"`
	// Consents are the user's answers to the request for consent to the
	// processing of personal data, the latest last.
	Consents  []Consent `json:"consents,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Consent returns the user's latest answer about consent, if any.
func (u User) Consent() (Consent, bool) {
	if len(u.Consents) == 0 {
		return Consent{}, false
	}
	return u.Consents[len(u.Consents)-1], true
}

// ConsentGiven reports whether the user's latest answer gave consent to
// the text of version.
func (u User) ConsentGiven(version string) bool {
	c, ok := u.Consent()
	return ok && c.Given && c.Version == version
}

// User returns the user with Telegram id, or ErrNotFound.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketUsers), itob(id), &u)
	})
	if err != nil {
		return User{}, fmt.Errorf("storage: user %d: %w", id, err)
	}
	return u, nil
}

// PutUser creates or replaces the user, keeping the organisation index in
// step. CreatedAt is kept from the stored record; UpdatedAt is set now. The
// role of an existing user is kept too: it changes only through SetRole and
// RedeemInvite, so a handler writing back a snapshot it loaded earlier
// cannot undo an admin's concurrent change. So are an existing user's
// Consents (SetConsent changes them); a new user's are stored as given.
func (s *Store) PutUser(ctx context.Context, u User) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		return putUser(tx, u, s.now(), true)
	})
	if err != nil {
		return fmt.Errorf("storage: put user %d: %w", u.ID, err)
	}
	return nil
}

// putUser writes u; keepRole keeps an existing user's stored role.
func putUser(tx *bolt.Tx, u User, now time.Time, keepRole bool) error {
	users := tx.Bucket(bucketUsers)
	idx := tx.Bucket(bucketOrgUser)
	var old User
	switch err := getJSON(users, itob(u.ID), &old); err {
	case nil:
		u.CreatedAt = old.CreatedAt
		// Consents change only through SetConsent: a handler writing back
		// a snapshot loaded before an answer cannot lose it.
		u.Consents = old.Consents
		if keepRole {
			u.Role = old.Role
		}
		if old.OrgID != 0 && old.OrgID != u.OrgID {
			if err := idx.Delete(orgUserKey(old.OrgID, u.ID)); err != nil {
				return err
			}
		}
	case ErrNotFound:
		u.CreatedAt = now
	default:
		return err
	}
	if u.Role == "" {
		u.Role = RoleTeacher
	}
	u.UpdatedAt = now
	if u.OrgID != 0 {
		if tx.Bucket(bucketOrgs).Get(itob(u.OrgID)) == nil {
			return fmt.Errorf("organisation %d: %w", u.OrgID, ErrNotFound)
		}
		if err := idx.Put(orgUserKey(u.OrgID, u.ID), nil); err != nil {
			return err
		}
	}
	return putJSON(users, itob(u.ID), u)
}

func orgUserKey(org, user int64) []byte {
	return append(itob(org), itob(user)...)
}

// Coordinators returns every user with the coordinator role, by name.
func (s *Store) Coordinators(ctx context.Context) ([]User, error) {
	return s.usersWhere(ctx, func(u User) bool { return u.Role == RoleCoordinator })
}

// Users returns every stored user, by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	return s.usersWhere(ctx, func(User) bool { return true })
}

func (s *Store) usersWhere(ctx context.Context, keep func(User) bool) ([]User, error) {
	var list []User
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(_, v []byte) error {
			var u User
			if err := jsonUnmarshal(v, &u); err != nil {
				return err
			}
			if keep(u) {
				list = append(list, u)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: users: %w", err)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].FullName < list[j].FullName })
	return list, nil
}

// SetRole changes a stored user's role. ErrNotFound if there is no such user.
func (s *Store) SetRole(ctx context.Context, userID int64, role Role) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), itob(userID), &u); err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		before := u.Role
		u.Role = role
		if err := putUser(tx, u, s.now(), false); err != nil {
			return err
		}
		action := AuditRoleGrant
		if role != RoleCoordinator {
			action = AuditRoleRevoke
		}
		return s.appendAudit(ctx, tx, AuditEntry{Action: action, Kind: AuditObjUser, ObjectID: userID, Subject: userID,
			Org: u.OrgID, Details: []AuditChange{{Field: "role", Before: string(before), After: string(role)}}})
	})
	if err != nil {
		return fmt.Errorf("storage: set role of %d: %w", userID, err)
	}
	return nil
}
