package bot

import (
	"context"
	"errors"
	"strconv"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// What coordinators do on an event's card: participants, publish a draft,
// cancel, share the deep link, announce to participants, and after the
// event mark attendance and results.

const participantsPerPage = 20

// cbEventParticipants: ep:<id>:<page>. Twenty a page, so that no message
// nears Telegram's 4096 characters even with 500 sign-ups.
func (b *Bot) cbEventParticipants(ctx context.Context, r *Request, args []string) error {
	id, page, ok := eventPage(args)
	if !ok {
		return b.stale(ctx, r)
	}
	e, ok, err := b.eventFor(ctx, r, id, actParticipants)
	if !ok {
		return err
	}
	list, err := b.store.Participants(ctx, id)
	if err != nil {
		return err
	}
	pages := max(1, (len(list)+participantsPerPage-1)/participantsPerPage)
	page = min(page, pages-1)
	students := 0
	for _, pt := range list {
		if pt.State == storage.RegConfirmed {
			students += pt.TeamSize
		}
	}
	lines := []string{r.P.T("participants_title", "Title", e.Title, "Page", page+1, "Pages", pages),
		r.P.T("participants_summary", "Confirmed", e.Taken, "Waiting", e.Waiting, "Students", students)}
	if len(list) == 0 {
		lines = append(lines, "", r.P.T("participants_empty"))
	}
	// Confirmed first, numbered; then the waitlist, numbered by place.
	confirmed := 0
	for _, pt := range list {
		if pt.State == storage.RegConfirmed {
			confirmed++
		}
	}
	for i, pt := range list[page*participantsPerPage : min(len(list), (page+1)*participantsPerPage)] {
		n := page*participantsPerPage + i + 1
		if pt.State == storage.RegWaitlist {
			if n == confirmed+1 || i == 0 {
				lines = append(lines, "", r.P.T("participants_waitlist"))
			}
			n -= confirmed
		}
		lines = append(lines, b.participantLine(ctx, r, n, pt))
	}
	kb := pagerFor(r, cbEventParticipants, id, page, pages)
	kb = append(kb, []modelsButton{button(r.P.T("btn_back_to_event"), cb(cbEventCard, id))})
	return b.reply(ctx, r, r.P.FitLines(lines, 0), kb)
}

// participantLine: "3. Иванова Мария — СОШ №1, команда 5 «5А»" (+ place,
// attendance, waitlist).
func (b *Bot) participantLine(ctx context.Context, r *Request, n int, pt storage.Participant) string {
	name := personName(r.P, pt.UserID, pt.User)
	org := pt.User.OrgID
	if org == 0 {
		org = pt.OrgID // the organisation it was signed up from: all that is left after /forget
	}
	line := r.P.T("participant_line", "N", n, "Name", truncateRunes(name, 60), "Org", truncateRunes(b.orgShortLabel(ctx, org), 40))
	switch {
	case pt.TeamSize > 0 && pt.TeamName != "":
		line += r.P.N("participant_team_named", pt.TeamSize, "Name", truncateRunes(pt.TeamName, 30))
	case pt.TeamSize > 0:
		line += r.P.N("participant_team", pt.TeamSize)
	}
	if pt.Attended != nil && *pt.Attended {
		line += " ✅"
	}
	if pt.Result != "" {
		line += " 🏆 " + r.P.T("result_"+pt.Result)
	}
	return line
}

// pagerFor is the Previous/Next row for a list that belongs to an event:
// prefix:<event id>:<page>.
func pagerFor(r *Request, prefix string, id int64, page, pages int) keyboard {
	if pages <= 1 {
		return keyboard{}
	}
	var row []modelsButton
	if page > 0 {
		row = append(row, button(r.P.T("btn_prev"), cb(prefix, id, page-1)))
	}
	row = append(row, button(r.P.T("page_of", "Page", page+1, "Pages", pages), cb(prefix, id, page)))
	if page < pages-1 {
		row = append(row, button(r.P.T("btn_next"), cb(prefix, id, page+1)))
	}
	return keyboard{row}
}

// cbEventPublish publishes a draft: eu:<id>.
func (b *Bot) cbEventPublish(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actPublish)
	if !ok {
		return err
	}
	id := e.ID
	if e.Status != storage.EventDraft {
		return errors.Join(b.answer(ctx, r, r.P.T("event_not_draft"), true), b.showCard(ctx, r, id, "", false))
	}
	after := e
	after.Status = storage.EventPublished
	notice, err := b.authorNotice(ctx, r, e, after, changePublished)
	if err != nil {
		return err
	}
	published, err := b.store.PublishEvent(ctx, id, notice...) // decides that the start is ahead
	if errors.Is(err, storage.ErrStartPassed) {
		return b.answer(ctx, r, r.P.T("ne_start_passed"), true)
	}
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("event_published"), false); err != nil {
		return err
	}
	if err := b.showCard(ctx, r, id, "", false); err != nil {
		return err
	}
	return b.askAnnounce(ctx, r, published)
}

