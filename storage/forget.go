package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Forgetting a person (/forget) erases their personal data and keeps what
// the district's reports count. Their registrations are kept under an
// anonymous id, a negative number (Telegram's user ids are positive) taken
// from a sequence in the meta bucket, one per forgotten person, so that a
// report still counts one teacher once: the event, the state, the team's
// size (the pupils' count), the organisation, attendance, the result and
// the times stay; the application (phone, pupils, answers, works) and the
// team's name go. Events and broadcasts they made keep their figures and
// point to the anonymous id.

// keyAnonSeq is the meta key of the last anonymous id given (as a
// positive uint64 BE; the id is its negative).
var keyAnonSeq = []byte("anon_seq")

// Errors of ForgetUser.
var (
	// ErrAuthorOfEvents is wrapped by an *AuthorError: the user is the
	// author of events that are drafts or published, which must first be
	// handed over (HandOverEvent) or cancelled.
	ErrAuthorOfEvents = errors.New("storage: author of events in progress")
	// ErrBroadcastRunning is returned by ForgetUser while a broadcast the
	// user sent is still being delivered.
	ErrBroadcastRunning = errors.New("storage: a broadcast of the user is being sent")
)

// AuthorError lists the events (drafts and published ones) whose author
// the user is, as ForgetUser read them. It wraps ErrAuthorOfEvents.
type AuthorError struct{ Events []Event }

func (e *AuthorError) Error() string {
	return fmt.Sprintf("%v: %d events", ErrAuthorOfEvents, len(e.Events))
}

// Unwrap returns ErrAuthorOfEvents.
func (e *AuthorError) Unwrap() error { return ErrAuthorOfEvents }

// Forget says how ForgetUser renders what it changes. Like Notify, its
// functions run inside the transaction: compute only.
type Forget struct {
	// Erased replaces the person's name, phones, pupils' names and
	// @username wherever they appear in the stored texts of messages to
	// other people (a coordinator's summary, an admin's notice, a
	// broadcast's signature): «участник удалил данные».
	Erased string
	// Names are other forms of the person's name the caller's messages
	// use (a short «Иванова М. П.»), replaced as the full name is.
	Names []string
	// Promoted renders the notice to the teacher promoted from a waitlist
	// when a seat the person held at an upcoming event is freed; nil
	// enqueues none.
	Promoted Notify
}

// Forgotten is what ForgetUser did.
type Forgotten struct {
	// AnonID is the anonymous id the person's registrations, events and
	// broadcasts now carry; 0 when nothing needed one.
	AnonID int64
	// Registrations is how many registrations were kept under AnonID.
	Registrations int
	// Cancelled are the events whose sign-up (confirmed or waitlisted)
	// was cancelled because the event had not started.
	Cancelled []int64
	// Promoted are the registrations confirmed from a waitlist in their
	// place.
	Promoted []Registration
	// Deleted is how many outbox entries addressed to the person were
	// deleted; Scrubbed how many texts to other people were changed.
	Deleted, Scrubbed int
}

