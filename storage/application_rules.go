package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkApplication decides whether app fits e's form as stored in the
// transaction that calls it, and returns the team size the registration
// takes: the pupils' count for a team event whose form lists pupils, else
// teamSize as asked. A nil app is a form left empty: it fits only a form
// that requires nothing. Works are checked by checkWorks (a stored
// application keeps its works across UpdateApplication).
func checkApplication(e Event, app *Application, teamSize int) (int, error) {
	f := e.Form
	if app == nil {
		app = &Application{}
	}
	bad := func(field string, i int, reason string) error {
		return &ApplicationError{Field: field, Index: i, Reason: reason}
	}
	pupilsAsked := f.Pupils && e.Unit == UnitTeam
	switch {
	case pupilsAsked:
		if len(app.Pupils) == 0 {
			return 0, bad("pupils", 0, "no pupils")
		}
		if len(app.Pupils) > e.MaxTeam {
			return 0, ErrTeamTooLarge
		}
		for i, p := range app.Pupils {
			if reason := checkPupil(p); reason != "" {
				return 0, bad("pupil", i, reason)
			}
		}
		if app.ParentsConsentAt.IsZero() {
			return 0, bad("parents_consent", 0, "parents' consent not confirmed")
		}
		teamSize = len(app.Pupils)
	case len(app.Pupils) > 0:
		return 0, bad("pupils", 0, "the form asks for no pupils")
	}
	switch {
	case app.Phone == "" && f.Phone == NeedRequired:
		return 0, bad("phone", 0, "phone required")
	case app.Phone != "" && f.Phone == NeedNone:
		return 0, bad("phone", 0, "the form asks for no phone")
	case app.Phone != "" && !ValidPhone(app.Phone):
		return 0, bad("phone", 0, "not a phone")
	}
	answered := map[int]bool{}
	for _, a := range app.Answers {
		q, ok := f.Question(a.QuestionID)
		if !ok {
			return 0, bad("answer", a.QuestionID, "no such question")
		}
		if answered[a.QuestionID] {
			return 0, bad("answer", a.QuestionID, "answered twice")
		}
		answered[a.QuestionID] = true
		if reason := checkAnswer(q, a.Text); reason != "" {
			return 0, bad("answer", a.QuestionID, reason)
		}
	}
	for _, q := range f.Questions {
		if q.Required && !answered[q.ID] {
			return 0, bad("answer", q.ID, "required question not answered")
		}
	}
	return teamSize, nil
}

// checkPupil says what is wrong with a pupil ("" when nothing).
func checkPupil(p Pupil) string {
	name, class := strings.TrimSpace(p.Name), strings.TrimSpace(p.Class)
	switch {
	case name == "" || name != p.Name:
		return "empty or untrimmed name"
	case utf8.RuneCountInString(name) > MaxPupilNameLen:
		return "name too long"
	case class == "" || class != p.Class:
		return "empty or untrimmed class"
	case utf8.RuneCountInString(class) > MaxPupilClassLen:
		return "class too long"
	}
	if p.Birth != "" {
		if _, err := time.Parse(time.DateOnly, p.Birth); err != nil {
			return "birth date not YYYY-MM-DD"
		}
	}
	return ""
}

// checkAnswer says what is wrong with an answer to q ("" when nothing).
func checkAnswer(q Question, text string) string {
	if strings.TrimSpace(text) == "" {
		return "empty answer"
	}
	switch q.Kind {
	case QuestionChoice:
		for _, o := range q.Options {
			if o == text {
				return ""
			}
		}
		return "not one of the options"
	case QuestionYesNo:
		if text != "yes" && text != "no" {
			return "not yes or no"
		}
	default:
		if utf8.RuneCountInString(text) > MaxAnswerLen {
			return "answer too long"
		}
	}
	return ""
}

// ValidPhone reports whether s is a phone as stored: a "+" and 10 to 15
// digits (E.164; +7XXXXXXXXXX in Russia).
func ValidPhone(s string) bool {
	if len(s) > MaxPhoneLen || !strings.HasPrefix(s, "+") {
		return false
	}
	d := s[1:]
	if len(d) < 10 || len(d) > 15 {
		return false
	}
	for _, c := range d {
		if !unicode.IsDigit(c) || c > '9' {
			return false
		}
	}
	return true
}

