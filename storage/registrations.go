package storage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

func regKey(eventID, userID int64) []byte     { return append(itob(eventID), itob(userID)...) }
func userRegKey(userID, eventID int64) []byte { return append(itob(userID), itob(eventID)...) }
func waitKey(eventID, seq int64) []byte       { return append(itob(eventID), itob(seq)...) }

// regTimeKey is the regs_by_time key of a sign-up made at createdAt.
func regTimeKey(createdAt time.Time, eventID, userID int64) []byte {
	return append(append(itob(createdAt.UnixNano()), itob(eventID)...), itob(userID)...)
}

// active reports whether the registration holds a seat or a place in line.
func (r Registration) active() bool { return r.State == RegConfirmed || r.State == RegWaitlist }

// Register signs su.UserID up for su.EventID at time now, deciding seat or
// waitlist in one write transaction, and returns the registration:
//
//   - ErrNotFound (wrapped) when there is no such event;
//   - ErrSignUpClosed when the event is not published or now is not before
//     its SignUpClosesAt (so at the deadline itself sign-up is closed);
//   - ErrAlreadyRegistered when the user is confirmed or waitlisted already
//     (a cancelled registration is replaced: a new one, a new CreatedAt);
//   - ErrTeamTooLarge when su.TeamSize is negative or above the event's
//     TeamLimit as stored now (a coordinator may have lowered it while the
//     teacher was choosing);
//   - for an event with a Form: an *ApplicationError when su.Application
//     does not fit the form as stored now (checkApplication), ErrWorksClosed
//     or ErrWorksFull for works it may not hold now, and a *QuotaError when
//     the user's organisation already has Form.OrgQuota active sign-ups;
//     for a form that lists pupils the team size is their count
//     (su.TeamSize is ignored);
//   - otherwise State RegConfirmed when a seat is free (Capacity 0 is no
//     limit) and nobody waits (Taken goes up), or RegWaitlist at the end of
//     the line with a new WaitSeq (Waiting goes up). A newcomer is never
//     seated ahead of the waitlist: while anyone waits, newcomers wait too,
//     even if a seat is free (that seat is the first waiter's).
//
// Concurrent calls are merged into shared commits by bbolt's Batch, so a
// burst of sign-ups costs a few fsyncs rather than one each; when many race
// for the last seat exactly one gets it. A refusal does not fail the shared
// commit: it is carried out of the batch function, which returns nil.
func (s *Store) Register(ctx context.Context, su SignUp, now time.Time) (Registration, error) {
	if err := ctx.Err(); err != nil {
		return Registration{}, err
	}
	var (
		reg     Registration
		refused error
	)
	// Batch may run this more than once (when another function in the same
	// batch fails, all are retried): it sets reg and refused afresh on every
	// run and touches nothing outside tx.
	err := s.batch(func(tx *bolt.Tx) error {
		reg, refused = Registration{}, nil
		r, err := register(tx, su, now)
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrSignUpClosed), errors.Is(err, ErrAlreadyRegistered),
			errors.Is(err, ErrTeamTooLarge), errors.Is(err, ErrBadApplication), errors.Is(err, ErrQuotaReached),
			errors.Is(err, ErrWorksClosed), errors.Is(err, ErrWorksFull):
			// register refuses before it writes anything.
			refused = err
			return nil
		case err != nil:
			return err
		}
		reg = r
		return nil
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return Registration{}, fmt.Errorf("storage: register user %d for event %d: %w", su.UserID, su.EventID, err)
	}
	return reg, nil
}

