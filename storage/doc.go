// Package storage is Vmeste's only persistence: one bbolt file holding
// organisations (and requests for missing ones), users, wizard state,
// invitations, events and their registrations and waitlists, the outbox of
// messages the bot sends on its own, broadcasts, the due index of
// scheduled work, and the inbox of updates received but not yet handled. The Store type's comment lists
// every bucket and its keys.
//
// # Basics
//
// Open the file with Open; every method of Store runs in one bbolt
// transaction and copies the values it returns out of it, so a result stays
// valid after the call. A rule about data (who is seated, who is promoted,
// what is due) is decided inside one transaction. Store is safe for
// concurrent use: bbolt serialises writers and lets readers run in
// parallel.
//
// A lookup that finds nothing returns ErrNotFound (wrapped; test it with
// errors.Is), never a zero value and a nil error.
//
// The rules the bot's two faces share (the chat, package bot, and the
// Mini App, package webapp) live here too, so that neither keeps its own
// copy: who may do what to an event (access.go: AccessRules, StandingOf,
// May), the limits of an event's fields and the words for a bad value
// (event_fields.go), the school year (SchoolYear).
//
// # Sign-up rules
//
// Each is decided in one transaction, against the registrations as they
// are at that moment; callers only report what it decided:
//
//   - Register seats a newcomer only while a seat is free and nobody waits;
//     otherwise the newcomer joins the end of the line. A team above the
//     event's size at that moment is refused (ErrTeamTooLarge).
//   - CancelRegistration frees the seat and confirms the first in line (and
//     enqueues their notice), if the event is published and has not
//     started.
//   - UpdateEvent refuses a capacity below the seats taken, a team size
//     below a team signed up and an organisation quota below the
//     applications one organisation has (a *LimitError with the figures);
//     seats it adds go to the line, first come first, each promoted user
//     told. A change of the application form never deletes what
//     applications hold.
//   - CancelEvent cancels and tells every participant; nobody is promoted
//     after that.
//   - SetResult tells the participant their result in the same
//     transaction; a correction made while that notice is still pending
//     withdraws it, so a slip corrected at once is one message.
//   - IssueCertificates issues an event's documents from its results and
//     attendance, with each teacher's delivery, in one transaction: a
//     certificate already held is not issued again (two coordinators
//     pressing at once issue each once), and one whose reason changed is
//     revoked, naming its replacement.
//
// So a published event never has a free seat while anyone waits, and
// Taken and Waiting always equal the rows. TestSignUpRulesModel checks all
// of this against a model (see its comment for a longer run).
//
// # Caveats
//
// Every write fsyncs before it returns: a nil error means the change is on
// disk and may be confirmed to the user. Opening a file that another process
// holds fails with ErrLocked after Options.LockTimeout.
//
// Nothing is forgotten unless Prune is called: it deletes finished outbox
// entries and the bookkeeping that can no longer matter once older than a
// given time. The file never shrinks; bbolt reuses the freed pages. A
// person is forgotten by ForgetUser (forget.go), in one transaction: their
// records go, their registrations stay under an anonymous (negative) id
// for the reports' figures, and their name and what they entered are
// replaced in other people's stored messages. Freed pages keep the old
// bytes until bbolt reuses them, and backups made before keep them too.
//
// The audit trail (audit.go) is written by the writers themselves: each
// change a coordinator or admin makes appends one entry in its own
// transaction, the actor taken from the context (WithActor); a caller that
// sets none is recorded as the bot (0). PruneAudit forgets entries older
// than its own retention; ForgetUser moves a person's entries to their
// anonymous id.
//
// bbolt trusts its file: one cut short, or with a page of garbage, kills
// the process (SIGBUS) or panics when bbolt reads there. So Open and
// VerifyBackup check a file before bbolt maps it for writing (check.go):
// size, both meta pages, then every page and Tx.Check, read-only, with
// faults and panics recovered. A file that fails is ErrDamaged and is not
// written to. bbolt keeps no checksum of its data pages: bytes changed
// inside a value are not found. After a clean Close, Open skips the page
// check when the stamp Close left names the file exactly as it is
// (cleanstamp.go); Check runs the full check on demand and Compact
// rewrites the file without its free pages (maintenance.go), both offline.
//
// GenerateDistrict (generate.go) writes a district of any size through
// the same helpers, for the benchmarks and the startup test at scale.
package storage
