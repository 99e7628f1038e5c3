package bot

import (
	"context"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"vmeste/locales"
	"vmeste/storage"
)

// The event card: what, when, where, who organises, for whom, seats,
// deadline, and the buttons that fit the user's role and the event's state.

// eventWhen renders the start (and end) in the district's zone, with the
// year: "15 марта 2027, 10:00 — 12:00".
func (b *Bot) eventWhen(p locales.Printer, e storage.Event) string {
	start := e.Start.In(b.cfg.Location)
	s := p.DateYear(start)
	if e.End.IsZero() {
		return s
	}
	end := e.End.In(b.cfg.Location)
	if sameDay(start, end) {
		return s + " — " + end.Format("15:04")
	}
	return s + " — " + p.DateYear(end)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// organiserNames lists the organisers' short names.
func (b *Bot) organiserNames(ctx context.Context, ids []int64) string {
	var names []string
	for _, id := range ids {
		names = append(names, b.orgShortLabel(ctx, id))
	}
	return strings.Join(names, ", ")
}

// maxCardOrganisers bounds the organisers named on a card.
const maxCardOrganisers = 10

// cardLines are the card's lines for r's user; reg is their registration
// (nil if none). The description comes last, so that when a card must be
// shortened to fit Telegram's limit it is the description that is cut.
func (b *Bot) cardLines(ctx context.Context, r *Request, e storage.Event, reg *storage.Registration) []string {
	p := r.P
	orgs := e.Organisers
	more := ""
	if len(orgs) > maxCardOrganisers {
		more = " " + p.N("and_more", len(orgs)-maxCardOrganisers)
		orgs = orgs[:maxCardOrganisers]
	}
	lines := []string{
		p.T("card_title", "Title", e.Title, "Kind", localesHTML(p.T("ekind_"+string(e.Kind)))),
		p.T("card_when", "When", localesHTML(b.eventWhen(p, e))),
		p.T("card_place", "Place", e.Place),
		p.T("card_organisers", "Orgs", b.organiserNames(ctx, orgs)) + more,
	}
	lines = append(lines, b.ownerLines(ctx, p, e)...)
	if e.Audience != "" {
		lines = append(lines, p.T("card_audience", "Audience", e.Audience))
	}
	if e.Unit == storage.UnitTeam {
		lines = append(lines, p.N("card_unit_team", e.MaxTeam))
	} else {
		lines = append(lines, p.T("card_unit_individual"))
	}
	if line := b.formSummary(p, e); line != "" {
		lines = append(lines, line)
	}
	now := b.cfg.Now()
	if e.Status == storage.EventDraft || (e.Status == storage.EventPublished && now.Before(e.Start)) {
		switch {
		case e.Capacity == 0 && e.Taken == 0:
			lines = append(lines, p.T("card_seats_unlimited_nobody"))
		case e.Capacity == 0:
			lines = append(lines, p.N("card_seats_unlimited", e.Taken))
		case e.SeatsLeft() == 0:
			lines = append(lines, p.T("card_seats_none", "Capacity", e.Capacity))
		default:
			lines = append(lines, p.T("card_seats", "Left", e.SeatsLeft(), "Capacity", e.Capacity))
		}
		if e.Waiting > 0 {
			lines = append(lines, p.N("card_waiting", e.Waiting))
		}
		closes := e.SignUpClosesAt()
		if now.Before(closes) {
			lines = append(lines, p.T("card_deadline", "Date", localesHTML(p.DateYear(closes.In(b.cfg.Location)))))
		} else if e.Status == storage.EventPublished {
			lines = append(lines, p.T("card_closed"))
		}
	}
	if e.Status != storage.EventPublished {
		lines = append(lines, p.T("card_status_"+string(e.Status)))
	}
	if e.Over(now) {
		lines = append(lines, p.T("card_took_part", "N", e.Taken))
	}
	if reg != nil && e.Over(now) {
		// After the event: what happened, not the sign-up.
		lines = append(lines, outcomeLines(p, *reg)...)
	} else if reg != nil {
		switch reg.State {
		case storage.RegConfirmed:
			lines = append(lines, p.T("card_you_confirmed"))
			if reg.TeamSize > 0 {
				if reg.TeamName != "" {
					lines = append(lines, p.N("card_your_team_named", reg.TeamSize, "Name", reg.TeamName))
				} else {
					lines = append(lines, p.N("card_your_team", reg.TeamSize))
				}
			}
		case storage.RegWaitlist:
			if n, err := b.waitlistPosition(ctx, e.ID, reg.UserID); err == nil && n > 0 {
				lines = append(lines, p.T("card_you_waiting_n", "N", n))
			} else {
				lines = append(lines, p.T("card_you_waiting"))
			}
		}
	}
	if e.Description != "" {
		lines = append(lines, "", p.T("card_description", "Text", e.Description))
	}
	return lines
}

// outcomeLines say what came of a sign-up once its event is over: the
// result, that the teacher took part (attendance marked), that she was
// signed up (nothing marked), or that her turn on the waitlist never came.
func outcomeLines(p locales.Printer, reg storage.Registration) []string {
	var lines []string
	switch {
	case reg.State == storage.RegWaitlist:
		return []string{p.T("card_you_waited")}
	case reg.State != storage.RegConfirmed:
		return nil
	case reg.Result != "" || (reg.Attended != nil && *reg.Attended):
		lines = append(lines, p.T("card_you_took_part"))
	default:
		lines = append(lines, p.T("card_you_were_signed"))
	}
	if reg.TeamSize > 0 {
		if reg.TeamName != "" {
			lines = append(lines, p.N("card_your_team_named", reg.TeamSize, "Name", reg.TeamName))
		} else {
			lines = append(lines, p.N("card_your_team", reg.TeamSize))
		}
	}
	if reg.Result != "" {
		lines = append(lines, p.T("card_your_result", "Result", localesHTML(p.T("result_"+reg.Result))))
	}
	return lines
}

// cardText joins prefix lines, the card's lines and tail lines, cutting
// the description to what fits in one message.
func (b *Bot) cardText(ctx context.Context, r *Request, e storage.Event, reg *storage.Registration, prefix, tail []string) string {
	lines := append(append(append([]string{}, prefix...), b.cardLines(ctx, r, e, reg)...), tail...)
	if n := utf16Len(strings.Join(lines, "\n")); n > locales.MaxMessage && utf8.RuneCountInString(e.Description) > 20 {
		// Cut the plain description and render again, so that escaping
		// is done once.
		cut := e
		keep := utf8.RuneCountInString(e.Description) - (n - locales.MaxMessage) - 50
		cut.Description = truncateRunes(e.Description, max(keep, 20))
		return b.cardText(ctx, r, cut, reg, prefix, tail)
	}
	return r.P.FitLines(lines, len(tail))
}

// cardKeyboard is the card's buttons for r's role and the event's state.
// back, if not empty, is the callback data of "« back".
func (b *Bot) cardKeyboard(r *Request, e storage.Event, reg *storage.Registration, back string) keyboard {
	return b.cardKeyboardWorks(r, e, reg, back, 0, 0)
}

// cardKeyboardWorks is cardKeyboard with the row of the event's works
// («📎 Работы (N)», «🗜 Архивом») for those who may see them, when works
// (their number) is above 0, and «📄 Мои документы (N)» when the user holds
// docs (their number) of the event.
func (b *Bot) cardKeyboardWorks(r *Request, e storage.Event, reg *storage.Registration, back string, works, docs int) keyboard {
	p := r.P
	var kb keyboard
	now := b.cfg.Now()
	active := reg != nil && (reg.State == storage.RegConfirmed || reg.State == storage.RegWaitlist)
	if e.Status == storage.EventPublished {
		switch {
		case active && now.Before(e.Start):
			label := p.T("btn_signup_cancel")
			if reg.State == storage.RegWaitlist {
				label = p.T("btn_waitlist_leave")
			}
			kb = append(kb, []modelsButton{button(label, cb(cbSignupCancel, e.ID, signupState(reg)))})
		case !active && now.Before(e.SignUpClosesAt()):
			label := p.T("btn_signup")
			if e.Capacity > 0 && e.SeatsLeft() == 0 {
				label = p.T("btn_signup_waitlist")
			}
			kb = append(kb, []modelsButton{button(label, cb(cbSignup, e.ID))})
		}
	}
	if active && reg.Application != nil && b.editableApplication(e, *reg) {
		row := []modelsButton{button(p.T("btn_apply_edit"), cb(cbApplyEdit, e.ID))}
		if worksOpen(e, now) {
			row = append(row, button(p.T("btn_apply_works"), cb(cbWorks, e.ID)))
		}
		kb = append(kb, row)
	}
	if docs > 0 {
		kb = append(kb, []modelsButton{button(p.T("btn_cert_mine", "N", docs), cb(cbCertsMine, e.ID))})
	}
	if e.Regulations != nil && e.Status != storage.EventCancelled {
		kb = append(kb, []modelsButton{button(p.T("btn_regulations"), cb(cbEventRegulations, e.ID))})
	}
	if r.Role() >= roleCoordinator {
		// Each button only for those access.go lets take its action.
		var row []modelsButton
		if b.may(r, actParticipants, e) {
			row = append(row, button(p.T("btn_participants"), cb(cbEventParticipants, e.ID, 0)))
		}
		if b.may(r, actEdit, e) {
			row = append(row, button(p.T("btn_event_edit"), cb(cbEventEdit, e.ID)))
		}
		if row != nil {
			kb = append(kb, row)
		}
		if b.may(r, actParticipants, e) && e.Status != storage.EventDraft {
			// «📥 Выгрузить» beside «📋 Заявки», or on its own row.
			row := []modelsButton{button(p.T("btn_event_export"), cb(cbEventExport, e.ID))}
			if !e.Form.Empty() {
				row = append([]modelsButton{button(p.T("btn_event_apps"), cb(cbEventApplications, e.ID, 0))}, row...)
			}
			kb = append(kb, row)
			if !e.Form.Empty() {
				kb = append(kb, worksButtons(p, e, works)...)
			}
		}
		switch e.Status {
		case storage.EventDraft:
			if b.may(r, actPublish, e) {
				kb = append(kb, []modelsButton{button(p.T("btn_event_publish"), cb(cbEventPublish, e.ID))})
			}
		case storage.EventPublished:
			row = nil
			if b.may(r, actAnnounce, e) {
				row = append(row, button(p.T("btn_event_announce"), cb(cbEventAnnounce, e.ID)))
			}
			kb = append(kb, append(row, button(p.T("btn_event_share"), cb(cbEventShare, e.ID))))
			if b.may(r, actAnnounce, e) && now.Before(e.SignUpClosesAt()) {
				kb = append(kb, []modelsButton{button(p.T("btn_event_tell"), cb(cbEventTell, e.ID))})
			}
		}
		if e.Status != storage.EventCancelled && !now.Before(e.Start) && b.may(r, actMark, e) {
			row := []modelsButton{button(p.T("btn_attendance"), cb(cbAttendance, e.ID, 0))}
			if e.Kind.Graded() {
				row = append(row, button(p.T("btn_results"), cb(cbResults, e.ID, 0)))
			}
			kb = append(kb, row)
			if e.Status != storage.EventDraft {
				kb = append(kb, []modelsButton{button(p.T("btn_cert_open"), cb(cbCerts, e.ID))})
			}
		}
		if e.Status != storage.EventDraft && b.may(r, actEdit, e) {
			kb = append(kb, []modelsButton{button(p.T("btn_event_copy"), cb(cbEventCopy, e.ID))})
		}
		if row := handOverButton(r, e); row != nil {
			kb = append(kb, row)
		}
		switch {
		case !b.may(r, actCancel, e), e.Over(now): // what took place is not cancelled
		case e.Status == storage.EventPublished:
			kb = append(kb, []modelsButton{button(p.T("btn_event_cancel"), cb(cbEventCancel, e.ID))})
		case e.Status == storage.EventDraft:
			kb = append(kb, []modelsButton{button(p.T("btn_draft_delete"), cb(cbEventCancel, e.ID))})
		}
	}
	if link := b.appLink(r, e.ID); link != "" && b.may(r, actParticipants, e) {
		kb = append(kb, []modelsButton{appButton(p.T("app_btn_open"), link)})
	}
	if (e.Status != storage.EventDraft || b.may(r, actEdit, e)) && !eventPast(e, now) {
		// Nothing to plan for what is over. Last but the way back, so that the buttons above keep their places.
		kb = append(kb, []modelsButton{button(p.T("btn_cal_event"), cb(cbEventCalendar, e.ID))})
	}
	if back != "" {
		kb = append(kb, []modelsButton{button(p.T("btn_back_to_list"), back)})
	} else if e.Over(now) && r.Role() >= roleCoordinator && b.may(r, actParticipants, e) {
		// Marking leads back to a card without its list: the way to it.
		kb = append(kb, []modelsButton{button(p.T("btn_my_events"), cb(cbMyEvents, 0))})
	}
	if kb == nil {
		kb = keyboard{}
	}
	return kb
}

// showCard shows an event's card: in place of the pressed message (a card
// keeps its «К списку»), or new — always new under a notice.
func (b *Bot) showCard(ctx context.Context, r *Request, id int64, back string, fresh bool) error {
	return b.showCardNoting(ctx, r, id, back, fresh, "")
}

// showCardNoting is showCard with a note (what just happened: "your
// sign-up is cancelled") above the card; "" for none.
func (b *Bot) showCardNoting(ctx context.Context, r *Request, id int64, back string, fresh bool, note string) error {
	e, ok, err := b.eventFor(ctx, r, id, actSee)
	if !ok {
		return err
	}
	var reg *storage.Registration
	if got, err := b.store.Registration(ctx, id, r.User.ID); err == nil {
		reg = &got
	} else if !storage.IsNotFound(err) {
		return err
	}
	var prefix []string
	if note != "" {
		prefix = []string{note, ""}
	}
	if back == "" && !fresh {
		back = pressedListBack(r) // a card drawn again keeps «К списку»
	}
	works := 0
	if r.Role() >= roleCoordinator && b.may(r, actParticipants, e) {
		if works, err = b.eventWorksCount(ctx, e); err != nil {
			return err
		}
	}
	docs := 0
	if reg != nil && !b.cfg.Now().Before(e.Start) {
		mine, err := b.store.CertificateDeliveries(ctx, id, r.User.ID)
		if err != nil {
			return err
		}
		docs = len(mine)
	}
	text, kb := b.cardText(ctx, r, e, reg, prefix, nil), b.cardKeyboardWorks(r, e, reg, back, works, docs)
	if fresh || r.Update.CallbackQuery == nil || pressedOnNotice(r) { // a notice stays; the card goes below it
		_, err := b.send(ctx, r.ChatID, text, kb)
		return err
	}
	return b.reply(ctx, r, text, kb)
}

// eventUnavailable says that an event cannot be shown: to a pressed
// button, that it is gone; to a message (a deep link), in the words of key,
// with the way to the list.
func (b *Bot) eventUnavailable(ctx context.Context, r *Request, key string) error {
	if r.Update.CallbackQuery != nil {
		return b.answer(ctx, r, r.P.T("event_gone"), true)
	}
	_, err := b.send(ctx, r.ChatID, r.P.T(key), nil)
	return err
}

// signupState is the state a sign-up's buttons carry, so that a press after
// the state has moved on (a promotion, a cancellation) is told apart: c
// confirmed, w waitlisted, n none.
func signupState(reg *storage.Registration) string {
	switch {
	case reg == nil:
		return "n"
	case reg.State == storage.RegConfirmed:
		return "c"
	case reg.State == storage.RegWaitlist:
		return "w"
	}
	return "n"
}

// registrationState is the stored state a sign-up button's letter stands
// for ("" for none or an unknown letter).
func registrationState(letter string) storage.RegistrationState {
	switch letter {
	case "c":
		return storage.RegConfirmed
	case "w":
		return storage.RegWaitlist
	}
	return ""
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// eventPast reports whether e is behind us at now: it took place, or it
// was cancelled and its start has passed. A phone's calendar has no use
// for it then, so its card offers no «📅 В календарь».
func eventPast(e storage.Event, now time.Time) bool {
	return e.Over(now) || (e.Status == storage.EventCancelled && !now.Before(e.Start))
}
