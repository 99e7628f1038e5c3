package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"vmeste/storage"
)

// The team sign-up wizard: how many students (a button, or typed as
// people type it: "4", "4 ученика"), then a class or team name (or
// «Без названия»), then the application read back with «✅ Записать».
// Nothing is signed up before that press; every question has «Отмена» and,
// after the first, «« Назад». A reply typed in passing at the name step
// ("Спасибо!") is not taken for a name.

// teamSizeKeyboard offers 1…max as buttons when max is small; each carries
// the event, so that an old keyboard cannot sign up for another event.
func teamSizeKeyboard(eventID int64, maxTeam int) keyboard {
	if maxTeam > 12 {
		return nil
	}
	var kb keyboard
	var row []modelsButton
	for n := 1; n <= maxTeam; n++ {
		row = append(row, button(strconv.Itoa(n), cb(cbTeamSize, eventID, n)))
		if len(row) == 6 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	return kb
}

// currentSignup returns the team sign-up wizard for event id at step.
func (b *Bot) currentSignup(ctx context.Context, r *Request, id int64, step string) (storage.Conversation, signupDraft, bool) {
	var d signupDraft
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowSignup || c.Step != step {
		return c, d, false
	}
	if json.Unmarshal(c.Data, &d) != nil || d.EventID != id {
		return c, d, false
	}
	return c, d, true
}

// ask sends a question, or (edit) puts it in place of the pressed one.
func (b *Bot) ask(ctx context.Context, r *Request, edit bool, text string, kb keyboard) error {
	if edit {
		return b.reply(ctx, r, text, kb)
	}
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// askTeamSize asks how many students, note (a complaint, or "") above.
func (b *Bot) askTeamSize(ctx context.Context, r *Request, e storage.Event, note string, edit bool) error {
	text := r.P.T("signup_ask_team_size", "Title", e.Title, "Max", e.MaxTeam)
	if note != "" {
		text = note + "\n" + text
	}
	kb := withNav(teamSizeKeyboard(e.ID, e.MaxTeam), r.P, flowSignup, stepTeamSize, false)
	return b.ask(ctx, r, edit, text, kb)
}

// teamNameKeyboard is the name question's buttons.
func teamNameKeyboard(r *Request, eventID int64) keyboard {
	return withNav(keyboard{{button(r.P.T("btn_team_no_name"), cb(cbTeamNameSkip, eventID))}}, r.P, flowSignup, stepTeamName, true)
}

// askTeamName asks for the class or team name, the size read back above.
func (b *Bot) askTeamName(ctx context.Context, r *Request, d signupDraft, edit bool) error {
	text := r.P.T("signup_team_size_chosen", "N", d.TeamSize) + "\n" + r.P.T("signup_ask_team_name")
	return b.ask(ctx, r, edit, text, teamNameKeyboard(r, d.EventID))
}

// teamConfirmText reads the application back.
func (b *Bot) teamConfirmText(r *Request, e storage.Event, d signupDraft) string {
	var name any = localesHTML(r.P.T("signup_team_name_none"))
	if d.TeamName != "" {
		name = d.TeamName // typed: escaped by T
	}
	return r.P.T("signup_team_confirm", "Title", e.Title, "N", d.TeamSize, "Name", name)
}

// askTeamConfirm shows the application with «Записать», «Назад», «Отмена».
func (b *Bot) askTeamConfirm(ctx context.Context, r *Request, e storage.Event, d signupDraft, note string, edit bool) error {
	text := b.teamConfirmText(r, e, d)
	if note != "" {
		text = note + "\n\n" + text
	}
	kb := withNav(keyboard{{button(r.P.T("btn_team_send"), cb(cbTeamConfirm, e.ID))}}, r.P, flowSignup, stepTeamConfirm, true)
	return b.ask(ctx, r, edit, text, kb)
}

// signupEvent loads the sign-up's event; when it is gone the wizard ends
// and the user is told (ok false).
func (b *Bot) signupEvent(ctx context.Context, r *Request, d signupDraft) (storage.Event, bool, error) {
	e, err := b.store.Event(ctx, d.EventID)
	if storage.IsNotFound(err) {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return e, false, err
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("event_gone"), nil)
		return e, false, err
	}
	if err != nil {
		return e, false, fmt.Errorf("bot: sign-up's event %d: %w", d.EventID, err)
	}
	return e, true, nil
}

// askSignupStep asks the team sign-up's current question (edit: in place
// of the pressed message).
func (b *Bot) askSignupStep(ctx context.Context, r *Request, c storage.Conversation, edit bool) error {
	var d signupDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: team sign-up draft: %w", err)
	}
	e, ok, err := b.signupEvent(ctx, r, d)
	if !ok {
		return err
	}
	switch c.Step {
	case stepTeamName:
		return b.askTeamName(ctx, r, d, edit)
	case stepTeamConfirm:
		return b.askTeamConfirm(ctx, r, e, d, "", edit)
	}
	return b.askTeamSize(ctx, r, e, "", edit)
}

