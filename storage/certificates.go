package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Certificates: the diplomas, laureate diplomas, participation
// certificates and thank-you letters issued after an event's results. A
// certificate is a record, not a file: what it prints is a snapshot taken
// when it was issued (the names, the school, the event), so the paper and
// its verification never change afterwards; the PDF is printed from the
// record whenever it is sent. A certificate is never deleted: one that no
// longer holds (a place changed) is revoked, naming the one that replaces
// it, and its verification says so.

// CertificateKind is what a certificate is.
type CertificateKind string

// Certificate kinds, in the order they are offered.
const (
	CertDiploma       CertificateKind = "diploma"       // places 1–3 (Certificate.Place)
	CertLaureate      CertificateKind = "laureate"      // a laureate's diploma
	CertParticipation CertificateKind = "participation" // everyone who attended
	CertThanks        CertificateKind = "thanks"        // a thank-you letter to a team's leading teacher
)

// CertificateKinds lists every kind in display order.
var CertificateKinds = []CertificateKind{CertDiploma, CertLaureate, CertParticipation, CertThanks}

// Certificate is one issued document.
type Certificate struct {
	// ID is the district-wide sequence (the certificates bucket's); the
	// Number is printed from it.
	ID int64 `json:"id"`
	// Number is as printed: the event's year (district time) and the id,
	// «2027-0042». Unique and never changed.
	Number string `json:"number"`
	// Code is a random secret (8 base32 characters, 40 bits) the
	// verification link carries beside the id.
	Code  string          `json:"code"`
	Kind  CertificateKind `json:"kind"`
	Place int             `json:"place,omitempty"` // 1–3 for CertDiploma, else 0

	EventID int64 `json:"event_id"`
	// UserID is the teacher it was issued to; a forgotten person's
	// anonymous id (negative) after /forget.
	UserID int64 `json:"user_id"`
	OrgID  int64 `json:"org_id,omitempty"`

	// What is printed, as it was at issue.
	Recipient   string    `json:"recipient"`              // the teacher's full name
	School      string    `json:"school,omitempty"`       // the organisation's full name
	SchoolShort string    `json:"school_short,omitempty"` // its short name (the archive's folder)
	Team        string    `json:"team,omitempty"`         // the team's (class's) name
	Pupils      []string  `json:"pupils,omitempty"`       // the pupils' names, for a team
	Event       string    `json:"event"`                  // the event's title
	EventKind   EventKind `json:"event_kind"`
	Organisers  []string  `json:"organisers,omitempty"` // the organisers' full names
	EventStart  time.Time `json:"event_start"`
	Operator    string    `json:"operator,omitempty"` // the department that issues it

	IssuedAt time.Time `json:"issued_at"`
	IssuedBy int64     `json:"issued_by"`
	// Notice is the outbox entry that delivers it (0: the teacher could not
	// be reached when it was issued).
	Notice int64 `json:"notice,omitempty"`

	// RevokedAt is set when the certificate no longer holds; ReplacedBy
	// (and its number) names the one issued in its place, 0 for none.
	RevokedAt        time.Time `json:"revoked_at,omitzero"`
	ReplacedBy       int64     `json:"replaced_by,omitempty"`
	ReplacedByNumber string    `json:"replaced_by_number,omitempty"`
}

// Revoked reports whether the certificate has been revoked.
func (c Certificate) Revoked() bool { return !c.RevokedAt.IsZero() }

// award reports whether the kind is a result's diploma (a place or a
// laureate's): a participant holds at most one valid award.
func (k CertificateKind) award() bool { return k == CertDiploma || k == CertLaureate }

// CertificateNotify renders the outbox message that delivers a new
// certificate to its teacher (the caption of the PDF the sender prints).
// Like Notify it runs inside the transaction: compute only.
type CertificateNotify func(u User, c Certificate) Content

// CertificateIssue is a request to issue an event's certificates.
type CertificateIssue struct {
	EventID int64
	// By is the coordinator who issues them (the caller has checked that
	// they may mark the event's results).
	By int64
	// Kinds are the kinds to issue; the others are left as they are.
	Kinds []CertificateKind
	// Operator is the department printed as the issuer.
	Operator string
}

// CertificateCounts are figures per kind.
type CertificateCounts map[CertificateKind]int

// Total is the sum over every kind.
func (c CertificateCounts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// CertificatePlan is what issuing would do, or did.
type CertificatePlan struct {
	// New are the certificates to issue (issued), per kind.
	New CertificateCounts
	// Already are the valid certificates that stay as they are, per kind.
	Already CertificateCounts
	// Revoked are the certificates that no longer hold (a place changed,
	// a result or attendance taken away), per kind.
	Revoked CertificateCounts
	// Notified is how many outbox entries were enqueued (IssueCertificates
	// only).
	Notified int
	// Unmarked is set when nobody's attendance is marked: participation
	// certificates cannot be issued yet.
	Unmarked bool
}

// Errors of certificates.
var (
	// ErrEventNotStarted is returned by IssueCertificates for an event that
	// is a draft, cancelled, or has not started.
	ErrEventNotStarted = errors.New("storage: the event has not taken place")
	// ErrAttendanceUnmarked is returned by IssueCertificates when
	// participation certificates are asked for and nobody's attendance is
	// marked: a certificate says the teacher took part, so someone must
	// have said who came. Nothing is issued.
	ErrAttendanceUnmarked = errors.New("storage: attendance not marked")
	// ErrCertificateRevoked is returned by the renderer of a pending
	// delivery whose certificate was revoked since: the sender skips it.
	ErrCertificateRevoked = errors.New("storage: certificate revoked")
)

func certEventKey(eventID, id int64) []byte { return append(itob(eventID), itob(id)...) }
func certUserKey(userID, id int64) []byte   { return append(itob(userID), itob(id)...) }

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

// deserved lists what r deserves among kinds, by slot: the award (a
// diploma or a laureate's), participation, thanks.
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
	revoke []int64       // ids; issue[replace[i]] takes revoke[i]'s place, -1 for none
	repl   []int
}