// register does Register's work inside tx. Every refusal is decided before
// the first write, so a refused call leaves tx unchanged.
func register(tx *bolt.Tx, su SignUp, now time.Time) (Registration, error) {
	events := tx.Bucket(bucketEvents)
	eventKey := itob(su.EventID)
	var e Event
	if err := getJSON(events, eventKey, &e); err != nil {
		return Registration{}, fmt.Errorf("event %d: %w", su.EventID, err)
	}
	if e.Status != EventPublished || !now.Before(e.SignUpClosesAt()) {
		return Registration{}, ErrSignUpClosed
	}
	regs := tx.Bucket(bucketRegs)
	key := regKey(su.EventID, su.UserID)
	var oldTimeKey []byte // the regs_by_time key of a cancelled registration replaced here
	if v := regs.Get(key); v != nil {
		var old Registration
		if err := jsonUnmarshal(v, &old); err != nil {
			return Registration{}, err
		}
		if old.active() {
			return Registration{}, ErrAlreadyRegistered
		}
		oldTimeKey = regTimeKey(old.CreatedAt, su.EventID, su.UserID)
	}
	if su.TeamSize < 0 || su.TeamSize > e.TeamLimit() {
		return Registration{}, ErrTeamTooLarge
	}
	var u User
	if err := getJSON(tx.Bucket(bucketUsers), itob(su.UserID), &u); err != nil && !errors.Is(err, ErrNotFound) {
		return Registration{}, fmt.Errorf("user %d: %w", su.UserID, err)
	}
	teamSize, app, err := applicationFor(tx, e, su, u.OrgID, now)
	if err != nil {
		return Registration{}, err
	}
	r := Registration{
		EventID: su.EventID, UserID: su.UserID, TeamSize: teamSize, TeamName: su.TeamName,
		State: RegConfirmed, CreatedAt: now, UpdatedAt: now, OrgID: u.OrgID, Application: app,
	}
	if e.seatFree() && e.Waiting == 0 {
		e.Taken++
	} else {
		wl := tx.Bucket(bucketWaitlist)
		seq, err := wl.NextSequence()
		if err != nil {
			return Registration{}, err
		}
		r.State, r.WaitSeq = RegWaitlist, int64(seq)
		if err := wl.Put(waitKey(su.EventID, r.WaitSeq), itob(su.UserID)); err != nil {
			return Registration{}, err
		}
		e.Waiting++
	}
	if err := putReg(tx, r); err != nil {
		return Registration{}, err
	}
	if err := addOrgActive(tx, su.EventID, r.OrgID, 1); err != nil {
		return Registration{}, err
	}
	if err := tx.Bucket(bucketRegsByUser).Put(userRegKey(su.UserID, su.EventID), nil); err != nil {
		return Registration{}, err
	}
	byTime := tx.Bucket(bucketRegsByTime)
	if oldTimeKey != nil {
		if err := byTime.Delete(oldTimeKey); err != nil {
			return Registration{}, err
		}
	}
	if err := byTime.Put(regTimeKey(now, su.EventID, su.UserID), nil); err != nil {
		return Registration{}, err
	}
	if err := putEvent(tx, e); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// CancelRegistration cancels the user's confirmed or waitlisted
// registration for the event (ErrNotRegistered when there is none; the
// record stays, in state RegCancelled). A confirmed one frees its seat
// (Taken goes down) and, if the event is published and has not started and
// a seat is free, the first registration still waitlisted is confirmed
// (WaitSeq 0, Taken up, Waiting down, its waitlist key deleted) and
// promoted(user, event) is enqueued to them (origin notice
// "promote:<event>:<user>", only if the user is active; a nil promoted
// enqueues nothing), all in the same transaction. A waitlisted one leaves
// the line (Waiting down). It returns the promoted registration, or nil.
func (s *Store) CancelRegistration(ctx context.Context, eventID, userID int64, promoted Notify) (*Registration, error) {
	return s.CancelRegistrationIf(ctx, eventID, userID, "", promoted)
}

// CancelRegistrationIf is CancelRegistration of a registration the caller
// saw in state seen (RegConfirmed or RegWaitlist; "" for either): when it
// is in another state now (promoted from the waitlist meanwhile, say) it
// returns ErrStateChanged and changes nothing. The state is read in the
// same transaction as the cancellation.
func (s *Store) CancelRegistrationIf(ctx context.Context, eventID, userID int64, seen RegistrationState, promoted Notify) (*Registration, error) {
	now := s.now()
	var (
		out      *Registration
		notified bool
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var err error
		out, notified, err = cancelRegistration(tx, eventID, userID, seen, promoted, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: cancel registration of user %d for event %d: %w", userID, eventID, err)
	}
	if notified {
		s.signalEnqueued()
	}
	return out, nil
}

// cancelRegistration does CancelRegistrationIf's work inside tx (see its
// contract) at time now, and returns the registration promoted from the
// waitlist, if any, and whether a notice was enqueued. Every refusal is
// decided before the first write.
func cancelRegistration(tx *bolt.Tx, eventID, userID int64, seen RegistrationState, promoted Notify, now time.Time) (*Registration, bool, error) {
	regs := tx.Bucket(bucketRegs)
	key := regKey(eventID, userID)
	var r Registration
	switch err := getJSON(regs, key, &r); {
	case errors.Is(err, ErrNotFound):
		return nil, false, ErrNotRegistered
	case err != nil:
		return nil, false, err
	}
	if !r.active() {
		return nil, false, ErrNotRegistered
	}
	if seen != "" && r.State != seen {
		return nil, false, ErrStateChanged
	}
	events := tx.Bucket(bucketEvents)
	var e Event
	if err := getJSON(events, itob(eventID), &e); err != nil {
		return nil, false, fmt.Errorf("event: %w", err)
	}
	was, seq := r.State, r.WaitSeq
	r.State, r.WaitSeq, r.UpdatedAt = RegCancelled, 0, now
	if err := putReg(tx, r); err != nil {
		return nil, false, err
	}
	if err := addOrgActive(tx, eventID, r.OrgID, -1); err != nil {
		return nil, false, err
	}
	var (
		out      *Registration
		notified bool
	)
	switch was {
	case RegConfirmed:
		e.Taken = max(0, e.Taken-1)
		if e.Status == EventPublished && now.Before(e.Start) {
			p, n, err := promoteFirst(tx, &e, promoted, now)
			if err != nil {
				return nil, false, err
			}
			out, notified = p, n
		}
	case RegWaitlist:
		e.Waiting = max(0, e.Waiting-1)
		if err := tx.Bucket(bucketWaitlist).Delete(waitKey(eventID, seq)); err != nil {
			return nil, false, err
		}
	}
	return out, notified, putEvent(tx, e)
}

// promoteWhileFree confirms e's waitlist, first in line first, while seats
// are free, as promoteFirst does one at a time. It returns the promoted
// registrations in order and whether any notice was enqueued.
func promoteWhileFree(tx *bolt.Tx, e *Event, promoted Notify, now time.Time) ([]Registration, bool, error) {
	var (
		list     []Registration
		notified bool
	)
	for {
		p, n, err := promoteFirst(tx, e, promoted, now)
		if err != nil {
			return nil, false, err
		}
		if p == nil {
			return list, notified, nil
		}
		list, notified = append(list, *p), notified || n
	}
}

// promoteFirst confirms the first registration on e's waitlist that is
// still waitlisted, if a seat is free, updating *e's counters (the caller
// stores e), and enqueues promoted to its user if they are active. Waitlist
// keys whose registration is no longer waitlisted are dropped. It returns
// the promoted registration (nil if none) and whether a notice was
// enqueued.
func promoteFirst(tx *bolt.Tx, e *Event, promoted Notify, now time.Time) (*Registration, bool, error) {
	if e.Capacity != 0 && e.Taken >= e.Capacity {
		return nil, false, nil
	}
	regs := tx.Bucket(bucketRegs)
	wl := tx.Bucket(bucketWaitlist)
	prefix := itob(e.ID)
	var (
		found    *Registration
		foundKey []byte
		stale    [][]byte
	)
	c := wl.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r Registration
		err := getJSON(regs, regKey(e.ID, btoi(v)), &r)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, false, err
		}
		if err == nil && r.State == RegWaitlist && r.WaitSeq == btoi(k[8:]) {
			found, foundKey = &r, bytes.Clone(k)
			break
		}
		stale = append(stale, bytes.Clone(k))
	}
	// Deleted after the walk: deleting under a cursor can skip keys.
	for _, k := range stale {
		if err := wl.Delete(k); err != nil {
			return nil, false, err
		}
	}
	if found == nil {
		return nil, false, nil
	}
	if err := wl.Delete(foundKey); err != nil {
		return nil, false, err
	}
	found.State, found.WaitSeq, found.UpdatedAt = RegConfirmed, 0, now
	if err := putReg(tx, *found); err != nil {
		return nil, false, err
	}
	e.Taken++
	e.Waiting = max(0, e.Waiting-1)
	if promoted == nil {
		return found, false, nil
	}
	u, ok, err := activeUser(tx.Bucket(bucketUsers), found.UserID)
	if err != nil || !ok {
		return found, false, err
	}
	entry := OutboxEntry{
		ChatID: u.ChatID, UserID: u.ID, Content: promoted(u, *e),
		Origin: Origin{Kind: OriginNotice, Key: "promote:" + strconv.FormatInt(e.ID, 10) + ":" + strconv.FormatInt(u.ID, 10)},
	}
	if err := enqueue(tx, []OutboxEntry{entry}, now); err != nil {
		return nil, false, err
	}
	return found, true, nil
}

