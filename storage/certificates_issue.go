package storage

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Issuing certificates: what each confirmed participant deserves now,
// against what they hold, decided and written in one transaction.

// certCode is a new random verification code: 5 random bytes as 8
// lowercase base32 characters.
func certCode() (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random code: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:])), nil
}

// certNumber is the printed number of certificate id for an event that
// started at start (district time): «2027-0042».
func certNumber(start time.Time, id int64) string {
	return fmt.Sprintf("%d-%04d", start.Year(), id)
}

// wanted is one certificate a registration deserves now.
type wanted struct {
	kind  CertificateKind
	place int
}

// deserved is what r deserves now, by slot: the award (a diploma for a
// place, or a laureate's), participation (came), thanks (a team that came
// or got a result).
func deserved(r Registration) map[string]wanted {
	out := map[string]wanted{}
	switch r.Result {
	case ResultFirst, ResultSecond, ResultThird:
		p, _ := strconv.Atoi(r.Result)
		out["award"] = wanted{CertDiploma, p}
	case ResultLaureate:
		out["award"] = wanted{CertLaureate, 0}
	}
	attended := r.Attended != nil && *r.Attended
	if attended {
		out["participation"] = wanted{CertParticipation, 0}
	}
	if r.TeamSize > 0 && (attended || r.Result != "") {
		out["thanks"] = wanted{CertThanks, 0}
	}
	return out
}

func slotOf(k CertificateKind) string {
	if k.award() {
		return "award"
	}
	return string(k)
}

// certDecision is planCertificates' result: what to issue and revoke.
type certDecision struct {
	plan   CertificatePlan
	issue  []Certificate // without ids, numbers or codes yet
	revoke []int64       // ids of the certificates to revoke
	repl   []int         // issue[repl[i]] takes revoke[i]'s place; -1 for none
}

// planCertificates decides, inside tx, what issuing kinds for e would do.
// Only confirmed registrations of real (not forgotten) users get
// certificates; a valid certificate whose reason is gone (a place
// changed, a result or the attendance taken away, the sign-up cancelled)
// is revoked, if its kind is among kinds.
func planCertificates(tx *bolt.Tx, e Event, kinds []CertificateKind, loc *time.Location) (certDecision, error) {
	d := certDecision{plan: CertificatePlan{New: CertificateCounts{}, Already: CertificateCounts{}, Revoked: CertificateCounts{},
		Replaced: CertificateCounts{}}}
	asked := func(k CertificateKind) bool { return slices.Contains(kinds, k) }
	// The valid certificates by user and slot.
	held := map[int64]map[string]Certificate{}
	if err := forEventCertificates(tx, e.ID, func(c Certificate) error {
		if c.Revoked() {
			return nil
		}
		if held[c.UserID] == nil {
			held[c.UserID] = map[string]Certificate{}
		}
		held[c.UserID][slotOf(c.Kind)] = c
		return nil
	}); err != nil {
		return d, err
	}
	var regs []Registration
	marked := false
	if err := forEventRegs(tx, e.ID, func(r Registration) error {
		if r.State != RegConfirmed {
			return nil
		}
		if r.Attended != nil {
			marked = true // a forgotten person's marks count too
		}
		if r.UserID > 0 {
			regs = append(regs, r)
			if r.Attended == nil {
				d.plan.Waiting++
			}
		}
		return nil
	}); err != nil {
		return d, err
	}
	d.plan.Unmarked = !marked
	seen := map[int64]bool{}
	snap := snapshotter{tx: tx, e: e, loc: loc}
	for _, r := range regs {
		seen[r.UserID] = true
		want := deserved(r)
		have := held[r.UserID]
		for _, slot := range []string{"award", "participation", "thanks"} {
			w, ok := want[slot]
			old, had := have[slot]
			var c Certificate
			if ok && asked(w.kind) {
				var err error
				if c, err = snap.certificate(r, w); err != nil {
					return d, err
				}
			}
			match := ok && had && old.Kind == w.kind && old.Place == w.place && samePrint(old, c)
			switch {
			case match && asked(w.kind):
				d.plan.Already[w.kind]++
			case ok && asked(w.kind):
				if had {
					c.Replaces = old.Number
				}
				d.issue = append(d.issue, c)
				d.plan.New[w.kind]++
				if had {
					d.revoke, d.repl = append(d.revoke, old.ID), append(d.repl, len(d.issue)-1)
					d.plan.Revoked[old.Kind]++
					d.plan.Replaced[old.Kind]++
				}
			case had && !match && asked(old.Kind):
				// The reason is gone (or is now a kind not asked for):
				// what the paper says no longer holds.
				d.revoke, d.repl = append(d.revoke, old.ID), append(d.repl, -1)
				d.plan.Revoked[old.Kind]++
			}
		}
	}
	// Certificates of people no longer confirmed (a forgotten person's
	// stay: their registration is under the anonymous id, and so are
	// they).
	for userID, have := range held {
		if seen[userID] || userID <= 0 {
			continue
		}
		for _, old := range have {
			if asked(old.Kind) {
				d.revoke, d.repl = append(d.revoke, old.ID), append(d.repl, -1)
				d.plan.Revoked[old.Kind]++
			}
		}
	}
	return d, nil
}

