package bot

import (
	"context"

	"vmeste/storage"
)

// Who may do what to an event. routes.go says which role a command or a
// button needs at all; this file says, for one event, whether this user
// may take this action. Every handler that acts on an event loads it
// through eventFor (buttonEvent for a button's first arg), and the card
// shows only the buttons may allows, so the rules below are enforced here
// and nowhere else. README.md, "Who may do what", renders the same table.

// The table itself is storage.AccessRules (storage/access.go), shared
// with the Mini App; the names below are the bot's short ones for it.

// action is something a user does to an event.
type action = storage.Action

const (
	actSee          = storage.ActSee
	actEdit         = storage.ActEdit
	actParticipants = storage.ActParticipants
	actPublish      = storage.ActPublish
	actCancel       = storage.ActCancel
	actAnnounce     = storage.ActAnnounce
	actMark         = storage.ActMark
)

// standing is who a user is to one event; standingOf decides it.
type standing = storage.Standing

const (
	standAdmin       = storage.StandAdmin
	standOwner       = storage.StandOwner
	standCoorganiser = storage.StandCoorganiser
	standAuthor      = storage.StandAuthor
	standOther       = storage.StandOther
	standNone        = storage.StandNone
)

// accessRules is storage.AccessRules.
var accessRules = storage.AccessRules

// standingOf is r's user's standing to e (storage.StandingOf).
func standingOf(r *Request, e storage.Event) standing {
	return storage.StandingOf(r.User, r.Admin, e)
}

// may reports whether r's user may take act on e.
func (b *Bot) may(r *Request, act action, e storage.Event) bool {
	return storage.May(r.User, r.Admin, act, e)
}

// eventFor loads event id for act by r's user. When ok is false the event
// is gone or act is not theirs: they have been told (a callback answered
// with an alert, or a message sent), nothing has changed, and the caller
// returns err.
func (b *Bot) eventFor(ctx context.Context, r *Request, id int64, act action) (e storage.Event, ok bool, err error) {
	e, err = b.store.Event(ctx, id)
	switch {
	case storage.IsNotFound(err):
		// A message (a deep link) gets the longer answer, with /events.
		key := "event_gone"
		if r.Update.CallbackQuery == nil {
			key = "event_link_gone"
		}
		return e, false, b.tell(ctx, r, r.P.T(key))
	case err != nil:
		return e, false, err
	case b.may(r, act, e):
		return e, true, nil
	}
	r.refused = true
	b.log.Warn("refused: not this user's event", "user_id", r.User.ID, "event", id, "action", int(act), "standing", int(standingOf(r, e)))
	key := "refused_event_organisers"
	switch {
	case standingOf(r, e) == standNone && r.Update.CallbackQuery == nil:
		key = "event_not_published"
	case standingOf(r, e) == standNone:
		key = "event_draft_hidden"
	case act == actSee:
		key = "refused"
	case !accessRules[act][standCoorganiser]:
		key = "refused_event_owner"
	}
	return e, false, b.tell(ctx, r, r.P.T(key, "Org", b.orgName(ctx, e.OwnerOrg)))
}

// buttonEvent loads the event whose id is a button's first arg, for a
// button that needs only to see it (sign-up and the like): buttonEventFor
// with actSee.
func (b *Bot) buttonEvent(ctx context.Context, r *Request, args []string) (storage.Event, bool, error) {
	return b.buttonEventFor(ctx, r, args, actSee)
}

// buttonEventFor is eventFor for a button whose first arg is the event id;
// a malformed id is a stale button.
func (b *Bot) buttonEventFor(ctx context.Context, r *Request, args []string, act action) (storage.Event, bool, error) {
	id, valid := argID(args, 0)
	if !valid {
		return storage.Event{}, false, b.stale(ctx, r)
	}
	return b.eventFor(ctx, r, id, act)
}

// tell answers a button with an alert, or a message with a message.
func (b *Bot) tell(ctx context.Context, r *Request, text string) error {
	if r.Update.CallbackQuery != nil {
		return b.answer(ctx, r, text, true)
	}
	_, err := b.send(ctx, r.ChatID, text, nil)
	return err
}

// orgName is an organisation's full name, or "—" when it is unknown.
func (b *Bot) orgName(ctx context.Context, id int64) string {
	o, err := b.store.Organisation(ctx, id)
	if err != nil {
		return "—"
	}
	return o.Name
}
