package bot

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"vmeste/storage"
)

// Copying an event («🔁 Повторить» on the card, for those who may edit
// it): next year's «Безопасное колесо» is last year's with the dates
// moved. The copy is a draft of the one copying, made in one storage
// transaction, and opens in the event wizard's edit preview, so that the
// coordinator adjusts it, saves and publishes it from its card.
const (
	flowEventCopy = "event_copy"
	stepCopyDate  = "date"
)

// copyState is the copy flow's state: the event being copied.
type copyState struct {
	EventID int64 `json:"event_id"`
}

// yearsAhead is the shift of a copy by whole years: one year, or as many
// as the first start after now needs (a copy of an event two years old
// lands in the coming year), keeping the wall-clock time in loc.
func yearsAhead(start, now time.Time, loc *time.Location) func(time.Time) time.Time {
	n := 1
	for n < 100 && !start.In(loc).AddDate(n, 0, 0).After(now) {
		n++
	}
	return func(t time.Time) time.Time { return t.In(loc).AddDate(n, 0, 0) }
}

// cbEventCopy asks when the copy starts: a year ahead (a button), or a
// date typed. ecp:<event id>.
func (b *Bot) cbEventCopy(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actEdit)
	if !ok {
		return err
	}
	data, _ := json.Marshal(copyState{EventID: e.ID})
	if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowEventCopy, Step: stepCopyDate, Data: data}); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askCopyDate(ctx, r, e)
}

// askCopyDate is the copy's question, as a new message under the card.
func (b *Bot) askCopyDate(ctx context.Context, r *Request, e storage.Event) error {
	p, loc := r.P, b.cfg.Location
	next := yearsAhead(e.Start, b.cfg.Now(), loc)(e.Start)
	kb := keyboard{
		{button(p.T("btn_copy_year", "When", localesHTML(p.DateYear(next.In(loc)))), cb(cbEventCopyYear, e.ID))},
		navRow(p, flowEventCopy, stepCopyDate, false),
	}
	_, err := b.send(ctx, r.ChatID, p.T("copy_ask_date", "Title", e.Title, "When", localesHTML(p.DateYear(e.Start.In(loc))),
		"Example", localesHTML(b.dateExample(p))), kb)
	return err
}

// resumeEventCopy asks the copy's question again.
func (b *Bot) resumeEventCopy(ctx context.Context, r *Request, c storage.Conversation) error {
	var st copyState
	if json.Unmarshal(c.Data, &st) != nil {
		return b.store.ClearConversation(ctx, r.User.ID)
	}
	e, ok, err := b.eventFor(ctx, r, st.EventID, actEdit)
	if !ok {
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return err
	}
	return b.askCopyDate(ctx, r, e)
}

// cbEventCopyYear makes the copy a year ahead. ecy:<event id>. Only the
// question still open makes a copy: the same button under an older
// question (after «Повторить» was pressed twice), pressed once the copy
// is made, is an old button and makes no second draft.
func (b *Bot) cbEventCopyYear(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actEdit)
	if !ok {
		return err
	}
	c, err := b.store.Conversation(ctx, r.User.ID)
	var st copyState
	if err != nil || c.Flow != flowEventCopy || json.Unmarshal(c.Data, &st) != nil || st.EventID != e.ID {
		return b.stale(ctx, r)
	}
	return b.makeCopy(ctx, r, e, yearsAhead(e.Start, b.cfg.Now(), b.cfg.Location))
}

// eventCopyText reads the copy's start as typed; the end and the deadline
// move by the same offset.
func (b *Bot) eventCopyText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	var st copyState
	if json.Unmarshal(c.Data, &st) != nil {
		return b.store.ClearConversation(ctx, r.User.ID)
	}
	e, ok, err := b.eventFor(ctx, r, st.EventID, actEdit)
	if !ok {
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return err
	}
	p, now := r.P, b.cfg.Now()
	start, err := parseWhen(text, now, b.cfg.Location)
	if err != nil {
		_, err := b.send(ctx, r.ChatID, b.badDate(p, stepStart, text, err, now), keyboard{navRow(p, flowEventCopy, stepCopyDate, false)})
		return err
	}
	if !start.After(now) {
		_, err := b.send(ctx, r.ChatID, p.T("ne_date_past", "When", localesHTML(p.DateYear(start.In(b.cfg.Location))),
			"Example", localesHTML(b.dateExample(p))), keyboard{navRow(p, flowEventCopy, stepCopyDate, false)})
		return err
	}
	offset := start.Sub(e.Start)
	return b.makeCopy(ctx, r, e, func(t time.Time) time.Time { return t.Add(offset) })
}

// makeCopy stores the copy of e with its dates shifted and opens it in
// the event wizard's edit preview.
func (b *Bot) makeCopy(ctx context.Context, r *Request, e storage.Event, shift func(time.Time) time.Time) error {
	c, err := b.store.CopyEvent(ctx, e.ID, r.User.ID, shift)
	switch {
	case errors.Is(err, storage.ErrShiftedPast):
		return b.tell(ctx, r, r.P.T("copy_in_past"))
	case storage.IsNotFound(err):
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return b.tell(ctx, r, r.P.T("event_gone"))
	case err != nil:
		return err
	}
	b.log.Info("event copied", "event", e.ID, "copy", c.ID, "by", r.User.ID)
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	d := eventDraft{Event: c, EditingID: c.ID, Review: true, FormSet: true}
	if err := b.store.PutConversation(ctx, r.User.ID, eventConv(stepPreview, d)); err != nil {
		return err
	}
	if r.Update.CallbackQuery != nil {
		// The question is answered: its buttons go.
		if err := b.reply(ctx, r, r.P.T("copy_made", "Title", c.Title), keyboard{}); err != nil {
			return err
		}
	} else if _, err := b.send(ctx, r.ChatID, r.P.T("copy_made", "Title", c.Title), nil); err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, b.previewText(ctx, r, d), b.previewKeyboard(r, d))
	return err
}