// samePrint reports whether a held certificate still prints what one
// issued now would (c, taken now): the participant's name, team and
// school and the event's title. When one of them changed (a name
// corrected, a school renamed, the title edited), the paper is no longer
// true and is reissued under a new number.
func samePrint(held, c Certificate) bool {
	return held.Recipient == c.Recipient && held.Team == c.Team && held.School == c.School && held.Event == c.Event
}

// snapshotter takes the printed snapshot of certificates of one event.
type snapshotter struct {
	tx         *bolt.Tx
	e          Event
	loc        *time.Location
	organisers []string
	orgs       map[int64]Organisation
}

func (s *snapshotter) org(id int64) (Organisation, error) {
	if s.orgs == nil {
		s.orgs = map[int64]Organisation{}
	}
	if o, ok := s.orgs[id]; ok || id == 0 {
		return o, nil
	}
	var o Organisation
	if err := getJSON(s.tx.Bucket(bucketOrgs), itob(id), &o); err != nil && !errors.Is(err, ErrNotFound) {
		return o, fmt.Errorf("organisation %d: %w", id, err)
	}
	s.orgs[id] = o
	return o, nil
}

func (s *snapshotter) certificate(r Registration, w wanted) (Certificate, error) {
	if s.organisers == nil {
		s.organisers = []string{}
		for _, id := range s.e.Organisers {
			o, err := s.org(id)
			if err != nil {
				return Certificate{}, err
			}
			if o.Name != "" {
				s.organisers = append(s.organisers, o.Name)
			}
		}
	}
	var u User
	if err := getJSON(s.tx.Bucket(bucketUsers), itob(r.UserID), &u); err != nil && !errors.Is(err, ErrNotFound) {
		return Certificate{}, fmt.Errorf("user %d: %w", r.UserID, err)
	}
	orgID := r.OrgID
	if orgID == 0 {
		orgID = u.OrgID
	}
	o, err := s.org(orgID)
	if err != nil {
		return Certificate{}, err
	}
	c := Certificate{
		Kind: w.kind, Place: w.place, EventID: s.e.ID, UserID: r.UserID, OrgID: orgID,
		Recipient: u.FullName, School: o.Name, SchoolShort: o.Label(), Team: r.TeamName,
		Event: s.e.Title, EventKind: s.e.Kind, Organisers: slices.Clone(s.organisers), EventStart: s.e.Start.In(s.loc),
	}
	if r.TeamSize > 0 && r.Application != nil {
		for _, p := range r.Application.Pupils {
			c.Pupils = append(c.Pupils, p.Name)
		}
	}
	return c, nil
}

// eventTookPlace checks that certificates may be issued for e at now: it
// is published or finished (not a draft, not cancelled) and has started.
func eventTookPlace(e Event, now time.Time) error {
	if (e.Status != EventPublished && e.Status != EventFinished) || now.Before(e.Start) {
		return ErrEventNotStarted
	}
	return nil
}

// PlanCertificates says, in one read transaction, what IssueCertificates
// would do now for the kinds: the coordinator's screen before «Выдать».
// ErrNotFound (wrapped) when there is no such event; ErrEventNotStarted
// for one that has not taken place.
func (s *Store) PlanCertificates(ctx context.Context, eventID int64, kinds []CertificateKind) (CertificatePlan, error) {
	var plan CertificatePlan
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var e Event
		if err := getJSON(tx.Bucket(bucketEvents), itob(eventID), &e); err != nil {
			return fmt.Errorf("event %d: %w", eventID, err)
		}
		if err := eventTookPlace(e, s.now()); err != nil {
			return err
		}
		d, err := planCertificates(tx, e, kinds, s.loc)
		plan = d.plan
		return err
	})
	if err != nil {
		return CertificatePlan{}, fmt.Errorf("storage: plan certificates of event %d: %w", eventID, err)
	}
	return plan, nil
}

