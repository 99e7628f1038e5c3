package bot

import (
	"context"
	"errors"

	"vmeste/storage"
)

// Handing an event over: its author (or an admin) makes another
// coordinator of the event's owner organisation its author, from the
// card's «👤 Передать». An author must do so (or cancel) before /forget;
// a coordinator leaving the school does it too. The new author gets the
// daily summaries and the notices of admins' changes; both are told.
//
// Who may hand over is not a column of accessRules (access.go): the
// table's standings do not tell a published event's author from the other
// coordinators of its organisation, and only the author (or an admin) may
// give the authorship away.

// maxHandOverChoices bounds the coordinators offered as buttons.
const maxHandOverChoices = 20

// mayHandOver reports whether r's user may hand e over: an admin, or its
// author while a coordinator; only drafts and published events.
func mayHandOver(r *Request, e storage.Event) bool {
	if e.Status != storage.EventDraft && e.Status != storage.EventPublished {
		return false
	}
	return r.Admin || (r.Role() >= roleCoordinator && e.CreatedBy != 0 && e.CreatedBy == r.User.ID)
}

// handOverEvent loads the event of a hand-over button for r's user; ok is
// false when they have been told why not.
func (b *Bot) handOverEvent(ctx context.Context, r *Request, args []string) (storage.Event, bool, error) {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return e, false, err
	}
	if !mayHandOver(r, e) {
		b.log.Warn("refused: hand over", "user_id", r.User.ID, "event", e.ID)
		return e, false, b.answer(ctx, r, r.P.T("handover_not_yours"), true)
	}
	return e, true, nil
}

// cbHandOver lists the coordinators of the event's organisation to hand
// it over to: eho:<event id>.
func (b *Bot) cbHandOver(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.handOverEvent(ctx, r, args)
	if !ok {
		return err
	}
	all, err := b.store.Coordinators(ctx)
	if err != nil {
		return err
	}
	var kb keyboard
	for _, u := range all {
		if !u.Registered || u.ID == e.CreatedBy || e.OwnerOrg == 0 || u.OrgID != e.OwnerOrg || len(kb) == maxHandOverChoices {
			continue
		}
		kb = append(kb, []modelsButton{button(truncateRunes(personName(r.P, u.ID, u), 40), cb(cbHandOverPick, e.ID, u.ID))})
	}
	back := []modelsButton{button(r.P.T("btn_back_to_event"), cb(cbEventCard, e.ID))}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	if len(kb) == 0 {
		return b.reply(ctx, r, r.P.T("handover_nobody", "Title", e.Title, "Org", b.orgName(ctx, e.OwnerOrg)), keyboard{back})
	}
	return b.reply(ctx, r, r.P.T("handover_pick", "Title", e.Title, "Org", b.orgName(ctx, e.OwnerOrg)), append(kb, back))
}

// handOverTarget reads the coordinator a pick or a confirmation names.
func (b *Bot) handOverTarget(ctx context.Context, r *Request, args []string) (storage.Event, storage.User, bool, error) {
	e, ok, err := b.handOverEvent(ctx, r, args)
	if !ok {
		return e, storage.User{}, false, err
	}
	to, valid := argID(args, 1)
	if !valid || len(args) != 2 {
		return e, storage.User{}, false, b.stale(ctx, r)
	}
	u, err := b.store.User(ctx, to)
	if err != nil && !storage.IsNotFound(err) {
		return e, storage.User{}, false, err
	}
	if err != nil || u.Role != storage.RoleCoordinator || u.OrgID != e.OwnerOrg || !u.Registered {
		return e, storage.User{}, false, b.answer(ctx, r, r.P.T("handover_not_coordinator"), true)
	}
	return e, u, true, nil
}

// cbHandOverPick asks to confirm: ehp:<event id>:<user id>.
func (b *Bot) cbHandOverPick(ctx context.Context, r *Request, args []string) error {
	e, to, ok, err := b.handOverTarget(ctx, r, args)
	if !ok {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("handover_ask", "Title", e.Title, "Name", to.FullName), keyboard{
		{button(r.P.T("btn_handover_yes"), cb(cbHandOverYes, e.ID, to.ID))},
		{button(r.P.T("btn_back"), cb(cbHandOver, e.ID))},
	})
}

// cbHandOverYes hands the event over: ehy:<event id>:<user id>. Both
// authors are told through the outbox in the same transaction.
func (b *Bot) cbHandOverYes(ctx context.Context, r *Request, args []string) error {
	e, to, ok, err := b.handOverTarget(ctx, r, args)
	if !ok {
		return err
	}
	_, err = b.store.HandOverEvent(ctx, e.ID, to.ID, b.notifyHandOver)
	switch {
	case errors.Is(err, storage.ErrNotOwnerCoordinator):
		return b.answer(ctx, r, r.P.T("handover_not_coordinator"), true)
	case storage.IsNotFound(err):
		return b.answer(ctx, r, r.P.T("event_gone"), true)
	case err != nil:
		return err
	}
	if err := b.answer(ctx, r, r.P.T("handover_done_short"), false); err != nil {
		return err
	}
	return b.showCardNoting(ctx, r, e.ID, "", false, r.P.T("handover_done", "Name", to.FullName))
}

// notifyHandOver renders the notice of a hand-over to u, the old or the
// new author (runs inside the storage transaction: computes only).
func (b *Bot) notifyHandOver(u storage.User, e storage.Event, from, to storage.User) storage.Content {
	p := b.catalog.For(u.Lang)
	text := p.T("handover_notice_from", "Title", e.Title, "Name", personName(p, to.ID, to))
	if u.ID == to.ID {
		text = p.T("handover_notice_to", "Title", e.Title, "Name", personName(p, from.ID, from))
	}
	return storage.Content{Text: text, Buttons: [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, e.ID)}}}}
}

// handOverButton is the card's «👤 Передать» row, for those who may.
func handOverButton(r *Request, e storage.Event) []modelsButton {
	if !mayHandOver(r, e) {
		return nil
	}
	return []modelsButton{button(r.P.T("btn_handover"), cb(cbHandOver, e.ID))}
}
