package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The application (заявка) is what a sign-up carries beyond the seat: the
// pupils of a team, the leading teacher's phone, answers to the
// coordinator's own questions and the submitted works. An event's Form
// says what its application asks for; a zero Form asks for nothing (an
// event made before forms existed keeps its head-count sign-up).

// Limits of a form and of an application, checked by Form.Validate and by
// the storage calls that store an application.
const (
	MaxQuestions     = 5   // questions of the coordinator's own per form
	MaxOptions       = 8   // options of a choice question
	MaxQuestionLen   = 200 // runes in a question's text
	MaxOptionLen     = 40  // runes in an option
	MaxAnswerLen     = 500 // runes in a text answer
	MaxPupilNameLen  = 100 // runes in a pupil's full name
	MaxPupilClassLen = 10  // runes in a class ("5Б", "11 А", "подготовительная")
	MaxPhoneLen      = 20  // characters in a phone as stored (digits and a leading +)
	MaxWorksLimit    = 20  // the largest Works.MaxFiles a form may set
)

// Need says whether a field of a form is asked for.
type Need string

// Needs of a field.
const (
	NeedNone     Need = ""         // not asked
	NeedOptional Need = "optional" // asked, may be skipped
	NeedRequired Need = "required" // asked, must be given
)

// QuestionKind is the kind of answer a question takes.
type QuestionKind string

// Question kinds.
const (
	QuestionText   QuestionKind = "text"   // a short text
	QuestionChoice QuestionKind = "choice" // one of Options
	QuestionYesNo  QuestionKind = "yesno"  // "yes" or "no"
)

// Question is one of the coordinator's own questions («Тема выступления»,
// «Номинация»).
type Question struct {
	// ID identifies the question within its form; answers refer to it, so
	// an edit that reorders or rewords questions keeps the answers given.
	// IDs are 1, 2, … and never reused within a form.
	ID       int          `json:"id"`
	Text     string       `json:"text"`
	Kind     QuestionKind `json:"kind"`
	Options  []string     `json:"options,omitempty"` // for QuestionChoice
	Required bool         `json:"required,omitempty"`
}

// WorkKind is the kind of a submitted file.
type WorkKind string

// Work kinds, as Telegram delivers them.
const (
	WorkPhoto    WorkKind = "photo"
	WorkDocument WorkKind = "document"
	WorkVideo    WorkKind = "video"
)

// WorksSpec says that an event takes works (drawings, recordings of a
// reading) with its applications.
type WorksSpec struct {
	// Kinds are the kinds of file taken; empty means all three.
	Kinds []WorkKind `json:"kinds,omitempty"`
	// MaxFiles is the most files one application may hold (1…MaxWorksLimit).
	MaxFiles int `json:"max_files"`
	// Until is when works stop being taken; zero: until sign-up closes.
	Until time.Time `json:"until,omitzero"`
}