// IssueCertificates issues the certificates of req.Kinds for an event in
// one transaction, deciding every refusal before the first write:
//
//   - ErrNotFound (wrapped) when there is no such event;
//   - ErrEventNotStarted when it is a draft, cancelled, or has not
//     started at the store's now;
//   - ErrAttendanceUnmarked when CertParticipation is asked for and no
//     confirmed participant's attendance is marked.
//
// Otherwise, for each confirmed registration of a person not forgotten: a
// diploma for a result of 1–3, a laureate's diploma for a laureate, a
// participation certificate for one who attended, a thank-you letter to
// the leading teacher of a team (TeamSize > 0) that attended or got a
// result. A certificate already held is not issued again, so pressing
// twice issues nothing new, and two coordinators pressing at once issue
// each one once (write transactions are serial). A held certificate that
// no longer holds is revoked: by the new one when the result changed
// (a diploma for 2nd place becomes one for 1st) or what it prints changed
// (the participant's name, team or school, the event's title: samePrint),
// by none when the reason is gone. The revoked one's delivery, if still pending, is withdrawn.
//
// Each new certificate gets the next district-wide id, its Number from
// the event's year and the id, a random Code and the snapshot of what it
// prints; each is delivered to its teacher, if they can be reached,
// through the outbox (origin notice "cert:<id>") with notify's caption:
// the sender prints the PDF at send time (Content.Certificate). A nil
// notify enqueues nothing.
func (s *Store) IssueCertificates(ctx context.Context, req CertificateIssue, notify CertificateNotify) (CertificatePlan, error) {
	now := s.now()
	var plan CertificatePlan
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var e Event
		if err := getJSON(tx.Bucket(bucketEvents), itob(req.EventID), &e); err != nil {
			return fmt.Errorf("event %d: %w", req.EventID, err)
		}
		if err := eventTookPlace(e, now); err != nil {
			return err
		}
		d, err := planCertificates(tx, e, req.Kinds, s.loc)
		if err != nil {
			return err
		}
		if d.plan.Unmarked && slices.Contains(req.Kinds, CertParticipation) {
			return ErrAttendanceUnmarked
		}
		plan = d.plan
		if plan.Notified, err = issue(tx, d, req, notify, now); err != nil {
			return err
		}
		if len(d.issue) == 0 && len(d.revoke) == 0 {
			return nil
		}
		issued := eventAudit(AuditCertificates, e)
		issued.Details = []AuditChange{auditFact("issued", strconv.Itoa(len(d.issue))), auditFact("revoked", strconv.Itoa(len(d.revoke)))}
		return s.appendAudit(ctx, tx, issued)
	})
	if err != nil {
		return CertificatePlan{}, fmt.Errorf("storage: issue certificates of event %d: %w", req.EventID, err)
	}
	if plan.Notified > 0 {
		s.signalEnqueued()
	}
	return plan, nil
}

// issue writes d inside tx: the new certificates with their indexes and
// deliveries, then the revocations. It returns how many deliveries it
// enqueued.
func issue(tx *bolt.Tx, d certDecision, req CertificateIssue, notify CertificateNotify, now time.Time) (int, error) {
	certs := tx.Bucket(bucketCertificates)
	byEvent, byUser := tx.Bucket(bucketCertificatesByEvent), tx.Bucket(bucketCertificatesByUser)
	users := tx.Bucket(bucketUsers)
	notified := 0
	for i := range d.issue {
		c := &d.issue[i]
		seq, err := certs.NextSequence()
		if err != nil {
			return 0, err
		}
		code, err := certCode()
		if err != nil {
			return 0, err
		}
		c.ID, c.Code = int64(seq), code
		c.Number = certNumber(c.EventStart, c.ID)
		c.IssuedAt, c.IssuedBy, c.Operator = now, req.By, req.Operator
		if u, ok, err := activeUser(users, c.UserID); err != nil {
			return 0, err
		} else if ok && notify != nil {
			content := notify(u, *c)
			content.Certificate = c.ID
			entries := []OutboxEntry{{ChatID: u.ChatID, UserID: u.ID, Content: content,
				Origin: Origin{Kind: OriginNotice, Key: "cert:" + strconv.FormatInt(c.ID, 10)}}}
			if err := enqueue(tx, entries, now); err != nil {
				return 0, err
			}
			c.Notice = entries[0].ID
			notified++
		}
		if err := putJSON(certs, itob(c.ID), c); err != nil {
			return 0, err
		}
		if err := byEvent.Put(certEventKey(c.EventID, c.ID), nil); err != nil {
			return 0, err
		}
		if err := byUser.Put(certUserKey(c.UserID, c.ID), nil); err != nil {
			return 0, err
		}
	}
	for i, id := range d.revoke {
		var old Certificate
		if err := getJSON(certs, itob(id), &old); err != nil {
			return 0, fmt.Errorf("certificate %d: %w", id, err)
		}
		old.RevokedAt = now
		if j := d.repl[i]; j >= 0 {
			old.ReplacedBy, old.ReplacedByNumber = d.issue[j].ID, d.issue[j].Number
		}
		if old.Notice != 0 {
			if _, err := withdrawPending(tx, old.Notice, now); err != nil {
				return 0, err
			}
		}
		if err := putJSON(certs, itob(id), old); err != nil {
			return 0, err
		}
	}
	return notified, nil
}
