package bot

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"strconv"
	"strings"

	"vmeste/storage"
)

// Sign-up: one tap for an individual event; for a team event a short
// wizard (team.go): the number of students, a class or team name (or
// none), then the application read back with «Записать». Capacity and the
// waitlist are decided by storage in one transaction.
const (
	flowSignup      = "signup"
	stepTeamSize    = "size"
	stepTeamName    = "name"
	stepTeamConfirm = "confirm"
	maxTeamNameLen  = 60
)

type signupDraft struct {
	EventID  int64  `json:"event_id"`
	TeamSize int    `json:"team_size,omitempty"`
	TeamName string `json:"team_name,omitempty"`
	// Card is the message of the card whose button began the sign-up: it
	// is redrawn when the sign-up is done (0: none, a new card is sent).
	Card int `json:"card,omitempty"`
}

func signupConv(step string, d signupDraft) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowSignup, Step: step, Data: data}
}

// cbSignup: ss:<event id>.
func (b *Bot) cbSignup(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	id := e.ID
	if e.Status != storage.EventPublished || !b.cfg.Now().Before(e.SignUpClosesAt()) {
		return errors.Join(b.answer(ctx, r, r.P.T("signup_closed"), true), b.showCard(ctx, r, id, "", false))
	}
	if reg, err := b.store.Registration(ctx, id, r.User.ID); err == nil && reg.State != storage.RegCancelled {
		return errors.Join(b.answer(ctx, r, r.P.T("signup_already"), true), b.showCard(ctx, r, id, "", false))
	}
	if q := e.Form.OrgQuota; q > 0 && (needsApplication(e, b.cfg.Now()) || e.Unit == storage.UnitTeam) {
		// The quota is said before a wizard, not after the teacher typed
		// her whole application (a race is still refused on sending).
		n, err := b.store.OrgApplications(ctx, id, r.User.OrgID)
		if err != nil {
			return err
		}
		if n >= q {
			return errors.Join(b.answer(ctx, r, r.P.N("apply_quota_reached", q), true), b.showCard(ctx, r, id, "", false))
		}
	}
	if needsApplication(e, b.cfg.Now()) {
		// Another wizard in progress was offered back by the router first
		// (applyStarts).
		return b.startApply(ctx, r, e, r.callbackMessageID())
	}
	if e.Unit == storage.UnitTeam {
		if err := b.store.PutConversation(ctx, r.User.ID, signupConv(stepTeamSize, signupDraft{EventID: id, Card: r.callbackMessageID()})); err != nil {
			return err
		}
		if err := b.answer(ctx, r, "", false); err != nil {
			return err
		}
		return b.askTeamSize(ctx, r, e, "", false)
	}
	return b.signUp(ctx, r, storage.SignUp{EventID: id, UserID: r.User.ID}, true, 0)
}

// signUp registers and tells the user where they are: confirmed or on the
// waitlist. onCard: the request is a button on the card, which is redrawn;
// otherwise (the team wizard's end) card is the message of the card that
// began it, redrawn too (0: a new card is sent).
func (b *Bot) signUp(ctx context.Context, r *Request, su storage.SignUp, onCard bool, card int) error {
	reg, err := b.store.Register(ctx, su, b.cfg.Now())
	return b.signedUp(ctx, r, su, reg, err, onCard, card)
}

// signedUp tells the user what came of Register (reg, err) as signUp
// does; a wizard that led to it (a team's sign-up, an application) is
// over, whatever the answer.
func (b *Bot) signedUp(ctx context.Context, r *Request, su storage.SignUp, reg storage.Registration, err error, onCard bool, card int) error {
	if !onCard {
		if c, cerr := b.store.Conversation(ctx, r.User.ID); cerr == nil && (c.Flow == flowSignup || c.Flow == flowApply) {
			_ = b.store.ClearConversation(ctx, r.User.ID)
		}
	}
	var (
		key   string
		quota *storage.QuotaError
	)
	switch {
	case err == nil && reg.State == storage.RegConfirmed:
		key = "signup_done"
	case err == nil:
		key = "signup_waitlisted"
	case errors.Is(err, storage.ErrAlreadyRegistered):
		key = "signup_already"
		if prev, perr := b.store.Registration(ctx, su.EventID, su.UserID); perr == nil && prev.State == storage.RegWaitlist {
			key = "signup_already_waiting"
		}
	case errors.Is(err, storage.ErrSignUpClosed):
		key = "signup_closed"
	case errors.Is(err, storage.ErrTeamTooLarge): // the coordinator lowered the limit meanwhile
		key = "signup_team_too_large"
	case errors.As(err, &quota):
		msg := r.P.N("apply_quota_reached", quota.Quota)
		if onCard {
			return errors.Join(b.answer(ctx, r, msg, true), b.showCard(ctx, r, su.EventID, "", false))
		}
		_, err := b.send(ctx, r.ChatID, msg, nil)
		return err
	case errors.Is(err, storage.ErrBadApplication): // the form changed under a one-tap sign-up
		key = "apply_form_changed"
	case storage.IsNotFound(err):
		key = "event_gone"
	default:
		return err
	}
	e, eerr := b.store.Event(ctx, su.EventID)
	if eerr != nil {
		_, err := b.send(ctx, r.ChatID, r.P.T(key, "Title", "", "N", 0), nil)
		return err
	}
	position := 0
	if err == nil && reg.State == storage.RegWaitlist {
		if position, err = b.waitlistPosition(ctx, su.EventID, su.UserID); err != nil {
			return err
		}
	}
	msg := r.P.T(key, "Title", e.Title, "N", position, "Max", e.MaxTeam)
	if onCard {
		if err := b.answer(ctx, r, stripTags(msg), key != "signup_done"); err != nil {
			return err
		}
		return b.showCard(ctx, r, su.EventID, "", false)
	}
	if _, err := b.send(ctx, r.ChatID, msg, nil); err != nil {
		return err
	}
	if card != 0 {
		reg, err := b.registrationOf(ctx, su.EventID, su.UserID)
		if err != nil {
			return err
		}
		return b.edit(ctx, r.ChatID, card, b.cardText(ctx, r, e, reg, nil, nil), b.cardKeyboard(r, e, reg, ""))
	}
	return b.showCard(ctx, r, su.EventID, "", true)
}