// ForgetUser erases userID's personal data in one transaction, deciding
// every refusal before the first write:
//
//   - an *AuthorError (ErrAuthorOfEvents) while they are the author of
//     events that are drafts or published;
//   - ErrBroadcastRunning while a broadcast of theirs is being delivered.
//
// Otherwise, at the store's now:
//
//   - their confirmed or waitlisted sign-ups to published events that have
//     not started are cancelled, each freed seat going to the first in
//     line (told through the outbox by f.Promoted), as CancelRegistration
//     does;
//   - every registration of theirs (any state) moves to the anonymous id
//     (Forgotten.AnonID), keeping EventID, State, WaitSeq, TeamSize, OrgID
//     (the user's organisation is filled in when the registration
//     predates it), CreatedAt, UpdatedAt, Attended and Result, and
//     dropping Application and TeamName; the indexes (regs_by_user,
//     regs_by_time, waitlist) move with it, the application's key in
//     regs_changed goes with the application;
//   - their certificates stay, moved to the anonymous id, with the
//     recipient's name replaced by f.Erased and the team's and pupils'
//     names dropped; certificates they issued point to the anonymous id;
//   - events they authored (finished or cancelled) and broadcasts they
//     sent point to the anonymous id; a broadcast's author chat and source
//     are cleared (its final report, if not sent yet, is not sent: nobody
//     is left to read it), and an event's description and a broadcast's
//     preview have the strings below replaced;
//   - the user record and its organisation index, their calendar feed
//     token (its link then opens nothing), their wizard and parked
//     drafts, the outbox entries addressed to them (pending ones of a
//     broadcast count as skipped), their updates still in the inbox,
//     invitations made by them and organisation requests made by them are
//     deleted; invitations used and requests decided by them point to the
//     anonymous id;
//   - in every other outbox entry their name (and f.Names), the phones
//     and pupils' names they entered and their @username are replaced by
//     f.Erased in the text, the buttons and the media's captions; a
//     mention of them (tg://user?id=…) loses its link; the works they
//     submitted are dropped from its media (a pending entry left with
//     nothing to send is skipped, ReasonErased); and a copy of a message
//     from their chat forgets that chat.
//
// A person unknown to the store is not an error: whatever else is kept
// about them is erased all the same.
func (s *Store) ForgetUser(ctx context.Context, userID int64, f Forget) (Forgotten, error) {
	if userID <= 0 {
		return Forgotten{}, fmt.Errorf("storage: forget user %d: not a Telegram user id", userID)
	}
	now := s.now()
	var out Forgotten
	err := s.update(ctx, func(tx *bolt.Tx) error {
		out = Forgotten{}
		fg := &forgetting{tx: tx, id: userID, f: f, now: now, out: &out}
		if err := fg.run(); err != nil {
			return err
		}
		return s.forgetAudit(ctx, fg)
	})
	if err != nil {
		return Forgotten{}, fmt.Errorf("storage: forget user %d: %w", userID, err)
	}
	if len(out.Promoted) > 0 {
		s.signalEnqueued()
	}
	return out, nil
}

// forgetting is one ForgetUser's work inside its transaction.
type forgetting struct {
	tx   *bolt.Tx
	id   int64
	f    Forget
	now  time.Time
	out  *Forgotten
	user User
	// erase are the strings replaced in other people's texts, longest
	// first.
	erase []string
	// files are the file_ids of the works the person submitted: other
	// people's messages (a coordinator's albums of works) lose them.
	files map[string]bool
}

func (fg *forgetting) run() error {
	fg.files = map[string]bool{}
	switch err := getJSON(fg.tx.Bucket(bucketUsers), itob(fg.id), &fg.user); {
	case errors.Is(err, ErrNotFound):
		fg.user = User{ID: fg.id}
	case err != nil:
		return fmt.Errorf("user: %w", err)
	}
	if err := fg.refusals(); err != nil {
		return err
	}
	steps := []func() error{fg.registrations, fg.certificates, fg.orgRequests, fg.outbox, fg.broadcasts, fg.events,
		fg.invites, fg.conversations, fg.inbox, fg.calendarFeed, fg.auditEntries, fg.userRecord}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// refusals decides, before any write, whether the person may be forgotten.
func (fg *forgetting) refusals() error {
	var authored []Event
	if err := fg.tx.Bucket(bucketEvents).ForEach(func(_, v []byte) error {
		var e Event
		if err := jsonUnmarshal(v, &e); err != nil {
			return err
		}
		if e.CreatedBy == fg.id && (e.Status == EventDraft || e.Status == EventPublished) {
			authored = append(authored, e)
		}
		return nil
	}); err != nil {
		return err
	}
	if len(authored) > 0 {
		slices.SortStableFunc(authored, func(a, b Event) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
		return &AuthorError{Events: authored}
	}
	return fg.tx.Bucket(bucketBroadcasts).ForEach(func(_, v []byte) error {
		var b Broadcast
		if err := jsonUnmarshal(v, &b); err != nil {
			return err
		}
		if b.AuthorID == fg.id && b.State == BroadcastRunning {
			return ErrBroadcastRunning
		}
		return nil
	})
}

// anonID returns the person's anonymous id, taking the next one from the
// sequence on first use.
func (fg *forgetting) anonID() (int64, error) {
	if fg.out.AnonID != 0 {
		return fg.out.AnonID, nil
	}
	meta := fg.tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keyAnonSeq); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	if err := meta.Put(keyAnonSeq, itob(int64(n))); err != nil {
		return 0, err
	}
	fg.out.AnonID = -int64(n)
	return fg.out.AnonID, nil
}

// keep adds s to the strings erased from other people's texts.
func (fg *forgetting) keep(s string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) < 3 || slices.Contains(fg.erase, s) {
		return
	}
	fg.erase = append(fg.erase, s)
}