// cbEventCancel asks to confirm cancelling the event: ex:<id>.
func (b *Bot) cbEventCancel(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actCancel)
	if !ok {
		return err
	}
	id := e.ID
	key := "event_cancel_confirm"
	switch {
	case e.Status == storage.EventDraft:
		key = "draft_delete_confirm"
	case e.Taken+e.Waiting == 0:
		key = "event_cancel_confirm_nobody"
	}
	return b.reply(ctx, r, r.P.N(key, e.Taken+e.Waiting, "Title", e.Title), keyboard{
		{button(r.P.T("btn_event_cancel_yes"), cb(cbEventCancelYes, id)), button(r.P.T("btn_no"), cb(cbEventCard, id))},
	})
}

// cbEventCancelYes cancels the event; its participants are told through
// the outbox in the same transaction.
func (b *Bot) cbEventCancelYes(ctx context.Context, r *Request, args []string) error {
	before, ok, err := b.buttonEventFor(ctx, r, args, actCancel)
	if !ok {
		return err
	}
	id := before.ID
	after := before
	after.Status = storage.EventCancelled
	notice, err := b.authorNotice(ctx, r, before, after, changeCancelled)
	if err != nil {
		return err
	}
	e, notified, err := b.store.CancelEvent(ctx, id, b.notifyCancelled, notice...)
	if storage.IsNotFound(err) {
		return b.answer(ctx, r, r.P.T("event_gone"), true)
	}
	if err != nil {
		return err
	}
	b.log.Info("event cancelled", "event", id, "by", r.User.ID, "notified", notified)
	if err := b.answer(ctx, r, r.P.T("event_cancelled_short"), false); err != nil {
		return err
	}
	text := r.P.N("event_cancelled", notified, "Title", e.Title)
	if notified == 0 {
		text = r.P.T("event_cancelled_nobody", "Title", e.Title)
	}
	return b.reply(ctx, r, text, keyboard{{button(r.P.T("btn_open_event"), cb(cbEventCard, id))}})
}

// notifyResult renders the notice of a participant's result, in their
// language (runs inside the storage transaction: computes only): the
// first result they hear of, a corrected one, or that they have none now.
func (b *Bot) notifyResult(u storage.User, e storage.Event, result, told string) storage.Content {
	p := b.catalog.For(u.Lang)
	var text string
	switch {
	case told == "":
		text = p.T("notice_result", "Title", e.Title, "Result", localesHTML(p.T("result_"+result)))
	case result == "":
		text = p.T("notice_result_none", "Title", e.Title, "Was", localesHTML(p.T("result_"+told)))
	default:
		text = p.T("notice_result_changed", "Title", e.Title, "Result", localesHTML(p.T("result_"+result)),
			"Was", localesHTML(p.T("result_"+told)))
	}
	return storage.Content{Text: text, Buttons: [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, e.ID)}}}}
}

// notifyCancelled renders the notice of a cancelled event.
func (b *Bot) notifyCancelled(u storage.User, e storage.Event) storage.Content {
	p := b.catalog.For(u.Lang)
	return storage.Content{Text: p.T("notice_cancelled", "Title", e.Title, "When", localesHTML(p.Date(e.Start.In(b.cfg.Location))))}
}