// Registration returns the user's registration for the event in any state,
// cancelled included, or ErrNotFound when they never signed up.
func (s *Store) Registration(ctx context.Context, eventID, userID int64) (Registration, error) {
	var r Registration
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketRegs), regKey(eventID, userID), &r) })
	if err != nil {
		return Registration{}, fmt.Errorf("storage: registration of user %d for event %d: %w", userID, eventID, err)
	}
	return r, nil
}

// Participants returns the event's confirmed registrations in CreatedAt
// order (ties by user id), then its waitlist in line order, each with its
// user (a user no longer stored comes as a zero User with only ID set).
// Cancelled registrations are left out. ErrNotFound when there is no such
// event.
func (s *Store) Participants(ctx context.Context, eventID int64) ([]Participant, error) {
	var list []Participant
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		list, err = participants(tx, eventID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: participants of event %d: %w", eventID, err)
	}
	return list, nil
}

// participants does Participants' work inside tx.
func participants(tx *bolt.Tx, eventID int64) ([]Participant, error) {
	var list []Participant
	if tx.Bucket(bucketEvents).Get(itob(eventID)) == nil {
		return nil, ErrNotFound
	}
	users := tx.Bucket(bucketUsers)
	if err := forEventRegs(tx, eventID, func(r Registration) error {
		if r.State != RegConfirmed {
			return nil
		}
		p, err := withUser(users, r)
		list = append(list, p)
		return err
	}); err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(a, b Participant) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UserID, b.UserID))
	})
	regs := tx.Bucket(bucketRegs)
	prefix := itob(eventID)
	c := tx.Bucket(bucketWaitlist).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r Registration
		switch err := getJSON(regs, regKey(eventID, btoi(v)), &r); {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return nil, err
		}
		if r.State != RegWaitlist || r.WaitSeq != btoi(k[8:]) {
			continue
		}
		p, err := withUser(users, r)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, nil
}

