package storage

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A user's calendar: the events they are signed up for and, for a
// coordinator, the events they organise. The bot sends it as an .ics file
// (/calendar) and serves it as a private feed that phone calendars
// subscribe to: GET <public URL>/calendar/<token>.ics, where the token is
// 32 random bytes in base64url (43 characters) and the only thing that
// names the user. A user has one token at a time; a new one (the user's
// «🔄 Новая ссылка») makes the old one open nothing.
//
// The token is looked up by its SHA-256 (cal_tokens), so that how long a
// lookup takes says nothing about the tokens stored; the user's current
// token is kept in clear beside their id (cal_feeds), to be shown to them
// again in /settings.

var (
	bucketCalTokens = []byte("cal_tokens")
	bucketCalFeeds  = []byte("cal_feeds")
)

// CalendarTokenLen is the length of a feed token: 32 bytes in unpadded
// base64url.
const CalendarTokenLen = 43

// CalendarWindow is how far back a calendar reaches: events that ended
// (or, without an end, started) up to 90 days ago stay in it, so that a
// teacher's phone keeps the term's events; older ones fall out.
const CalendarWindow = 90 * 24 * time.Hour

// ValidCalendarToken reports whether token has the form of a feed token
// (43 characters of base64url). Whether it opens a feed is another matter.
func ValidCalendarToken(token string) bool {
	if len(token) != CalendarTokenLen {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func calTokenKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func newCalendarToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CalendarToken returns userID's feed token, creating it (in one
// transaction) when the user has none yet. ErrNotFound when the user is
// not stored.
func (s *Store) CalendarToken(ctx context.Context, userID int64) (string, error) {
	var token string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		token = string(tx.Bucket(bucketCalFeeds).Get(itob(userID)))
		return nil
	})
	if err == nil && token != "" {
		return token, nil
	}
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			if v := tx.Bucket(bucketCalFeeds).Get(itob(userID)); v != nil {
				token = string(v) // made meanwhile
				return nil
			}
			var err error
			token, err = putCalendarToken(tx, userID)
			return err
		})
	}
	if err != nil {
		return "", fmt.Errorf("storage: calendar token of user %d: %w", userID, err)
	}
	return token, nil
}

// NewCalendarToken gives userID a new feed token in one transaction and
// returns it: the old one (if any) opens nothing from then on.
// ErrNotFound when the user is not stored.
func (s *Store) NewCalendarToken(ctx context.Context, userID int64) (string, error) {
	var token string
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := dropCalendarToken(tx, userID); err != nil {
			return err
		}
		var err error
		token, err = putCalendarToken(tx, userID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("storage: new calendar token of user %d: %w", userID, err)
	}
	return token, nil
}

// putCalendarToken makes and stores a new token for a stored user, who
// has none in tx.
func putCalendarToken(tx *bolt.Tx, userID int64) (string, error) {
	if tx.Bucket(bucketUsers).Get(itob(userID)) == nil {
		return "", ErrNotFound
	}
	token, err := newCalendarToken()
	if err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	if err := tx.Bucket(bucketCalTokens).Put(calTokenKey(token), itob(userID)); err != nil {
		return "", err
	}
	return token, tx.Bucket(bucketCalFeeds).Put(itob(userID), []byte(token))
}

// dropCalendarToken deletes userID's token, if any, both ways.
func dropCalendarToken(tx *bolt.Tx, userID int64) error {
	feeds := tx.Bucket(bucketCalFeeds)
	old := feeds.Get(itob(userID))
	if old == nil {
		return nil
	}
	if err := tx.Bucket(bucketCalTokens).Delete(calTokenKey(string(old))); err != nil {
		return err
	}
	return feeds.Delete(itob(userID))
}

// calendarFeed is ForgetUser's step: the person's feed token goes, so
// that the link they may have given a calendar opens nothing.
func (fg *forgetting) calendarFeed() error { return dropCalendarToken(fg.tx, fg.id) }

// CalendarEntry is one event of a user's calendar.
type CalendarEntry struct {
	Event Event
	// Registration is the user's sign-up, confirmed or on the waitlist;
	// nil for an event that is in the calendar because the user
	// organises it.
	Registration *Registration
}

// Waitlisted reports whether the user is on the event's waitlist.
func (c CalendarEntry) Waitlisted() bool {
	return c.Registration != nil && c.Registration.State == RegWaitlist
}

// CalendarFeed is a user's calendar as read in one transaction.
type CalendarFeed struct {
	User User
	// Entries are in start order (ties by event id).
	Entries []CalendarEntry
	// Orgs holds the organisers of the entries, by id.
	Orgs map[int64]Organisation
	// Modified is the latest change among what the calendar is made of:
	// the events, the user's sign-ups to them (cancelled ones included,
	// so that a sign-up cancelled moves it), their organisers and the
	// user (their language). Zero when there is nothing.
	Modified time.Time
}