// cbEventShare sends the event's deep link to paste into other chats.
func (b *Bot) cbEventShare(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	id := e.ID
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	text := r.P.T("event_share", "Title", e.Title,
		"When", localesHTML(b.eventWhen(r.P, e)), "Place", e.Place,
		"Link", b.startLink("e"+strconv.FormatInt(id, 10)))
	if !e.Deadline.IsZero() {
		text += "\n" + r.P.T("card_deadline", "Date", localesHTML(r.P.DateYear(e.Deadline.In(b.cfg.Location))))
	}
	_, err = b.send(ctx, r.ChatID, text, nil)
	return err
}

// cbEventAnnounce starts /broadcast with the event's participants as the
// audience: ea:<id>.
func (b *Bot) cbEventAnnounce(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actAnnounce)
	if !ok {
		return err
	}
	id := e.ID
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askBroadcastMessage(ctx, r, broadcastDraft{Audience: storage.Audience{Kind: storage.AudienceEvent, EventID: id}}, true)
}

// cbEventRegulations sends the regulations file: er:<id>.
func (b *Bot) cbEventRegulations(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	if e.Regulations == nil {
		return b.answer(ctx, r, r.P.T("event_no_regulations"), true)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{
		Document: &models.InputFileString{Data: e.Regulations.FileID},
		Text:     r.P.T("event_regulations_caption", "Title", e.Title),
	})
	return err
}

// eventPage parses "<event id>:<page>".
func eventPage(args []string) (int64, int, bool) {
	id, ok1 := argID(args, 0)
	page, ok2 := argIndex(args, 1, 100000)
	return id, page, ok1 && ok2 && len(args) == 2
}

// cbAttendance lists the confirmed participants as toggles: et:<id>:<page>.
func (b *Bot) cbAttendance(ctx context.Context, r *Request, args []string) error {
	id, page, ok := eventPage(args)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.showMarking(ctx, r, id, page, false)
}

// cbResults lists the confirmed participants to give places: ew:<id>:<page>.
func (b *Bot) cbResults(ctx context.Context, r *Request, args []string) error {
	id, page, ok := eventPage(args)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.showMarking(ctx, r, id, page, true)
}

// markedParticipant parses "<event id>:<user id>:<page>" and returns the
// user's registration, any state: only a confirmed one is marked, which
// SetAttendance and SetResult decide (markRefused says so).
func (b *Bot) markedParticipant(ctx context.Context, args []string) (reg storage.Registration, page int, ok bool) {
	id, ok1 := argID(args, 0)
	user, ok2 := argParticipant(args, 1)
	page, ok3 := argIndex(args, 2, 100000)
	if !ok1 || !ok2 || !ok3 {
		return reg, 0, false
	}
	reg, err := b.store.Registration(ctx, id, user)
	return reg, page, err == nil
}

// markRefused answers a mark that storage refused (err) because the
// participant is not confirmed (waitlisted, or cancelled since the list
// was shown), in the page's words, and shows the list again; any other
// error is returned as it is.
func (b *Bot) markRefused(ctx context.Context, r *Request, id int64, page int, results bool, err error) error {
	if !errors.Is(err, storage.ErrNotConfirmed) && !errors.Is(err, storage.ErrNotRegistered) {
		return err
	}
	return errors.Join(b.answer(ctx, r, r.P.T("rules_mark_not_confirmed"), true), b.showMarking(ctx, r, id, page, results))
}

const markPerPage = 10