// stripTags turns a one-line HTML message into the plain text a callback
// answer shows.
func stripTags(s string) string {
	var sb strings.Builder
	in := false
	for _, c := range s {
		switch {
		case c == '<':
			in = true
		case c == '>':
			in = false
		case !in:
			sb.WriteRune(c)
		}
	}
	return html.UnescapeString(sb.String())
}

// cbSignupCancel asks, on the pressed message, to confirm cancelling a
// sign-up or leaving the waitlist: sc:<event id>:<c|w>, the state the
// button was drawn for. A press after that state has moved on (promoted,
// cancelled meanwhile, the event cancelled) shows the current card with a
// short note instead of acting.
func (b *Bot) cbSignupCancel(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	if e.Status == storage.EventDraft {
		return b.answer(ctx, r, r.P.T("event_gone"), true)
	}
	reg, err := b.registrationOf(ctx, e.ID, r.User.ID)
	if err != nil {
		return err
	}
	state := signupState(reg)
	if len(args) != 2 || args[1] != state || state == "n" {
		return b.cardMoved(ctx, r, e.ID, "card_moved")
	}
	if e.Status != storage.EventPublished || !b.cfg.Now().Before(e.Start) {
		return b.cardMoved(ctx, r, e.ID, "signup_cancel_too_late")
	}
	question, yes := "signup_cancel_confirm", "btn_signup_cancel_yes"
	if state == "w" {
		question, yes = "waitlist_leave_confirm", "btn_waitlist_leave_yes"
	}
	text := b.cardText(ctx, r, e, reg, nil, []string{"", r.P.T(question, "Title", e.Title)})
	kb := keyboard{{button(r.P.T(yes), cb(cbSignupCancelYes, e.ID, state)), button(r.P.T("btn_no"), cb(cbEventCard, e.ID))}}
	if back := pressedListBack(r); back != "" { // the card it replaces keeps its way back
		kb = append(kb, []modelsButton{button(r.P.T("btn_back_to_list"), back)})
	}
	// Under a notice (a reminder's «Отменить запись») the question goes
	// below it; the notice stays.
	return b.ask(ctx, r, !pressedOnNotice(r), text, kb)
}

// cbSignupCancelYes cancels the sign-up the question was asked about:
// scy:<event id>:<c|w>. Storage cancels it only if it is still in that
// state, in the same transaction that promotes the first on the waitlist
// and tells them through the outbox. The pressed message becomes the
// current card, with what happened on top.
func (b *Bot) cbSignupCancelYes(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	id := e.ID
	seen := storage.RegistrationState("")
	if len(args) == 2 {
		seen = registrationState(args[1])
	}
	if seen == "" {
		return b.cardMoved(ctx, r, id, "card_moved")
	}
	if e.Status != storage.EventPublished || !b.cfg.Now().Before(e.Start) {
		// After the start the sign-up is history: attendance and reports.
		return b.cardMoved(ctx, r, id, "signup_cancel_too_late")
	}
	_, err = b.store.CancelRegistrationIf(ctx, id, r.User.ID, seen, b.notifyPromoted)
	switch {
	case errors.Is(err, storage.ErrStateChanged), errors.Is(err, storage.ErrNotRegistered):
		return b.cardMoved(ctx, r, id, "card_moved")
	case storage.IsNotFound(err):
		return b.eventUnavailable(ctx, r, "event_link_gone")
	case err != nil:
		return err
	}
	key := "signup_cancelled"
	if seen == storage.RegWaitlist {
		key = "waitlist_left"
	}
	note := r.P.T(key, "Title", e.Title)
	if err := b.answer(ctx, r, stripTags(note), false); err != nil {
		return err
	}
	return b.showCardNoting(ctx, r, id, "", false, note)
}

