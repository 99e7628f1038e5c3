package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EventKind is the kind of a joint event (product.md, "Events").
type EventKind string

// Event kinds, in the order they are offered.
const (
	EventContest     EventKind = "contest"
	EventCompetition EventKind = "competition"
	EventSeminar     EventKind = "seminar"
	EventConference  EventKind = "conference"
	EventCampaign    EventKind = "campaign"
	EventCelebration EventKind = "celebration"
	EventMasterClass EventKind = "master_class"
	EventExhibition  EventKind = "exhibition"
	EventPreventive  EventKind = "preventive"
	EventMeeting     EventKind = "meeting"
	EventCamp        EventKind = "camp"
	EventOther       EventKind = "other"
)

// EventKinds lists every event kind in display order.
var EventKinds = []EventKind{EventContest, EventCompetition, EventSeminar, EventConference, EventCampaign,
	EventCelebration, EventMasterClass, EventExhibition, EventPreventive, EventMeeting, EventCamp, EventOther}

// Valid reports whether k is one of EventKinds.
func (k EventKind) Valid() bool {
	for _, v := range EventKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Graded reports whether the kind has results (places): contests and
// competitions.
func (k EventKind) Graded() bool { return k == EventContest || k == EventCompetition }

// DefaultReminders are the reminder offsets before the start for a kind:
// 7 days and 1 day before a contest or competition, 1 day and 2 hours
// before other kinds.
func DefaultReminders(k EventKind) []time.Duration {
	if k.Graded() {
		return []time.Duration{7 * 24 * time.Hour, 24 * time.Hour}
	}
	return []time.Duration{24 * time.Hour, 2 * time.Hour}
}

// EventStatus is where an event is in its life.
type EventStatus string

// Event statuses.
const (
	EventDraft     EventStatus = "draft"
	EventPublished EventStatus = "published"
	EventCancelled EventStatus = "cancelled"
	EventFinished  EventStatus = "finished"
)

// Participation units.
const (
	UnitIndividual = "individual" // one teacher is one seat
	UnitTeam       = "team"       // a teacher with up to MaxTeam students is one seat
)

// Document is a file kept by Telegram (the regulations, положение).
type Document struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name,omitempty"`
}