// registrations cancels the sign-ups to events not yet started and moves
// every registration to the anonymous id.
func (fg *forgetting) registrations() error {
	fg.keep(fg.user.FullName)
	for _, n := range fg.f.Names {
		fg.keep(n)
	}
	prefix := itob(fg.id)
	var eventIDs []int64
	c := fg.tx.Bucket(bucketRegsByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		eventIDs = append(eventIDs, btoi(k[8:]))
	}
	regs, events := fg.tx.Bucket(bucketRegs), fg.tx.Bucket(bucketEvents)
	byUser, byTime, wl := fg.tx.Bucket(bucketRegsByUser), fg.tx.Bucket(bucketRegsByTime), fg.tx.Bucket(bucketWaitlist)
	for _, eventID := range eventIDs {
		var r Registration
		switch err := getJSON(regs, regKey(eventID, fg.id), &r); {
		case errors.Is(err, ErrNotFound):
			if err := byUser.Delete(userRegKey(fg.id, eventID)); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("registration for event %d: %w", eventID, err)
		}
		var e Event
		if err := getJSON(events, itob(eventID), &e); err != nil {
			return fmt.Errorf("event %d: %w", eventID, err)
		}
		if r.active() && e.Status == EventPublished && fg.now.Before(e.Start) {
			p, _, err := cancelRegistration(fg.tx, eventID, fg.id, "", fg.f.Promoted, fg.now)
			if err != nil {
				return fmt.Errorf("cancel sign-up to event %d: %w", eventID, err)
			}
			if p != nil {
				fg.out.Promoted = append(fg.out.Promoted, *p)
			}
			fg.out.Cancelled = append(fg.out.Cancelled, eventID)
			if err := getJSON(regs, regKey(eventID, fg.id), &r); err != nil {
				return err
			}
		}
		if a := r.Application; a != nil {
			fg.keep(a.Phone)
			for _, p := range a.Pupils {
				fg.keep(p.Name)
			}
			for _, w := range a.Works {
				fg.files[w.FileID] = true
			}
			if !a.ChangedAt.IsZero() {
				if err := fg.tx.Bucket(bucketRegsChanged).Delete(regTimeKey(a.ChangedAt, eventID, fg.id)); err != nil {
					return err
				}
			}
		}
		anon, err := fg.anonID()
		if err != nil {
			return err
		}
		oldTime := regTimeKey(r.CreatedAt, eventID, fg.id)
		r.UserID, r.Application, r.TeamName, r.ResultNotice = anon, nil, "", 0
		if r.OrgID == 0 && fg.user.OrgID != 0 {
			// A sign-up older than Registration.OrgID: the report counts
			// it by the organisation the person had, kept here.
			r.OrgID = fg.user.OrgID
			if r.active() {
				if err := addOrgActive(fg.tx, eventID, r.OrgID, 1); err != nil {
					return err
				}
			}
		}
		if err := deleteReg(fg.tx, eventID, fg.id); err != nil {
			return err
		}
		if err := putReg(fg.tx, r); err != nil {
			return err
		}
		if err := byUser.Delete(userRegKey(fg.id, eventID)); err != nil {
			return err
		}
		if err := byUser.Put(userRegKey(anon, eventID), nil); err != nil {
			return err
		}
		if byTime.Get(oldTime) != nil {
			if err := byTime.Delete(oldTime); err != nil {
				return err
			}
			if err := byTime.Put(regTimeKey(r.CreatedAt, eventID, anon), nil); err != nil {
				return err
			}
		}
		if r.State == RegWaitlist && r.WaitSeq != 0 {
			if v := wl.Get(waitKey(eventID, r.WaitSeq)); v != nil && btoi(v) == fg.id {
				if err := wl.Put(waitKey(eventID, r.WaitSeq), itob(anon)); err != nil {
					return err
				}
			}
		}
		fg.out.Registrations++
	}
	return nil
}

