package storage

import (
	"bytes"
	"context"
	"strconv"
)

// auditEntries moves the person's audit entries (as the actor or the
// person acted on) to their anonymous id: the entries stay, since the
// department must still answer "who cancelled that event?" (with "a
// person who has since asked to be forgotten"), but no longer name them.
// Entries store ids, not names, so the id is all there is to replace
// (also in Details' person fields, as a hand-over's previous author: every
// entry naming the person is indexed under them, auditIndexRows).
func (fg *forgetting) auditEntries() error {
	byUser := fg.tx.Bucket(bucketAuditByUser)
	entries := fg.tx.Bucket(bucketAudit)
	prefix := itob(fg.id)
	var keys [][]byte
	c := byUser.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	if len(keys) == 0 {
		return nil
	}
	anon, err := fg.anonID()
	if err != nil {
		return err
	}
	was, now := strconv.FormatInt(fg.id, 10), strconv.FormatInt(anon, 10)
	for _, k := range keys {
		ek := k[8:]
		var e AuditEntry
		if err := getJSON(entries, ek, &e); err != nil {
			return err
		}
		if e.Actor == fg.id {
			e.Actor = anon
		}
		if e.Subject == fg.id {
			e.Subject = anon
		}
		for i := range e.Details {
			c := &e.Details[i]
			if !auditPersonFields[c.Field] {
				continue // a count or a capacity that happens to equal the id is no person
			}
			if c.Before == was {
				c.Before = now
			}
			if c.After == was {
				c.After = now
			}
		}
		if err := putJSON(entries, ek, e); err != nil {
			return err
		}
		if err := byUser.Delete(k); err != nil {
			return err
		}
		if err := byUser.Put(append(itob(anon), ek...), nil); err != nil {
			return err
		}
	}
	return nil
}

// forgetAudit is the entry of a /forget: the person acts under their
// anonymous id (0 when nothing of theirs needed one), never their own;
// an actor in ctx other than the person (an admin) is kept.
func (s *Store) forgetAudit(ctx context.Context, fg *forgetting) error {
	e := AuditEntry{Action: AuditForget, Kind: AuditObjUser, ObjectID: fg.out.AnonID, Actor: fg.out.AnonID,
		Subject: fg.out.AnonID, Org: fg.user.OrgID}
	if id, ok := ActorFrom(ctx); !ok || id == fg.id {
		ctx = context.Background()
	}
	return s.appendAudit(ctx, fg.tx, e)
}