// withUser is r with its user from users (a user who is not there, as
// one forgotten, is only their id).
func withUser(users *bolt.Bucket, r Registration) (Participant, error) {
	p := Participant{Registration: r}
	switch err := getJSON(users, itob(r.UserID), &p.User); {
	case errors.Is(err, ErrNotFound):
		p.User = User{ID: r.UserID}
	case err != nil:
		return Participant{}, fmt.Errorf("user %d: %w", r.UserID, err)
	}
	return p, nil
}

// UserRegistrations returns the user's confirmed and waitlisted
// registrations with their events (a cancelled event's too: its status
// says so): those starting at or after the store's now first, soonest
// first, then past ones, latest first. No registrations is an empty list,
// not an error.
func (s *Store) UserRegistrations(ctx context.Context, userID int64) ([]MyRegistration, error) {
	now := s.now()
	var list []MyRegistration
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list = nil
		regs := tx.Bucket(bucketRegs)
		events := tx.Bucket(bucketEvents)
		prefix := itob(userID)
		c := tx.Bucket(bucketRegsByUser).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			eventID := btoi(k[8:])
			var m MyRegistration
			if err := getJSON(regs, regKey(eventID, userID), &m.Registration); err != nil {
				return fmt.Errorf("registration for event %d: %w", eventID, err)
			}
			if !m.active() {
				continue
			}
			if err := getJSON(events, itob(eventID), &m.Event); err != nil {
				return fmt.Errorf("event %d: %w", eventID, err)
			}
			list = append(list, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: registrations of user %d: %w", userID, err)
	}
	slices.SortStableFunc(list, func(a, b MyRegistration) int {
		aUp, bUp := !a.Event.Start.Before(now), !b.Event.Start.Before(now)
		switch {
		case aUp && !bUp:
			return -1
		case !aUp && bUp:
			return 1
		case aUp:
			return cmp.Or(a.Event.Start.Compare(b.Event.Start), cmp.Compare(a.EventID, b.EventID))
		default:
			return cmp.Or(b.Event.Start.Compare(a.Event.Start), cmp.Compare(b.EventID, a.EventID))
		}
	})
	return list, nil
}