// backSignup goes back one question, keeping the answers: from the name to
// the size, from the read-back to the name.
func (b *Bot) backSignup(ctx context.Context, r *Request, c storage.Conversation) error {
	switch c.Step {
	case stepTeamName:
		c.Step = stepTeamSize
	case stepTeamConfirm:
		c.Step = stepTeamName
	default:
		return b.staleQuestion(ctx, r)
	}
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	return b.askSignupStep(ctx, r, c, true)
}

// cbTeamSize: sz:<event id>:<n>.
func (b *Bot) cbTeamSize(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok || len(args) != 2 {
		return b.stale(ctx, r)
	}
	c, _, ok := b.currentSignup(ctx, r, id, stepTeamSize)
	if !ok {
		return b.stale(ctx, r)
	}
	if err := b.reply(ctx, r, r.P.T("signup_ask_team_size_short", "N", args[1]), keyboard{}); err != nil {
		return err
	}
	return b.signupText(ctx, r, c, args[1])
}

// signupText takes what is typed at each question: the size, the name,
// and at the read-back nothing (the buttons are asked for again).
func (b *Bot) signupText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	var d signupDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: team sign-up draft: %w", err)
	}
	e, ok, err := b.signupEvent(ctx, r, d)
	if !ok {
		return err
	}
	text = strings.TrimSpace(text)
	switch c.Step {
	case stepTeamSize:
		n, ok := parseTeamSize(text)
		if !ok || n < 1 || n > e.MaxTeam {
			return b.askTeamSize(ctx, r, e, r.P.T("signup_bad_team_size", "Max", e.MaxTeam), false)
		}
		d.TeamSize = n
		if err := b.store.PutConversation(ctx, r.User.ID, signupConv(stepTeamName, d)); err != nil {
			return err
		}
		return b.askTeamName(ctx, r, d, false)
	case stepTeamName:
		if utf8.RuneCountInString(text) > maxTeamNameLen {
			_, err := b.send(ctx, r.ChatID, r.P.T("signup_bad_team_name", "Max", maxTeamNameLen), teamNameKeyboard(r, e.ID))
			return err
		}
		if !looksLikeTeamName(text) {
			_, err := b.send(ctx, r.ChatID, r.P.T("signup_not_team_name", "Text", text), teamNameKeyboard(r, e.ID))
			return err
		}
		d.TeamName = text
		if err := b.store.PutConversation(ctx, r.User.ID, signupConv(stepTeamConfirm, d)); err != nil {
			return err
		}
		return b.askTeamConfirm(ctx, r, e, d, "", false)
	case stepTeamConfirm:
		return b.askTeamConfirm(ctx, r, e, d, r.P.T("signup_confirm_use_buttons"), false)
	}
	return nil
}

// teamButton loads the team sign-up that a button of step was drawn for
// (its event id is the first arg) and its event. When ok is false the
// button was stale or the event cannot be signed up for: the user has been
// told, and the caller returns err.
func (b *Bot) teamButton(ctx context.Context, r *Request, args []string, step string) (storage.Event, signupDraft, bool, error) {
	id, ok := argID(args, 0)
	if !ok {
		return storage.Event{}, signupDraft{}, false, b.stale(ctx, r)
	}
	_, d, ok := b.currentSignup(ctx, r, id, step)
	if !ok {
		return storage.Event{}, signupDraft{}, false, b.stale(ctx, r)
	}
	e, ok, err := b.signupEvent(ctx, r, d)
	return e, d, ok, err
}

