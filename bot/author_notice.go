package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"vmeste/locales"
	"vmeste/storage"
)

// When an admin changes an event that is not theirs (not its author, not
// of its organisation), the author is told what changed, in the author's
// language, through the outbox.

// change is what an admin did to an event.
type change int

const (
	changeEdited change = iota
	changePublished
	changeCancelled
)

// authorNotice is the notice to before's author about r's user's change
// (after is the event as it is to be stored), if r's user is an admin
// acting on someone else's event; none otherwise. It only renders: the
// caller hands it to the storage call that makes the change, which
// enqueues it in the same transaction, so the author is told if and only
// if the change is committed. An author who is gone, blocked the bot, or
// made the change is not told.
func (b *Bot) authorNotice(ctx context.Context, r *Request, before, after storage.Event, what change) ([]storage.OutboxEntry, error) {
	if standingOf(r, before) != standAdmin || before.CreatedBy == r.User.ID ||
		(before.OwnerOrg != 0 && r.User.OrgID == before.OwnerOrg) {
		return nil, nil
	}
	author, err := b.store.User(ctx, before.CreatedBy)
	if storage.IsNotFound(err) || (err == nil && (!author.Active || author.ChatID == 0)) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bot: the notice to the author of event %d: %w", before.ID, err)
	}
	p := b.catalog.For(author.Lang)
	adminName := r.User.FullName
	if adminName == "" {
		adminName = r.From.FirstName
	}
	var lines []string
	switch what {
	case changePublished:
		lines = []string{p.T("notice_admin_published", "Title", after.Title, "Admin", adminName)}
	case changeCancelled:
		key := "notice_admin_cancelled"
		if before.Status == storage.EventDraft {
			key = "notice_admin_deleted"
		}
		lines = []string{p.T(key, "Title", after.Title, "Admin", adminName)}
	default:
		diff := b.eventDiff(ctx, p, before, after)
		if len(diff) == 0 {
			return nil, nil
		}
		lines = append([]string{p.T("notice_admin_edited", "Title", before.Title, "Admin", adminName)}, diff...)
	}
	b.log.Info("author to be told of an admin's change", "event", after.ID, "author", author.ID, "admin", r.User.ID, "change", int(what))
	return []storage.OutboxEntry{{
		ChatID: author.ChatID, UserID: author.ID,
		Content: storage.Content{
			Text:    p.FitLines(lines, 0),
			Buttons: [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, after.ID)}}},
		},
		Origin: storage.Origin{Kind: storage.OriginNotice, Key: "author:" + strconv.FormatInt(after.ID, 10)},
	}}, nil
}

// maxDiffValue bounds each value quoted in a change notice.
const maxDiffValue = 100

// eventDiff is one line per field that differs between before and after,
// named as the edit wizard names it: "was → now" where a value is short,
// just "changed" for the description, the regulations and the reminders'
// details.
func (b *Bot) eventDiff(ctx context.Context, p locales.Printer, before, after storage.Event) []string {
	var lines []string
	was := func(step, old, now string) {
		if old != now {
			lines = append(lines, p.T("notice_admin_field", "Field", p.T("field_"+step),
				"Was", truncateRunes(old, maxDiffValue), "Now", truncateRunes(now, maxDiffValue)))
		}
	}
	changed := func(step string, differ bool) {
		if differ {
			lines = append(lines, p.T("notice_admin_field_changed", "Field", p.T("field_"+step)))
		}
	}
	start := func(e storage.Event) string { return p.DateYear(e.Start.In(b.cfg.Location)) }
	optionalDate := func(e storage.Event, end bool) string {
		t := e.Deadline
		if end {
			t = e.End
		}
		if t.IsZero() {
			return "—"
		}
		return p.DateYear(t.In(b.cfg.Location))
	}
	capacity := func(e storage.Event) string {
		if e.Capacity == 0 {
			return p.T("btn_no_limit")
		}
		return strconv.Itoa(e.Capacity)
	}
	unit := func(e storage.Event) string {
		if e.Unit == storage.UnitTeam {
			return p.T("btn_unit_team")
		}
		return p.T("btn_unit_individual")
	}
	was(stepTitle, before.Title, after.Title)
	was(stepKind, p.T("ekind_"+string(before.Kind)), p.T("ekind_"+string(after.Kind)))
	was(stepOrganisers, b.organiserNames(ctx, before.Organisers), b.organiserNames(ctx, after.Organisers))
	was(stepStart, start(before), start(after))
	was(stepEnd, optionalDate(before, true), optionalDate(after, true))
	was(stepPlace, before.Place, after.Place)
	was(stepAudience, before.Audience, after.Audience)
	was(stepUnit, unit(before), unit(after))
	if after.Unit == storage.UnitTeam {
		was(stepMaxTeam, strconv.Itoa(before.MaxTeam), strconv.Itoa(after.MaxTeam))
	}
	was(stepCapacity, capacity(before), capacity(after))
	was(stepDeadline, optionalDate(before, false), optionalDate(after, false))
	was(stepReminders, formatOffsets(p, before.Reminders), formatOffsets(p, after.Reminders))
	changed(stepDescription, before.Description != after.Description)
	changed(stepRegulations, !sameDocument(before.Regulations, after.Regulations))
	changed(stepForm, !sameForm(before.Form, after.Form))
	return lines
}

// sameForm reports whether two application forms ask for the same things
// (the bookkeeping of question ids aside).
func sameForm(a, b storage.Form) bool {
	a.LastQuestionID, b.LastQuestionID = 0, 0
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// sameDocument reports whether two regulations are the same file (or both
// absent).
func sameDocument(a, b *storage.Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.FileID == b.FileID
}