// planCertificates decides, inside tx, what issuing kinds for e would do.
// Only confirmed registrations of real (not forgotten) users get
// certificates; a valid certificate whose reason is gone (a place
// changed, a result or the attendance taken away, the sign-up cancelled)
// is revoked, if its kind is among kinds.
func planCertificates(tx *bolt.Tx, e Event, kinds []CertificateKind, loc *time.Location) (certDecision, error) {
	d := certDecision{plan: CertificatePlan{New: CertificateCounts{}, Already: CertificateCounts{}, Revoked: CertificateCounts{}}}
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
			match := ok && had && old.Kind == w.kind && old.Place == w.place
			switch {
			case match && asked(w.kind):
				d.plan.Already[w.kind]++
			case ok && asked(w.kind):
				c, err := snap.certificate(r, w)
				if err != nil {
					return d, err
				}
				d.issue = append(d.issue, c)
				d.plan.New[w.kind]++
				if had {
					d.revoke, d.repl = append(d.revoke, old.ID), append(d.repl, len(d.issue)-1)
					d.plan.Revoked[old.Kind]++
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

// forEventCertificates calls fn for each certificate of the event, in
// issue order.
func forEventCertificates(tx *bolt.Tx, eventID int64, fn func(Certificate) error) error {
	certs := tx.Bucket(bucketCertificates)
	prefix := itob(eventID)
	c := tx.Bucket(bucketCertificatesByEvent).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var cert Certificate
		if err := getJSON(certs, k[8:], &cert); err != nil {
			return fmt.Errorf("certificate %d: %w", btoi(k[8:]), err)
		}
		if err := fn(cert); err != nil {
			return err
		}
	}
	return nil
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
// (a diploma for 2nd place becomes one for 1st), by none when the reason
// is gone. The revoked one's delivery, if still pending, is withdrawn.
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
		plan.Notified, err = issue(tx, d, req, notify, now)
		return err
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

// Certificate returns certificate id. ErrNotFound (wrapped) when there is
// none.
func (s *Store) Certificate(ctx context.Context, id int64) (Certificate, error) {
	var c Certificate
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketCertificates), itob(id), &c) })
	if err != nil {
		return Certificate{}, fmt.Errorf("storage: certificate %d: %w", id, err)
	}
	return c, nil
}

// VerifyCertificate returns certificate id if code is its code. A missing
// certificate and a wrong code are the same ErrNotFound (wrapped), so
// that an answer never tells which part was wrong.
func (s *Store) VerifyCertificate(ctx context.Context, id int64, code string) (Certificate, error) {
	c, err := s.Certificate(ctx, id)
	if err == nil && subtle.ConstantTimeCompare([]byte(c.Code), []byte(code)) != 1 {
		err = fmt.Errorf("storage: certificate %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// CertificateByNumber returns the certificate printed with number
// («2027-0042»). ErrNotFound (wrapped) when there is none.
func (s *Store) CertificateByNumber(ctx context.Context, number string) (Certificate, error) {
	_, seq, ok := strings.Cut(strings.TrimSpace(number), "-")
	id, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || id <= 0 {
		return Certificate{}, fmt.Errorf("storage: certificate %q: %w", number, ErrNotFound)
	}
	c, err := s.Certificate(ctx, id)
	if err == nil && c.Number != strings.TrimSpace(number) {
		err = fmt.Errorf("storage: certificate %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// EventCertificates returns every certificate of the event, revoked ones
// included, in issue order.
func (s *Store) EventCertificates(ctx context.Context, eventID int64) ([]Certificate, error) {
	var list []Certificate
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list = nil
		return forEventCertificates(tx, eventID, func(c Certificate) error {
			list = append(list, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: certificates of event %d: %w", eventID, err)
	}
	return list, nil
}

// UserCertificates returns every certificate issued to userID, revoked
// ones included, in issue order.
func (s *Store) UserCertificates(ctx context.Context, userID int64) ([]Certificate, error) {
	var list []Certificate
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list = nil
		var err error
		list, err = userCertificates(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: certificates of user %d: %w", userID, err)
	}
	return list, nil
}

func userCertificates(tx *bolt.Tx, userID int64) ([]Certificate, error) {
	var list []Certificate
	certs := tx.Bucket(bucketCertificates)
	prefix := itob(userID)
	c := tx.Bucket(bucketCertificatesByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var cert Certificate
		if err := getJSON(certs, k[8:], &cert); err != nil {
			return nil, fmt.Errorf("certificate %d: %w", btoi(k[8:]), err)
		}
		list = append(list, cert)
	}
	return list, nil
}