// worksCloseAt is when e stops taking works: the form's Until, or when
// sign-up closes.
func worksCloseAt(e Event) time.Time {
	if e.Form.Works != nil && !e.Form.Works.Until.IsZero() {
		return e.Form.Works.Until
	}
	return e.SignUpClosesAt()
}

// checkWorks decides whether works may be held by an application of e at
// now: ErrWorksClosed when e takes none, none of a work's kind, or now is
// not before worksCloseAt; ErrWorksFull over Works.MaxFiles. An empty
// list always fits.
func checkWorks(e Event, works []Work, now time.Time) error {
	if len(works) == 0 {
		return nil
	}
	spec := e.Form.Works
	if spec == nil || !now.Before(worksCloseAt(e)) {
		return ErrWorksClosed
	}
	for _, w := range works {
		if !spec.Takes(w.Kind) || w.FileID == "" || w.FileUniqueID == "" {
			return ErrWorksClosed
		}
	}
	if len(works) > spec.MaxFiles {
		return ErrWorksFull
	}
	return nil
}

// applicationFor decides, inside Register's transaction, the team size and
// the application a sign-up su by a user of organisation org stores for e:
// the application checked against the form, its works against the time
// and the limits, and the organisation's quota counted over e's active
// registrations. Stored works get AddedBy and AddedAt (when not given).
func applicationFor(tx *bolt.Tx, e Event, su SignUp, org int64, now time.Time) (int, *Application, error) {
	if e.Form.Empty() && su.Application == nil {
		return su.TeamSize, nil, nil
	}
	teamSize, err := checkApplication(e, su.Application, su.TeamSize)
	if err != nil {
		return 0, nil, err
	}
	var app *Application
	if su.Application != nil {
		a := *su.Application
		a.ChangedAt = time.Time{}
		a.Works = stampWorks(a.Works, su.UserID, now)
		if err := checkWorks(e, a.Works, now); err != nil {
			return 0, nil, err
		}
		app = &a
	}
	if q := e.Form.OrgQuota; q > 0 && org != 0 {
		n, err := orgActive(tx, e.ID, org)
		if err != nil {
			return 0, nil, err
		}
		if n >= q {
			return 0, nil, &QuotaError{Quota: q, Org: org}
		}
	}
	return teamSize, app, nil
}

// stampWorks returns works with AddedBy set to user and a zero AddedAt set
// to now, in a new slice.
func stampWorks(works []Work, user int64, now time.Time) []Work {
	if len(works) == 0 {
		return nil
	}
	out := make([]Work, len(works))
	for i, w := range works {
		w.AddedBy = user
		if w.AddedAt.IsZero() {
			w.AddedAt = now
		}
		out[i] = w
	}
	return out
}

// OrgApplications is how many active registrations (confirmed or
// waitlisted) of the event come from the organisation: what its form's
// OrgQuota is counted against. 0 for org 0.
func (s *Store) OrgApplications(ctx context.Context, eventID, orgID int64) (int, error) {
	if orgID == 0 {
		return 0, nil
	}
	var n int
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		n, err = orgActive(tx, eventID, orgID)
		return err
	})
	return n, err
}

// orgActive is how many active registrations of event come from org, as
// the org_active counter keeps it (register adds, a cancellation takes
// away).
func orgActive(tx *bolt.Tx, event, org int64) (int, error) {
	v := tx.Bucket(bucketOrgActive).Get(regKey(event, org))
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("org_active %d/%d: bad value", event, org)
	}
	return int(btoi(v)), nil
}

// addOrgActive moves the count of event's active registrations from org by
// delta (org 0, a sign-up of no organisation, is not counted); a count
// that reaches 0 is deleted.
func addOrgActive(tx *bolt.Tx, event, org int64, delta int) error {
	if org == 0 {
		return nil
	}
	n, err := orgActive(tx, event, org)
	if err != nil {
		return err
	}
	b, key := tx.Bucket(bucketOrgActive), regKey(event, org)
	if n += delta; n <= 0 {
		return b.Delete(key)
	}
	return b.Put(key, itob(int64(n)))
}
