package storage

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
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
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Replaces is the number of the certificate this one was issued in
	// place of ("" for none): the teacher is told which paper it replaces.
	Replaces         string `json:"replaces,omitempty"`
	ReplacedBy       int64  `json:"replaced_by,omitempty"`
	ReplacedByNumber string `json:"replaced_by_number,omitempty"`
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
	// Replaced are those of Revoked that one of New replaces (a place or
	// a printed fact changed), per kind of the revoked one; the others are
	// annulled with nothing in their place (the reason is gone).
	Replaced CertificateCounts
	// Waiting is how many confirmed participants (not forgotten) have no
	// attendance mark: none of them gets a participation certificate
	// until someone marks them.
	Waiting int
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
