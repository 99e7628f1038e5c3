package storage

import (
	"time"
)

// DueKind is a kind of scheduled work on an event, kept in the due index
// so that a tick reads only what is due.
type DueKind byte

// Kinds of scheduled work.
const (
	// DueReminder: remind the confirmed participants, Offset before Start.
	DueReminder DueKind = 'r'
	// DueDeadline: at 10:00 (district time) the day before the registration
	// deadline, tell the teachers who have not signed up.
	DueDeadline DueKind = 'd'
	// DueFinish: the event has ended (End, or Start + 3 h): mark it
	// finished and ask its coordinator for attendance and results.
	DueFinish DueKind = 'f'
)

// FinishAfter is how long after its start an event without an end is
// taken to be over.
const FinishAfter = 3 * time.Hour

// Renderer renders the messages of scheduled work in each recipient's
// language. Its methods run inside storage transactions: they must only
// compute (no I/O, no side effects).
type Renderer interface {
	Reminder(u User, e Event, offset time.Duration) Content
	DeadlineNotice(u User, e Event) Content
	Finished(u User, e Event) Content
}

// DueItem is one piece of scheduled work that was due.
type DueItem struct {
	Kind    DueKind
	EventID int64
	Offset  time.Duration // reminders only
	Due     time.Time
	// Messages is how many outbox entries it enqueued.
	Messages int
	// Skipped is set when it was due but no longer applied: a reminder of an
	// event that has already started, or any work of an event that is not
	// published any more.
	Skipped bool
	// Err is why the item could not be done (its key is dropped so that the
	// rest of the schedule goes on); nil when it was done or skipped.
	Err error
}

// SummaryItem is one event's new sign-ups, for a coordinator's daily
// summary.
type SummaryItem struct {
	Event      Event
	NewSignups int
	// Changed is how many applications to the event were changed by their
	// teachers in the period (and still hold a seat or a place in line).
	Changed int
}
