package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// AudienceRecipients resolves an audience to chats, in one read
// transaction: active registered users who have not turned announcements
// off (all of them, or those of the chosen organisations or kinds), and
// the active groups linked to those organisations (or every linked group
// for AudienceGroups). For AudienceEvent it is the active users with a
// confirmed or waitlisted registration for a.EventID, whether or not they
// turned announcements off (the message is about their own sign-up), and no
// groups; ErrNotFound when there is no such event. exclude (the author) is
// left out.
func (s *Store) AudienceRecipients(ctx context.Context, a Audience, exclude int64) ([]Recipient, error) {
	var list []Recipient
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if a.Kind == AudienceEvent {
			return eventRecipients(tx, a.EventID, exclude, &list)
		}
		orgs := map[int64]bool{}
		kinds := map[OrgKind]bool{}
		for _, k := range a.Kinds {
			kinds[k] = true
		}
		for _, id := range a.OrgIDs {
			orgs[id] = true
		}
		if a.Kind == AudienceKinds {
			if err := tx.Bucket(bucketOrgs).ForEach(func(k, v []byte) error {
				var o Organisation
				if err := jsonUnmarshal(v, &o); err != nil {
					return err
				}
				if kinds[o.Kind] {
					orgs[o.ID] = true
				}
				return nil
			}); err != nil {
				return err
			}
		}
		inAudience := func(org int64) bool {
			switch a.Kind {
			case AudienceAllTeachers:
				return true
			case AudienceKinds, AudienceOrgs:
				return orgs[org]
			}
			return false
		}
		if a.Kind != AudienceGroups {
			if err := tx.Bucket(bucketUsers).ForEach(func(_, v []byte) error {
				var u User
				if err := jsonUnmarshal(v, &u); err != nil {
					return err
				}
				if u.Registered && u.Active && !u.NoAnnouncements && u.ID != exclude && u.ChatID != 0 && inAudience(u.OrgID) {
					list = append(list, Recipient{ChatID: u.ChatID, UserID: u.ID})
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if a.Kind == AudienceAllTeachers {
			return nil
		}
		return tx.Bucket(bucketGroups).ForEach(func(_, v []byte) error {
			var g Group
			if err := jsonUnmarshal(v, &g); err != nil {
				return err
			}
			if g.Active && g.OrgID != 0 && (a.Kind == AudienceGroups || orgs[g.OrgID]) {
				list = append(list, Recipient{ChatID: g.ChatID})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: audience: %w", err)
	}
	return list, nil
}

// eventRecipients appends the event's reachable confirmed and waitlisted
// participants, other than exclude, to list.
func eventRecipients(tx *bolt.Tx, eventID, exclude int64, list *[]Recipient) error {
	if tx.Bucket(bucketEvents).Get(itob(eventID)) == nil {
		return fmt.Errorf("event %d: %w", eventID, ErrNotFound)
	}
	users := tx.Bucket(bucketUsers)
	return forEventRegs(tx, eventID, func(r Registration) error {
		if !r.active() || r.UserID == exclude {
			return nil
		}
		u, ok, err := activeUser(users, r.UserID)
		if err != nil || !ok {
			return err
		}
		*list = append(*list, Recipient{ChatID: u.ChatID, UserID: u.ID})
		return nil
	})
}