// cardMoved answers a button whose state has moved on with a short note
// (key) and redraws the pressed message as the event's current card.
func (b *Bot) cardMoved(ctx context.Context, r *Request, id int64, key string) error {
	if err := b.answer(ctx, r, r.P.T(key), true); err != nil {
		return err
	}
	return b.showCard(ctx, r, id, "", false)
}

// registrationOf is the user's registration for the event, or nil when
// there is none.
func (b *Bot) registrationOf(ctx context.Context, eventID, userID int64) (*storage.Registration, error) {
	reg, err := b.store.Registration(ctx, eventID, userID)
	if storage.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &reg, nil
}

// cbDismiss removes a question's buttons ("No").
func (b *Bot) cbDismiss(ctx context.Context, r *Request, _ []string) error {
	return b.reply(ctx, r, r.P.T("dismissed"), keyboard{})
}

// cmdMy lists the user's sign-ups, upcoming first, with cancel buttons.
func (b *Bot) cmdMy(ctx context.Context, r *Request, _ string) error {
	list, err := b.store.UserRegistrations(ctx, r.User.ID)
	if err != nil {
		return err
	}
	pending, resume := b.signupPending(ctx, r)
	if len(list) == 0 && pending == "" {
		_, err := b.send(ctx, r.ChatID, r.P.T("my_empty"), nil)
		return err
	}
	now := b.cfg.Now()
	var lines []string
	var kb keyboard
	if pending != "" { // a team sign-up left half-way is not a sign-up yet: say so
		lines, kb = []string{pending}, keyboard{resume}
		if len(list) > 0 {
			lines = append(lines, "")
		}
	}
	if len(list) > 0 {
		lines = append(lines, r.P.N("my_title", len(list)))
	}
	for i, m := range list {
		state := "my_state_confirmed"
		if m.State == storage.RegWaitlist {
			state = "my_state_waitlist"
		}
		if !m.Event.Start.After(now) {
			state = "my_state_past"
		}
		if m.Event.Over(now) {
			state = myOutcomeKey(m.Registration)
		}
		if m.Event.Status == storage.EventCancelled {
			state = "my_state_cancelled"
		}
		stateText := r.P.T(state)
		if state == "my_state_result" {
			stateText = r.P.T(state, "Result", localesHTML(r.P.T("result_"+m.Result)))
		}
		lines = append(lines, "", r.P.T("my_line", "N", i+1, "Title", m.Event.Title,
			"When", localesHTML(r.P.Date(m.Event.Start.In(b.cfg.Location))), "Place", truncateRunes(m.Event.Place, 60),
			"State", localesHTML(stateText)))
		lines = append(lines, b.myApplicationLines(r.P, m)...)
		if len(kb) < 40 {
			row := []modelsButton{button(strconv.Itoa(i+1)+". "+truncateRunes(m.Event.Title, 30), cb(cbEventCard, m.EventID))}
			if m.Event.Start.After(now) && m.Event.Status == storage.EventPublished {
				row = append(row, button(r.P.T("btn_signup_cancel_short"), cb(cbSignupCancel, m.EventID, signupState(&m.Registration))))
			}
			kb = append(kb, row)
			if row := b.myApplicationRow(r.P, m, i+1, len(list)); row != nil {
				kb = append(kb, row)
			}
		}
	}
	_, err = b.send(ctx, r.ChatID, r.P.FitLines(lines, 0), kb)
	return err
}

// myOutcomeKey is the /my state of a sign-up whose event is over: its
// result, that the teacher took part, that her turn on the waitlist never
// came, or only that the event is past.
func myOutcomeKey(reg storage.Registration) string {
	switch {
	case reg.State == storage.RegWaitlist:
		return "my_state_waited"
	case reg.Result != "":
		return "my_state_result"
	case reg.Attended != nil && *reg.Attended:
		return "my_state_took_part"
	}
	return "my_state_past"
}

// notifyPromoted renders the notice to a teacher promoted from the
// waitlist (runs inside the storage transaction: computes only).
func (b *Bot) notifyPromoted(u storage.User, e storage.Event) storage.Content {
	p := b.catalog.For(u.Lang)
	return storage.Content{
		Text:    p.T("notice_promoted", "Title", e.Title, "When", localesHTML(p.Date(e.Start.In(b.cfg.Location)))),
		Buttons: [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, e.ID)}}},
	}
}

// waitlistPosition is the user's place on the event's waitlist, from 1.
func (b *Bot) waitlistPosition(ctx context.Context, eventID, userID int64) (int, error) {
	list, err := b.store.Participants(ctx, eventID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range list {
		if p.State == storage.RegWaitlist {
			n++
			if p.UserID == userID {
				return n, nil
			}
		}
	}
	return n, nil
}