// Event is a joint event of one or more organisations.
type Event struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Kind        EventKind `json:"kind"`
	Description string    `json:"description,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end,omitzero"` // zero: no end given
	Place       string    `json:"place"`
	// Organisers are one or more organisations (that is what makes the
	// event interagency).
	Organisers []int64 `json:"organisers"`
	Audience   string  `json:"audience,omitempty"` // free text: grades, ages
	Unit       string  `json:"unit"`               // UnitIndividual or UnitTeam
	MaxTeam    int     `json:"max_team,omitempty"` // students in a team, for UnitTeam
	// Capacity is the number of sign-ups (seats); 0 means no limit.
	Capacity int       `json:"capacity,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"` // zero: sign-up open until the start
	// Reminders are offsets before Start at which participants are
	// reminded.
	Reminders   []time.Duration `json:"reminders,omitempty"`
	Regulations *Document       `json:"regulations,omitempty"`
	// Form is the application form a sign-up fills in (application.go);
	// zero: a sign-up is a seat (and a head count for a team event).
	Form      Form        `json:"form,omitzero"`
	Status    EventStatus `json:"status"`
	CreatedBy int64       `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	// Revision counts the changes made to the event since it was created:
	// every writer that sets UpdatedAt (an edit, publishing, cancelling,
	// finishing, a hand-over) adds one through touch; a sign-up, which
	// changes only Taken and Waiting, does not. It is the SEQUENCE of the
	// event in calendars (package calendar), which must grow with every
	// change for a phone to take the new version of an entry it has.
	Revision int `json:"rev,omitempty"`

	// OwnerOrg is the organisation the event belongs to: its author's at
	// creation (CreateEvent decides it), never changed by an edit. Its
	// coordinators publish, cancel, announce and mark results; 0 only for
	// an event whose author had no organisation and which had no
	// organisers.
	OwnerOrg int64 `json:"owner_org,omitempty"`

	// Taken and Waiting are kept in step with the registrations, in the
	// same transactions: confirmed seats and the waitlist's length.
	Taken   int `json:"taken"`
	Waiting int `json:"waiting"`
}

// touch records a change of the event at now: UpdatedAt and Revision.
func (e *Event) touch(now time.Time) {
	e.UpdatedAt = now
	e.Revision++
}

// SignUpClosesAt is when sign-up closes: the deadline, or the start.
func (e Event) SignUpClosesAt() time.Time {
	if !e.Deadline.IsZero() {
		return e.Deadline
	}
	return e.Start
}

// SeatsLeft is how many seats are free; -1 when there is no limit.
func (e Event) SeatsLeft() int {
	if e.Capacity == 0 {
		return -1
	}
	return max(0, e.Capacity-e.Taken)
}

// TeamLimit is the largest team a sign-up may bring: MaxTeam for a team
// event, 0 (no students) for an individual one.
func (e Event) TeamLimit() int {
	if e.Unit == UnitTeam {
		return e.MaxTeam
	}
	return 0
}

// seatFree reports whether a seat is free: no capacity, or fewer taken.
func (e Event) seatFree() bool { return e.Capacity == 0 || e.Taken < e.Capacity }

// RegistrationState is where a sign-up is.
type RegistrationState string

// Registration states.
const (
	RegConfirmed RegistrationState = "confirmed"
	RegWaitlist  RegistrationState = "waitlist"
	RegCancelled RegistrationState = "cancelled"
)

// Results a participant of a contest or competition may get.
const (
	ResultFirst    = "1"
	ResultSecond   = "2"
	ResultThird    = "3"
	ResultLaureate = "laureate"
)

// Registration is one teacher's sign-up (themselves, or a team of students)
// for one event.
type Registration struct {
	EventID  int64             `json:"event_id"`
	UserID   int64             `json:"user_id"`
	TeamSize int               `json:"team_size,omitempty"` // students, for team events
	TeamName string            `json:"team_name,omitempty"` // class or team name
	State    RegistrationState `json:"state"`
	// OrgID is the teacher's organisation when they signed up: the form's
	// quota counts by it, and reports keep it after /forget.
	OrgID int64 `json:"org_id,omitempty"`
	// Application is what the event's form asked for (nil: the form asks
	// for nothing, or the sign-up predates forms).
	Application *Application `json:"application,omitempty"`
	// WaitSeq orders the waitlist (smaller is earlier); 0 when confirmed.
	WaitSeq   int64     `json:"wait_seq,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Attended is nil until attendance is marked.
	Attended *bool  `json:"attended,omitempty"`
	Result   string `json:"result,omitempty"`
	// ResultTold is the result the participant was last told of by a
	// notice that left the outbox ("" when none, or when told it was
	// taken away); SetResult keeps it.
	ResultTold string `json:"result_told,omitempty"`
	// ResultNotice is the outbox entry telling the participant Result, sent
	// or not; 0 when there is none to withdraw.
	ResultNotice int64 `json:"result_notice,omitempty"`
}

// SignUp is a request to sign up.
type SignUp struct {
	EventID  int64
	UserID   int64
	TeamSize int
	TeamName string
	// Application is the filled-in form; for a form with Pupils its pupils
	// decide the team size (TeamSize is ignored).
	Application *Application
}

// Participant is a registration with its user, for lists.
type Participant struct {
	Registration
	User User
}

// MyRegistration is a user's registration with its event, for /my.
type MyRegistration struct {
	Registration
	Event Event
}

// Notify renders the outbox message to one user about an event (a waitlist
// promotion, a cancellation; a change of time or place is a ChangeNotify).
// It runs inside the transaction, so it must only compute: no I/O, no side
// effects.
type Notify func(u User, e Event) Content