// certificates keeps the person's certificates as counts: what they print
// of the person (their name, their pupils' names, the team's name)
// becomes f.Erased or goes, and they move to the anonymous id, as the
// registrations do; certificates the person issued point to it too. The
// numbers, kinds, places, school and event stay, so a verification still
// answers that the document was issued, and to whom no longer.
func (fg *forgetting) certificates() error {
	held, err := userCertificates(fg.tx, fg.id)
	if err != nil {
		return err
	}
	certs, byUser := fg.tx.Bucket(bucketCertificates), fg.tx.Bucket(bucketCertificatesByUser)
	for _, c := range held {
		for _, p := range c.Pupils {
			fg.keep(p)
		}
		fg.keep(c.Recipient)
		anon, err := fg.anonID()
		if err != nil {
			return err
		}
		if err := byUser.Delete(certUserKey(fg.id, c.ID)); err != nil {
			return err
		}
		c.UserID, c.Recipient, c.Team, c.Pupils = anon, fg.f.Erased, "", nil
		if c.IssuedBy == fg.id {
			c.IssuedBy = anon
		}
		if err := putJSON(certs, itob(c.ID), c); err != nil {
			return err
		}
		if err := byUser.Put(certUserKey(anon, c.ID), nil); err != nil {
			return err
		}
	}
	return dropOrRepoint(fg, bucketCertificates, func(c *Certificate) recordFate {
		if c.IssuedBy == fg.id {
			return recordRepoint
		}
		return recordKeep
	}, func(c *Certificate, anon int64) { c.IssuedBy = anon })
}

// orgRequests deletes the person's requests for a missing organisation
// (their @username goes on the erased list: the admins' notices carry it)
// and points the ones they decided to the anonymous id.
func (fg *forgetting) orgRequests() error {
	return dropOrRepoint(fg, bucketOrgRequests, func(r *OrgRequest) recordFate {
		switch {
		case r.UserID == fg.id:
			fg.keep(r.Contact)
			return recordDrop
		case r.DecidedBy == fg.id:
			return recordRepoint
		}
		return recordKeep
	}, func(r *OrgRequest, anon int64) { r.DecidedBy = anon })
}

// recordFate is what /forget does to one record of another person's or
// the district's: keep it, delete it, or point it to the anonymous id.
type recordFate int

const (
	recordKeep recordFate = iota
	recordDrop
	recordRepoint
)