// showMarking shows a page of confirmed participants with a button each:
// attendance toggles, or (results) the place to give.
func (b *Bot) showMarking(ctx context.Context, r *Request, id int64, page int, results bool) error {
	e, ok, err := b.eventFor(ctx, r, id, actMark)
	if !ok {
		return err
	}
	if b.cfg.Now().Before(e.Start) {
		return b.answer(ctx, r, r.P.T("marking_not_yet"), true)
	}
	if results && !e.Kind.Graded() {
		return b.stale(ctx, r)
	}
	all, err := b.store.Participants(ctx, id)
	if err != nil {
		return err
	}
	var list []storage.Participant
	for _, pt := range all {
		if pt.State == storage.RegConfirmed {
			list = append(list, pt)
		}
	}
	pages := max(1, (len(list)+markPerPage-1)/markPerPage)
	page = min(page, pages-1)
	title, prefix := "attendance_title", cbAttendance
	if results {
		title, prefix = "results_title", cbResults
	}
	lines := []string{r.P.T(title, "Title", e.Title, "Page", page+1, "Pages", pages)}
	var kb keyboard
	for i, pt := range list[page*markPerPage : min(len(list), (page+1)*markPerPage)] {
		n := page*markPerPage + i + 1
		lines = append(lines, b.participantLine(ctx, r, n, pt))
		name := truncateRunes(personName(r.P, pt.UserID, pt.User), 40)
		if results {
			kb = append(kb, []modelsButton{button(strconv.Itoa(n)+". "+name, cb(cbResultPick, id, pt.UserID, page))})
			continue
		}
		mark := "⬜ "
		if pt.Attended != nil && *pt.Attended {
			mark = "✅ "
		}
		kb = append(kb, []modelsButton{button(mark+strconv.Itoa(n)+". "+name, cb(cbAttendanceToggle, id, pt.UserID, page))})
	}
	if len(list) == 0 {
		lines = append(lines, "", r.P.T("participants_empty"))
	}
	kb = append(kb, pagerFor(r, prefix, id, page, pages)...)
	kb = append(kb, []modelsButton{button(r.P.T("btn_back_to_event"), cb(cbEventCard, id))})
	return b.reply(ctx, r, r.P.FitLines(lines, 0), kb)
}

// cbAttendanceToggle: ett:<id>:<user>:<page>.
func (b *Bot) cbAttendanceToggle(ctx context.Context, r *Request, args []string) error {
	if _, ok, err := b.buttonEventFor(ctx, r, args, actMark); !ok {
		return err
	}
	reg, page, ok := b.markedParticipant(ctx, args)
	if !ok {
		return b.stale(ctx, r)
	}
	attended := reg.Attended == nil || !*reg.Attended
	if err := b.store.SetAttendance(ctx, reg.EventID, reg.UserID, attended); err != nil {
		return b.markRefused(ctx, r, reg.EventID, page, false, err)
	}
	return b.showMarking(ctx, r, reg.EventID, page, false)
}

// resultCodes are the places, in the order of their buttons.
var resultCodes = []string{storage.ResultFirst, storage.ResultSecond, storage.ResultThird, storage.ResultLaureate, ""}

// cbResultPick offers the places for one participant: ewp:<id>:<user>:<page>.
func (b *Bot) cbResultPick(ctx context.Context, r *Request, args []string) error {
	if _, ok, err := b.buttonEventFor(ctx, r, args, actMark); !ok {
		return err
	}
	reg, page, ok := b.markedParticipant(ctx, args)
	if !ok {
		return b.stale(ctx, r)
	}
	id, user := reg.EventID, reg.UserID
	if reg.State != storage.RegConfirmed { // said before a place is picked; SetResult decides
		return b.answer(ctx, r, r.P.T("rules_mark_not_confirmed"), true)
	}
	var kb keyboard
	for i, code := range resultCodes {
		label := r.P.T("result_none")
		if code != "" {
			label = r.P.T("result_" + code)
		}
		kb = append(kb, []modelsButton{button(label, cb(cbResultSet, id, user, i, page))})
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cb(cbResults, id, page))}) // to the list, unchanged
	name := b.userName(ctx, r, user)
	return b.reply(ctx, r, r.P.T("results_pick", "Name", name), kb)
}

// cbResultSet: ews:<id>:<user>:<result index>:<page>. The participant is
// told their result through the outbox in the same transaction
// (notifyResult); a correction made before that notice left replaces it.
func (b *Bot) cbResultSet(ctx context.Context, r *Request, args []string) error {
	id, ok1 := argID(args, 0)
	user, ok2 := argParticipant(args, 1)
	i, ok3 := argIndex(args, 2, len(resultCodes))
	page, ok4 := argIndex(args, 3, 100000)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return b.stale(ctx, r)
	}
	if _, ok, err := b.eventFor(ctx, r, id, actMark); !ok {
		return err
	}
	if err := b.store.SetResult(ctx, id, user, resultCodes[i], b.notifyResult); err != nil {
		if storage.IsNotFound(err) {
			return b.stale(ctx, r)
		}
		return b.markRefused(ctx, r, id, page, true, err)
	}
	if err := b.answer(ctx, r, r.P.T("results_saved_told"), false); err != nil {
		return err
	}
	return b.showMarking(ctx, r, id, page, true)
}