// CalendarFeed returns the calendar of the user whose feed token is
// token, read in one transaction: the user's confirmed and waitlisted
// sign-ups to events that are not drafts, and the events (not drafts)
// that the user created or, for a coordinator, that their organisation
// owns or co-organises; each only if it ended (or, without an end,
// started) at or after from. A cancelled event stays in it (its status
// says so); a cancelled sign-up does not.
//
// ErrNotFound, and nothing else about anyone, for a token of the wrong
// form, a token no user has (made up, or replaced by a new one), a user
// who is not registered or has not agreed to the consent's text of
// consentVersion (an empty consentVersion accepts any consent given), and
// a user who is forgotten.
func (s *Store) CalendarFeed(ctx context.Context, token, consentVersion string, from time.Time) (CalendarFeed, error) {
	if !ValidCalendarToken(token) {
		return CalendarFeed{}, fmt.Errorf("storage: calendar feed: %w", ErrNotFound)
	}
	var feed CalendarFeed
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCalTokens).Get(calTokenKey(token))
		if len(v) != 8 {
			return ErrNotFound
		}
		userID := btoi(v)
		if !bytes.Equal(tx.Bucket(bucketCalFeeds).Get(itob(userID)), []byte(token)) {
			return ErrNotFound // a stale index row: only the current token opens the feed
		}
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), itob(userID), &u); err != nil {
			return err
		}
		if !u.Registered || !consentFor(u, consentVersion) {
			return ErrNotFound
		}
		var err error
		feed, err = calendarOf(tx, u, from)
		return err
	})
	if err != nil {
		return CalendarFeed{}, fmt.Errorf("storage: calendar feed: %w", err)
	}
	return feed, nil
}

func consentFor(u User, version string) bool {
	if version == "" {
		c, ok := u.Consent()
		return ok && c.Given
	}
	return u.ConsentGiven(version)
}

// UserCalendar returns userID's calendar, read in one transaction, by the
// rules of CalendarFeed (the caller has checked the user's consent).
// ErrNotFound when the user is not stored.
func (s *Store) UserCalendar(ctx context.Context, userID int64, from time.Time) (CalendarFeed, error) {
	var feed CalendarFeed
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var u User
		if err := getJSON(tx.Bucket(bucketUsers), itob(userID), &u); err != nil {
			return err
		}
		var err error
		feed, err = calendarOf(tx, u, from)
		return err
	})
	if err != nil {
		return CalendarFeed{}, fmt.Errorf("storage: calendar of user %d: %w", userID, err)
	}
	return feed, nil
}

// calendarStillShown reports whether e is recent enough for a calendar
// reaching back to from.
func calendarStillShown(e Event, from time.Time) bool {
	return !cmp.Or(e.End, e.Start).Before(from)
}

// calendarOf reads u's calendar inside tx.
func calendarOf(tx *bolt.Tx, u User, from time.Time) (CalendarFeed, error) {
	feed := CalendarFeed{User: u, Orgs: map[int64]Organisation{}, Modified: u.UpdatedAt}
	seen := map[int64]bool{}
	later := func(t time.Time) {
		if t.After(feed.Modified) {
			feed.Modified = t
		}
	}
	regs, events := tx.Bucket(bucketRegs), tx.Bucket(bucketEvents)
	prefix := itob(u.ID)
	c := tx.Bucket(bucketRegsByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		eventID := btoi(k[8:])
		var r Registration
		if err := getJSON(regs, regKey(eventID, u.ID), &r); err != nil {
			return CalendarFeed{}, fmt.Errorf("registration for event %d: %w", eventID, err)
		}
		var e Event
		if err := getJSON(events, itob(eventID), &e); err != nil {
			return CalendarFeed{}, fmt.Errorf("event %d: %w", eventID, err)
		}
		if e.Status == EventDraft || !calendarStillShown(e, from) {
			continue
		}
		later(r.UpdatedAt)
		if !r.active() {
			continue
		}
		later(e.UpdatedAt)
		seen[eventID] = true
		feed.Entries = append(feed.Entries, CalendarEntry{Event: e, Registration: &r})
	}
	orgID := int64(0)
	if u.Role == RoleCoordinator {
		orgID = u.OrgID
	}
	// Organised events: walked by start from a year before from, which
	// covers every event that lasts less than a year.
	byStart := tx.Bucket(bucketEventsByStart).Cursor()
	for k, _ := byStart.Seek(startKey(from.AddDate(-1, 0, 0), 0)); k != nil; k, _ = byStart.Next() {
		id := btoi(k[8:])
		if seen[id] {
			continue
		}
		var e Event
		if err := getJSON(events, k[8:], &e); err != nil {
			return CalendarFeed{}, fmt.Errorf("event %d: %w", id, err)
		}
		if e.Status == EventDraft || !calendarStillShown(e, from) || !organisedBy(e, u.ID, orgID) {
			continue
		}
		later(e.UpdatedAt)
		feed.Entries = append(feed.Entries, CalendarEntry{Event: e})
	}
	slices.SortFunc(feed.Entries, func(a, b CalendarEntry) int {
		return cmp.Or(a.Event.Start.Compare(b.Event.Start), cmp.Compare(a.Event.ID, b.Event.ID))
	})
	for _, en := range feed.Entries {
		if err := readOrgs(tx, en.Event.Organisers, feed.Orgs); err != nil {
			return CalendarFeed{}, err
		}
	}
	for _, o := range feed.Orgs {
		later(o.UpdatedAt)
	}
	return feed, nil
}