// Takes reports whether the spec takes a file of kind k.
func (w WorksSpec) Takes(k WorkKind) bool {
	if len(w.Kinds) == 0 {
		return k == WorkPhoto || k == WorkDocument || k == WorkVideo
	}
	for _, v := range w.Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Form is an event's application form.
type Form struct {
	// Pupils: a team event's application lists its pupils (ФИО, класс);
	// the team's size is the list's length (1…the event's MaxTeam).
	// Ignored for an individual event.
	Pupils bool `json:"pupils,omitempty"`
	// PupilBirth: each pupil's date of birth is asked too (optional per
	// pupil).
	PupilBirth bool `json:"pupil_birth,omitempty"`
	// Phone is whether the leading teacher's phone is asked.
	Phone Need `json:"phone,omitempty"`
	// Questions are the coordinator's own, at most MaxQuestions.
	Questions []Question `json:"questions,omitempty"`
	// Works, if set, says the event takes files with its applications.
	Works *WorksSpec `json:"works,omitempty"`
	// OrgQuota is the most active applications (confirmed or waitlisted)
	// from one organisation; 0: no limit.
	OrgQuota int `json:"org_quota,omitempty"`
	// LastQuestionID is the highest question id the form has ever had,
	// so that a question added after the last one was removed does not
	// take its id (and its answers). CreateEvent and UpdateEvent keep it
	// up to date; NextQuestionID reads it.
	LastQuestionID int `json:"last_question_id,omitempty"`
}

// Empty reports whether the form asks for nothing beyond the seat.
func (f Form) Empty() bool {
	return !f.Pupils && f.Phone == NeedNone && len(f.Questions) == 0 && f.Works == nil && f.OrgQuota == 0
}

// Question returns the form's question with id, if any.
func (f Form) Question(id int) (Question, bool) {
	for _, q := range f.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// NextQuestionID is the id for a question added to the form: above every
// id it has now and every id it ever had (LastQuestionID).
func (f Form) NextQuestionID() int {
	return f.lastQuestionID() + 1
}

// lastQuestionID is the highest id among the form's questions and
// LastQuestionID.
func (f Form) lastQuestionID() int {
	n := f.LastQuestionID
	for _, q := range f.Questions {
		n = max(n, q.ID)
	}
	return n
}

// DefaultForm is the form a new event of kind k and unit starts with
// (the coordinator changes it in the wizard): a team event lists its
// pupils; a contest or competition asks for the phone (optional); the
// drawing and reading contests of the program take works is left to the
// coordinator (a contest's kind does not say whether it takes files).
func DefaultForm(k EventKind, unit string) Form {
	var f Form
	if unit == UnitTeam {
		f.Pupils = true
	}
	if k.Graded() {
		f.Phone = NeedOptional
	}
	return f
}

// ErrBadForm is wrapped by Form.Validate's errors.
var ErrBadForm = errors.New("storage: bad application form")

// Validate checks the form's own limits: at most MaxQuestions questions
// with unique positive ids, non-empty texts within MaxQuestionLen, a
// choice with 2…MaxOptions distinct non-empty options within MaxOptionLen,
// a known Need and QuestionKind, Works.MaxFiles within 1…MaxWorksLimit and
// known kinds, OrgQuota not negative. The error wraps ErrBadForm.
func (f Form) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadForm, fmt.Sprintf(format, a...))
	}
	switch f.Phone {
	case NeedNone, NeedOptional, NeedRequired:
	default:
		return bad("phone need %q", f.Phone)
	}
	if len(f.Questions) > MaxQuestions {
		return bad("%d questions", len(f.Questions))
	}
	seen := map[int]bool{}
	for _, q := range f.Questions {
		if q.ID <= 0 || seen[q.ID] {
			return bad("question id %d", q.ID)
		}
		seen[q.ID] = true
		if n := utf8.RuneCountInString(strings.TrimSpace(q.Text)); n == 0 || n > MaxQuestionLen {
			return bad("question %d text of %d runes", q.ID, n)
		}
		switch q.Kind {
		case QuestionText, QuestionYesNo:
			if len(q.Options) != 0 {
				return bad("question %d: options on a %s question", q.ID, q.Kind)
			}
		case QuestionChoice:
			if len(q.Options) < 2 || len(q.Options) > MaxOptions {
				return bad("question %d: %d options", q.ID, len(q.Options))
			}
			opts := map[string]bool{}
			for _, o := range q.Options {
				n := utf8.RuneCountInString(strings.TrimSpace(o))
				if n == 0 || n > MaxOptionLen || opts[strings.ToLower(o)] {
					return bad("question %d: option %q", q.ID, o)
				}
				opts[strings.ToLower(o)] = true
			}
		default:
			return bad("question %d kind %q", q.ID, q.Kind)
		}
	}
	if w := f.Works; w != nil {
		if w.MaxFiles < 1 || w.MaxFiles > MaxWorksLimit {
			return bad("works max files %d", w.MaxFiles)
		}
		for _, k := range w.Kinds {
			if k != WorkPhoto && k != WorkDocument && k != WorkVideo {
				return bad("works kind %q", k)
			}
		}
	}
	if f.OrgQuota < 0 {
		return bad("quota %d", f.OrgQuota)
	}
	return nil
}