// dropOrRepoint walks a bucket of JSON records of T: a record fate says to
// drop is deleted, one it says to repoint is rewritten under its own key
// after repoint sets the anonymous id in it.
func dropOrRepoint[T any](fg *forgetting, bucket []byte, fate func(*T) recordFate, repoint func(*T, int64)) error {
	b := fg.tx.Bucket(bucket)
	type record struct {
		key []byte
		rec T
	}
	var drop [][]byte
	var moved []record
	if err := b.ForEach(func(k, v []byte) error {
		var rec T
		if err := jsonUnmarshal(v, &rec); err != nil {
			return err
		}
		switch fate(&rec) {
		case recordDrop:
			drop = append(drop, bytes.Clone(k))
		case recordRepoint:
			moved = append(moved, record{bytes.Clone(k), rec})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for _, m := range moved {
		anon, err := fg.anonID()
		if err != nil {
			return err
		}
		repoint(&m.rec, anon)
		if err := putJSON(b, m.key, m.rec); err != nil {
			return err
		}
	}
	return nil
}

// outbox deletes the entries addressed to the person and scrubs the
// others.
func (fg *forgetting) outbox() error {
	slices.SortStableFunc(fg.erase, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	out := fg.tx.Bucket(bucketOutbox)
	pending := fg.tx.Bucket(bucketOutboxPending)
	var entries []OutboxEntry
	if err := out.ForEach(func(_, v []byte) error {
		var e OutboxEntry
		if err := jsonUnmarshal(v, &e); err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	}); err != nil {
		return err
	}
	for _, e := range entries {
		key := itob(e.ID)
		isPending := pending.Get(key) != nil
		if e.UserID == fg.id || e.ChatID == fg.id {
			if isPending {
				if err := pending.Delete(key); err != nil {
					return err
				}
				if e.Origin.Kind == OriginBroadcast {
					if err := countBroadcast(fg.tx, e.Origin.ID, OutboxSkipped, fg.now); err != nil && !errors.Is(err, ErrNotFound) {
						return err
					}
				}
			}
			if e.Origin.Kind == OriginBroadcast {
				if err := fg.tx.Bucket(bucketOutboxOrigin).Delete(broadcastEntryKey(e.Origin.ID, e.ID)); err != nil {
					return err
				}
			}
			if err := out.Delete(key); err != nil {
				return err
			}
			fg.out.Deleted++
			continue
		}
		changed := false
		if e.Content.CopyFromChat == fg.id {
			if isPending {
				// Not reached while their broadcast runs (refused); a
				// copy from their chat cannot be sent once it is gone.
				e.State, e.Reason, e.DoneAt = OutboxSkipped, ReasonStopped, fg.now
				if err := pending.Delete(key); err != nil {
					return err
				}
				if e.Origin.Kind == OriginBroadcast {
					if err := countBroadcast(fg.tx, e.Origin.ID, OutboxSkipped, fg.now); err != nil && !errors.Is(err, ErrNotFound) {
						return err
					}
				}
			}
			e.Content.CopyFromChat, changed = 0, true
		}
		if text := fg.scrub(e.Content.Text); text != e.Content.Text {
			e.Content.Text, changed = text, true
		}
		if media, mediaChanged := fg.scrubMedia(e.Content.Media); mediaChanged {
			e.Content.Media, changed = media, true
			if isPending && len(media) == 0 && e.Content.Text == "" && !e.Content.IsCopy() {
				// Nothing left to send: the album was all theirs.
				e.State, e.Reason, e.DoneAt = OutboxSkipped, ReasonErased, fg.now
				if err := pending.Delete(key); err != nil {
					return err
				}
				if e.Origin.Kind == OriginBroadcast {
					if err := countBroadcast(fg.tx, e.Origin.ID, OutboxSkipped, fg.now); err != nil && !errors.Is(err, ErrNotFound) {
						return err
					}
				}
			}
		}
		for i, row := range e.Content.Buttons {
			for j, btn := range row {
				if text := fg.scrub(btn.Text); text != btn.Text {
					e.Content.Buttons[i][j].Text, changed = text, true
				}
			}
		}
		if changed {
			if err := putJSON(out, key, e); err != nil {
				return err
			}
			fg.out.Scrubbed++
		}
	}
	return nil
}

// scrub replaces the person's strings in an HTML text and unlinks a
// mention of them.
func (fg *forgetting) scrub(text string) string {
	if text == "" {
		return text
	}
	text = unlinkMention(text, fg.id)
	for _, s := range fg.erase {
		text = strings.ReplaceAll(text, s, fg.f.Erased)
		if esc := html.EscapeString(s); esc != s {
			text = strings.ReplaceAll(text, esc, html.EscapeString(fg.f.Erased))
		}
	}
	return text
}

// scrubMedia drops the person's works from media and scrubs the captions
// of the rest; changed reports whether anything changed.
func (fg *forgetting) scrubMedia(media []Media) (out []Media, changed bool) {
	for _, m := range media {
		if fg.files[m.FileID] {
			changed = true
			continue
		}
		if c := fg.scrub(m.Caption); c != m.Caption {
			m.Caption, changed = c, true
		}
		out = append(out, m)
	}
	if !changed {
		return media, false
	}
	return out, true
}

// unlinkMention turns every link to user id's profile in an HTML text
// (<a href="tg://user?id=…">name</a>) into its plain (italic) text.
func unlinkMention(text string, id int64) string {
	open := `<a href="tg://user?id=` + strconv.FormatInt(id, 10) + `">`
	for {
		i := strings.Index(text, open)
		if i < 0 {
			return text
		}
		rest := text[i+len(open):]
		j := strings.Index(rest, "</a>")
		if j < 0 {
			return text[:i] + "<i>" + rest + "</i>"
		}
		text = text[:i] + "<i>" + rest[:j] + "</i>" + rest[j+len("</a>"):]
	}
}

// broadcasts points the person's broadcasts to the anonymous id.
func (fg *forgetting) broadcasts() error {
	bb := fg.tx.Bucket(bucketBroadcasts)
	var mine []Broadcast
	if err := bb.ForEach(func(_, v []byte) error {
		var b Broadcast
		if err := jsonUnmarshal(v, &b); err != nil {
			return err
		}
		if b.AuthorID == fg.id {
			mine = append(mine, b)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, b := range mine {
		anon, err := fg.anonID()
		if err != nil {
			return err
		}
		b.AuthorID, b.AuthorChat, b.Preview = anon, 0, fg.scrub(b.Preview)
		if b.SourceChat == fg.id {
			b.SourceChat = 0
		}
		if !b.Reported {
			b.Reported = true
			if err := fg.tx.Bucket(bucketBroadcastsActive).Delete(itob(b.ID)); err != nil {
				return err
			}
		}
		if err := putJSON(bb, itob(b.ID), b); err != nil {
			return err
		}
	}
	return nil
}

// events points the events the person authored (finished or cancelled:
// refusals saw to the others) to the anonymous id.
func (fg *forgetting) events() error {
	events := fg.tx.Bucket(bucketEvents)
	var mine []Event
	if err := events.ForEach(func(_, v []byte) error {
		var e Event
		if err := jsonUnmarshal(v, &e); err != nil {
			return err
		}
		if e.CreatedBy == fg.id {
			mine = append(mine, e)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, e := range mine {
		anon, err := fg.anonID()
		if err != nil {
			return err
		}
		e.CreatedBy = anon
		if d := fg.scrubPlain(e.Description); d != e.Description {
			e.Description = d
			e.touch(fg.now) // calendars take the new text
		}
		if err := putEvent(fg.tx, e); err != nil {
			return err
		}
	}
	return nil
}

// scrubPlain replaces the person's strings in a plain text.
func (fg *forgetting) scrubPlain(text string) string {
	for _, s := range fg.erase {
		text = strings.ReplaceAll(text, s, fg.f.Erased)
	}
	return text
}

// invites deletes the invitations the person made and points the ones
// they used to the anonymous id.
func (fg *forgetting) invites() error {
	return dropOrRepoint(fg, bucketInvites, func(inv *Invite) recordFate {
		switch {
		case inv.CreatedBy == fg.id:
			return recordDrop
		case inv.UsedBy == fg.id:
			return recordRepoint
		}
		return recordKeep
	}, func(inv *Invite, anon int64) { inv.UsedBy = anon })
}

// conversations deletes the person's wizard and parked drafts: every key
// that begins with their id.
func (fg *forgetting) conversations() error {
	return deletePrefix(fg.tx.Bucket(bucketConvs), itob(fg.id))
}

// inbox deletes the person's updates still waiting to be handled (the
// one being handled, /forget's own confirmation, among them).
func (fg *forgetting) inbox() error {
	b := fg.tx.Bucket(bucketInbox)
	var drop [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if updateSender(v) == fg.id {
			drop = append(drop, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// updateSender is the id of the user who sent an update (its JSON), or 0.
func updateSender(data []byte) int64 {
	type from struct {
		From struct {
			ID int64 `json:"id"`
		} `json:"from"`
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	}
	var u struct {
		Message       *from `json:"message"`
		EditedMessage *from `json:"edited_message"`
		CallbackQuery *from `json:"callback_query"`
		MyChatMember  *from `json:"my_chat_member"`
	}
	if json.Unmarshal(data, &u) != nil {
		return 0
	}
	for _, f := range []*from{u.Message, u.EditedMessage, u.CallbackQuery, u.MyChatMember} {
		if f != nil {
			if f.From.ID != 0 {
				return f.From.ID
			}
			return f.Chat.ID
		}
	}
	return 0
}

// userRecord deletes the user and its organisation index.
func (fg *forgetting) userRecord() error {
	if fg.user.OrgID != 0 {
		if err := fg.tx.Bucket(bucketOrgUser).Delete(orgUserKey(fg.user.OrgID, fg.id)); err != nil {
			return err
		}
	}
	return fg.tx.Bucket(bucketUsers).Delete(itob(fg.id))
}

// deletePrefix deletes every key of b that begins with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