// SetAttendance records whether the participant came (Attended). ErrNotFound
// when the user never signed up for the event; ErrNotRegistered when the
// registration is cancelled; ErrNotConfirmed when it is waitlisted (only
// those who had a seat are marked).
func (s *Store) SetAttendance(ctx context.Context, eventID, userID int64, attended bool) error {
	err := s.changeRegistration(ctx, eventID, userID, func(tx *bolt.Tx, r *Registration, e Event, _ time.Time) (bool, error) {
		if r.State != RegConfirmed {
			return false, ErrNotConfirmed
		}
		if r.Attended != nil && *r.Attended == attended {
			return true, nil
		}
		r.Attended = &attended
		return false, s.appendAudit(ctx, tx, AuditEntry{Action: AuditAttendance, Kind: AuditObjRegistration, ObjectID: eventID,
			Event: eventID, Org: e.OwnerOrg, Subject: userID, Details: []AuditChange{auditFact("attended", strconv.FormatBool(attended))}})
	})
	if err != nil {
		return fmt.Errorf("storage: set attendance of user %d at event %d: %w", userID, eventID, err)
	}
	return nil
}

// SetResult records the participant's result: "" (none), ResultFirst,
// ResultSecond, ResultThird or ResultLaureate; anything else, or a result
// for an event whose kind is not Graded, is refused with an error.
// ErrNotFound when the user never signed up for the event; ErrNotRegistered
// when the registration is cancelled; ErrNotConfirmed when it is
// waitlisted (a place goes only to one who had a seat).
//
// In the same transaction the participant is told, through the outbox
// (origin notice "result:<event>:<user>"), what changed for them:
// notify(user, event, result, told) is enqueued when the new result differs
// from told, the one they were last told of, if the user is active. A
// notice of an earlier result still pending in the outbox is withdrawn
// (skipped, ReasonReplaced) rather than followed by a second one, so that a
// coordinator who corrects a slip of the finger sends one message, not
// two; one already sent, or being sent, counts as told. Setting the result
// the participant already has changes nothing and tells nobody. A nil
// notify records the result and tells nobody.
func (s *Store) SetResult(ctx context.Context, eventID, userID int64, result string, notify ResultNotify) error {
	switch result {
	case "", ResultFirst, ResultSecond, ResultThird, ResultLaureate:
	default:
		return fmt.Errorf("storage: set result of user %d at event %d: unknown result %q", userID, eventID, result)
	}
	notified := false
	err := s.changeRegistration(ctx, eventID, userID, func(tx *bolt.Tx, r *Registration, e Event, now time.Time) (bool, error) {
		notified = false
		if r.State != RegConfirmed {
			return false, ErrNotConfirmed
		}
		if result != "" && !e.Kind.Graded() {
			return false, fmt.Errorf("event kind %q has no results", e.Kind)
		}
		if result == r.Result {
			return true, nil
		}
		if r.ResultNotice != 0 {
			// The pending notice told r.Result: withdraw it if it has not
			// left; otherwise the participant knows r.Result.
			withdrawn, err := withdrawPending(tx, r.ResultNotice, now)
			if err != nil {
				return false, err
			}
			if !withdrawn {
				r.ResultTold = r.Result
			}
			r.ResultNotice = 0
		}
		before := r.Result
		r.Result = result
		if err := s.appendAudit(ctx, tx, AuditEntry{Action: AuditResult, Kind: AuditObjRegistration, ObjectID: eventID,
			Event: eventID, Org: e.OwnerOrg, Subject: userID, Details: []AuditChange{{Field: "result", Before: before, After: result}}}); err != nil {
			return false, err
		}
		if notify == nil || result == r.ResultTold {
			return false, nil
		}
		u, ok, err := activeUser(tx.Bucket(bucketUsers), userID)
		if err != nil || !ok {
			return false, err
		}
		entries := []OutboxEntry{{
			ChatID: u.ChatID, UserID: u.ID, Content: notify(u, e, result, r.ResultTold),
			Origin: Origin{Kind: OriginNotice, Key: "result:" + strconv.FormatInt(eventID, 10) + ":" + strconv.FormatInt(userID, 10)},
		}}
		if err := enqueue(tx, entries, now); err != nil {
			return false, err
		}
		r.ResultNotice, notified = entries[0].ID, true
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("storage: set result of user %d at event %d: %w", userID, eventID, err)
	}
	if notified {
		s.signalEnqueued()
	}
	return nil
}

// withdrawPending marks outbox entry id skipped (ReasonReplaced) if it is
// still pending and reports whether it did; an entry sent, failed, skipped
// or pruned is left alone. A send already in flight reaches its recipient
// all the same: its completion finds the entry no longer pending.
func withdrawPending(tx *bolt.Tx, id int64, now time.Time) (bool, error) {
	out := tx.Bucket(bucketOutbox)
	var e OutboxEntry
	switch err := getJSON(out, itob(id), &e); {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("outbox entry %d: %w", id, err)
	}
	if e.State != OutboxPending {
		return false, nil
	}
	e.State, e.Reason, e.DoneAt = OutboxSkipped, ReasonReplaced, now
	if err := putJSON(out, itob(id), e); err != nil {
		return false, err
	}
	return true, tx.Bucket(bucketOutboxPending).Delete(itob(id))
}

// changeRegistration applies change to a registration that is not
// cancelled, with its event, in one transaction, and stores it with
// UpdatedAt now unless change reports that nothing changed.
func (s *Store) changeRegistration(ctx context.Context, eventID, userID int64, change func(tx *bolt.Tx, r *Registration, e Event, now time.Time) (unchanged bool, err error)) error {
	now := s.now()
	return s.update(ctx, func(tx *bolt.Tx) error {
		regs := tx.Bucket(bucketRegs)
		key := regKey(eventID, userID)
		var r Registration
		if err := getJSON(regs, key, &r); err != nil {
			return err
		}
		if !r.active() {
			return ErrNotRegistered
		}
		var e Event
		if err := getJSON(tx.Bucket(bucketEvents), itob(eventID), &e); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		unchanged, err := change(tx, &r, e, now)
		if err != nil || unchanged {
			return err
		}
		r.UpdatedAt = now
		return putReg(tx, r)
	})
}