// Pupil is one pupil of a team's application.
type Pupil struct {
	Name  string `json:"name"`            // ФИО as typed
	Class string `json:"class"`           // класс: "5Б", "11 А"
	Birth string `json:"birth,omitempty"` // date of birth, YYYY-MM-DD, if asked and given
}

// Answer is the answer to one question of the form.
type Answer struct {
	QuestionID int    `json:"q"`
	Text       string `json:"text"` // the text, the option chosen, or "yes"/"no"
}

// Work is one file submitted with an application, kept by Telegram: the
// bot stores its file_id, never its bytes.
type Work struct {
	FileID       string   `json:"file_id"`
	FileUniqueID string   `json:"file_unique_id"`
	Kind         WorkKind `json:"kind"`
	FileName     string   `json:"file_name,omitempty"`
	MimeType     string   `json:"mime_type,omitempty"`
	Size         int64    `json:"size,omitempty"` // bytes, as Telegram said
	// AddedBy is the user who sent it (the application's teacher).
	AddedBy int64     `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Application is what a registration carries for its event's Form.
type Application struct {
	Phone   string   `json:"phone,omitempty"`
	Pupils  []Pupil  `json:"pupils,omitempty"`
	Answers []Answer `json:"answers,omitempty"`
	Works   []Work   `json:"works,omitempty"`
	// ParentsConsentAt is when the teacher confirmed that the school holds
	// the parents' consent to the processing of the pupils' data; required
	// (non-zero) whenever Pupils is not empty.
	ParentsConsentAt time.Time `json:"parents_consent_at,omitzero"`
	// ChangedAt is when the application was last changed after it was
	// submitted (zero: never); the coordinator's daily summary lists
	// applications changed in its day.
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// Answer returns the answer to question id, if given.
func (a Application) Answer(id int) (string, bool) {
	for _, x := range a.Answers {
		if x.QuestionID == id {
			return x.Text, true
		}
	}
	return "", false
}

// Errors of storing an application (Register, UpdateApplication, AddWork).
var (
	// ErrBadApplication is wrapped by an *ApplicationError: the application
	// does not fit the event's form as stored at that moment.
	ErrBadApplication = errors.New("storage: application does not fit the form")
	// ErrQuotaReached is wrapped by a *QuotaError: the teacher's
	// organisation has as many active applications as the form allows.
	ErrQuotaReached = errors.New("storage: organisation's quota reached")
	// ErrWorksClosed is returned by AddWork after the works' Until (or
	// when sign-up closed, if the form gives none), or when the event takes
	// no works or no works of that kind.
	ErrWorksClosed = errors.New("storage: works not taken")
	// ErrWorksFull is returned by AddWork when the application holds
	// Works.MaxFiles files already.
	ErrWorksFull = errors.New("storage: application holds the most works allowed")
)

// ApplicationError says which part of an application does not fit the
// form. It wraps ErrBadApplication.
type ApplicationError struct {
	// Field is "pupils", "pupil", "parents_consent", "phone", "answer".
	Field string
	// Index is the pupil's index (0-based) or the question's id, where it
	// applies.
	Index int
	// Reason is a short phrase for logs, not for users.
	Reason string
}

func (e *ApplicationError) Error() string {
	return fmt.Sprintf("%v: %s %d: %s", ErrBadApplication, e.Field, e.Index, e.Reason)
}

// Unwrap returns ErrBadApplication.
func (e *ApplicationError) Unwrap() error { return ErrBadApplication }

// QuotaError is Register's refusal under an organisation's quota, with the
// figures the transaction read. It wraps ErrQuotaReached.
type QuotaError struct {
	Quota int // the form's OrgQuota
	Org   int64
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("%v (org %d, quota %d)", ErrQuotaReached, e.Org, e.Quota)
}

// Unwrap returns ErrQuotaReached.
func (e *QuotaError) Unwrap() error { return ErrQuotaReached }

// Consent is a user's answer to the request for consent to the processing
// of personal data.
type Consent struct {
	// Version is the version of the text the user answered (a short hash
	// of the text with the operator's name); a changed text asks again.
	Version string    `json:"version"`
	Given   bool      `json:"given"`
	At      time.Time `json:"at"`
}