var (
	// ErrAlreadyRegistered is returned by Register when the user has an
	// active (confirmed or waitlisted) registration for the event.
	ErrAlreadyRegistered = errors.New("storage: already registered")
	// ErrSignUpClosed is returned by Register after the deadline (or the
	// start), and for an event that is not published.
	ErrSignUpClosed = errors.New("storage: sign-up closed")
	// ErrNotRegistered is returned by CancelRegistration when the user has
	// no active registration for the event.
	ErrNotRegistered = errors.New("storage: not registered")
	// ErrStateChanged is returned by CancelRegistrationIf when the
	// registration is no longer in the state the caller saw.
	ErrStateChanged = errors.New("storage: registration state changed")
	// ErrTeamTooLarge is returned by Register when the team is larger than
	// the event's maximum team size as stored at that moment (any team at
	// all, for an individual event).
	ErrTeamTooLarge = errors.New("storage: team larger than the event allows")
	// ErrCapacityBelowTaken is returned (inside a *LimitError) by
	// UpdateEvent when the new capacity is below the seats already taken.
	ErrCapacityBelowTaken = errors.New("storage: capacity below the seats taken")
	// ErrTeamSizeBelowTaken is returned (inside a *LimitError) by
	// UpdateEvent when the new maximum team size is below the size of a team
	// signed up (confirmed or waitlisted); an individual event's maximum is
	// 0, so making an event with teams signed up individual is refused too.
	ErrTeamSizeBelowTaken = errors.New("storage: team size below a team signed up")
	// ErrQuotaBelowTaken is returned (inside a *LimitError) by UpdateEvent
	// when the form's new OrgQuota (other than 0, no limit) is below the
	// active applications (confirmed or waitlisted) one organisation
	// already has.
	ErrQuotaBelowTaken = errors.New("storage: organisation quota below the applications taken")
)

// LimitError is UpdateEvent's refusal of a capacity, team size or
// organisation quota below what is signed up, with the figures the
// transaction read. It wraps ErrCapacityBelowTaken, ErrTeamSizeBelowTaken
// or ErrQuotaBelowTaken: callers test with errors.Is and read the figures
// with errors.As.
type LimitError struct {
	// Err is ErrCapacityBelowTaken, ErrTeamSizeBelowTaken or
	// ErrQuotaBelowTaken.
	Err error
	// Taken is the confirmed seats when the edit was refused.
	Taken int
	// LargestTeam is the largest team signed up (confirmed or waitlisted)
	// when the edit was refused; 0 for individual events.
	LargestTeam int
	// OrgTaken is the most active applications (confirmed or waitlisted)
	// one organisation had when the edit was refused; set with
	// ErrQuotaBelowTaken only.
	OrgTaken int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%v (taken %d, largest team %d, most from one organisation %d)", e.Err, e.Taken, e.LargestTeam, e.OrgTaken)
}

// Unwrap returns Err.
func (e *LimitError) Unwrap() error { return e.Err }

// ResultNotify renders the outbox message that tells a participant their
// result at an event: result is the new one ("" when it was taken away),
// told the one they were last told of ("" if none). Like Notify it runs
// inside the transaction: compute only.
type ResultNotify func(u User, e Event, result, told string) Content

// ChangeNotify renders the outbox message to one participant about a change
// of an event's time or place, from the event as it was (before) to as it
// is (after). Like Notify it runs inside the transaction: compute only.
type ChangeNotify func(u User, before, after Event) Content

// EventUpdate is what UpdateEvent decided, all in one transaction.
type EventUpdate struct {
	// Before is the event as stored when the transaction began.
	Before Event
	// Event is the event as stored now, counters included.
	Event Event
	// Notified is how many change notices were enqueued.
	Notified int
	// Promoted are the registrations confirmed from the waitlist because
	// the edit freed seats, first in line first (each promoted user who is
	// active was sent the promotion notice).
	Promoted []Registration
}

// The functions below are implemented in events_store.go.
var _ = context.Background