// cbTeamNameSkip: the team has no name; on to the read-back: sn:<event id>.
func (b *Bot) cbTeamNameSkip(ctx context.Context, r *Request, args []string) error {
	e, d, ok, err := b.teamButton(ctx, r, args, stepTeamName)
	if !ok {
		return err
	}
	d.TeamName = ""
	if err := b.store.PutConversation(ctx, r.User.ID, signupConv(stepTeamConfirm, d)); err != nil {
		return err
	}
	// The name question keeps the size read back and says what was chosen.
	if err := b.reply(ctx, r, r.P.T("signup_team_size_chosen", "N", d.TeamSize)+"\n"+r.P.T("signup_team_no_name"), keyboard{}); err != nil {
		return err
	}
	return b.askTeamConfirm(ctx, r, e, d, "", false)
}

// cbTeamConfirm signs the team up as read back: sf:<event id>.
func (b *Bot) cbTeamConfirm(ctx context.Context, r *Request, args []string) error {
	e, d, ok, err := b.teamButton(ctx, r, args, stepTeamConfirm)
	if !ok {
		return err
	}
	if err := b.reply(ctx, r, b.teamConfirmText(r, e, d), keyboard{}); err != nil {
		return err
	}
	return b.signUp(ctx, r, storage.SignUp{EventID: d.EventID, UserID: r.User.ID, TeamSize: d.TeamSize, TeamName: d.TeamName}, false, d.Card)
}

// parseTeamSize reads a number of students as typed: "4", "4 ученика",
// "4 чел." — a whole number first, then only words without digits.
func parseTeamSize(s string) (int, bool) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimRight(fields[0], ".,;!"))
	if err != nil {
		return 0, false
	}
	for _, w := range fields[1:] {
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			return 0, false
		}
	}
	return n, true
}

// notTeamNames are replies typed in passing that are never a team's name,
// folded as foldWords folds them.
var notTeamNames = map[string]bool{
	"спасибо": true, "спасибо большое": true, "большое спасибо": true, "благодарю": true, "спс": true,
	"ок": true, "окей": true, "хорошо": true, "ладно": true, "понятно": true, "ясно": true, "да": true,
	"нет": true, "привет": true, "здравствуйте": true, "добрый день": true, "доброе утро": true,
	"добрый вечер": true, "готово": true, "отмена": true, "назад": true,
	"thanks": true, "thank you": true, "ok": true, "okay": true, "yes": true, "no": true, "hello": true,
	"hi": true, "cancel": true, "back": true,
}

// maxTeamNameWords: a longer text is a sentence, not a name.
const maxTeamNameWords = 8

// looksLikeTeamName reports whether a text typed at the name question may
// be a class or team name: not a question, not a reply typed in passing,
// not a sentence, and not punctuation alone.
func looksLikeTeamName(s string) bool {
	if strings.HasSuffix(strings.TrimSpace(s), "?") {
		return false
	}
	folded := foldWords(s)
	if folded == "" || notTeamNames[folded] {
		return false
	}
	if looksLikePhone(s) {
		return false // a phone typed a step early is no team's name
	}
	return len(strings.Fields(folded)) <= maxTeamNameWords
}

// looksLikePhone reports whether s is a phone number, typed right or not:
// no letters, and seven digits or more ("8-928-123-45-6").
func looksLikePhone(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case unicode.IsLetter(c):
			return false
		case unicode.IsDigit(c):
			digits++
		}
	}
	return digits >= 7
}

// foldWords lower-cases s, reads ё as е, and keeps only its letters and
// digits, the words separated by one space.
func foldWords(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	return strings.Join(strings.FieldsFunc(s, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	}), " ")
}

// signupPending is the /my line about a team sign-up or an application
// in progress (not yet sent) and the button that continues it; "" when
// there is none.
func (b *Bot) signupPending(ctx context.Context, r *Request) (string, []modelsButton) {
	c, _, ok, err := b.wizardInProgress(ctx, r)
	if err != nil || !ok || (c.Flow != flowSignup && c.Flow != flowApply) {
		return "", nil
	}
	var d struct {
		EventID int64  `json:"event_id"`
		Section string `json:"section"` // an application being changed is sent already
	}
	if json.Unmarshal(c.Data, &d) != nil || d.Section != "" {
		return "", nil
	}
	e, err := b.store.Event(ctx, d.EventID)
	if err != nil {
		return "", nil
	}
	return r.P.T("my_signup_pending", "Title", e.Title), []modelsButton{button(r.P.T("btn_signup_resume"), cb(cbWizardResume, c.Flow))}
}
