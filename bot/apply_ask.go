package bot

import (
	"context"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// The application wizard's questions, one per step: the text, the
// buttons, and the way out (apply.go says the order).

// askApply asks the wizard's current step, note (what was just taken, or
// a complaint; "" for none) above it; edit: in place of the pressed
// message.
func (b *Bot) askApply(ctx context.Context, r *Request, s applyState, note string, edit bool) error {
	if steps := applySteps(s.e, s.d, b.cfg.Now()); !slices.Contains(steps, s.c.Step) {
		// A step the form no longer has (the coordinator changed it, or
		// the works closed): start again from the first, answers kept.
		if err := b.saveApply(ctx, r, &s, steps[0]); err != nil {
			return err
		}
	}
	if s.c.Step == stepApplyPhone {
		return b.askApplyPhone(ctx, r, s, note)
	}
	text, kb := b.applyPrompt(r, s)
	if note != "" {
		text = note + "\n\n" + text
	}
	return b.ask(ctx, r, edit, r.P.FitLines(strings.Split(text, "\n"), 3), kb)
}

// applyNav is kb with the wizard's way out for s's step below it: «Назад»
// when there is a step before it, and «Отмена».
func (b *Bot) applyNav(r *Request, s applyState, kb keyboard) keyboard {
	back := prevApplyStep(applySteps(s.e, s.d, b.cfg.Now()), s.c.Step) != ""
	return withNav(kb, r.P, flowApply, s.c.Step, back)
}

// keepRow is «Оставить как есть» for a step whose answer the draft holds.
func keepRow(r *Request, s applyState) []modelsButton {
	return []modelsButton{button(r.P.T("btn_apply_keep"), cb(cbApplyKeep, s.d.EventID, s.c.Step))}
}

// skipRow is «Пропустить» (label key) for an optional step.
func skipRow(r *Request, s applyState, label string) []modelsButton {
	return []modelsButton{button(r.P.T(label), cb(cbApplySkip, s.d.EventID, s.c.Step))}
}

// applyPrompt is the question of every step but the phone.
func (b *Bot) applyPrompt(r *Request, s applyState) (string, keyboard) {
	p, d, e := r.P, s.d, s.e
	var kb keyboard
	switch s.c.Step {
	case stepApplyConsent:
		kb = keyboard{{button(p.T("btn_apply_consent"), cb(cbApplyConsent, e.ID))}}
		return p.T("apply_ask_consent"), b.applyNav(r, s, kb)
	case stepApplyPupils:
		example := "apply_pupils_example"
		if e.Form.PupilBirth {
			example = "apply_pupils_example_birth"
		}
		text := p.T("apply_ask_pupils", "Max", e.TeamLimit()) + "\n" + p.T(example)
		if len(d.App.Pupils) > 0 {
			text += "\n\n" + p.N("apply_pupils_current", len(d.App.Pupils)) + "\n<pre>" + html.EscapeString(pupilsText(d.App.Pupils)) + "</pre>"
			kb = append(kb, keepRow(r, s))
		}
		return text, b.applyNav(r, s, kb)
	case stepApplySize:
		kb = sizeKeyboard(e.ID, e.MaxTeam)
		return p.T("signup_ask_team_size", "Title", e.Title, "Max", e.MaxTeam), b.applyNav(r, s, kb)
	case stepApplyName:
		kb = keyboard{{button(p.T("btn_team_no_name"), cb(cbApplySkip, e.ID, stepApplyName))}}
		text := p.T("signup_ask_team_name")
		if d.TeamName != "" {
			text += "\n" + p.T("apply_now", "Value", d.TeamName)
			kb = append(kb, keepRow(r, s))
		}
		return text, b.applyNav(r, s, kb)
	case stepApplyWorks:
		return b.worksPrompt(r, s)
	case stepApplyConfirm:
		key, btn := "apply_confirm", "btn_apply_send"
		if d.Section != "" {
			key, btn = "apply_confirm_edit", "btn_apply_save"
		}
		lines := append(b.teacherApplicationLines(p, e, d.TeamName, d.TeamSize, d.App, true), "", p.T(key))
		kb = keyboard{{button(p.T(btn), cb(cbApplySend, e.ID))}}
		return p.T("apply_readback_title", "Title", e.Title) + "\n" + strings.Join(lines, "\n"), b.applyNav(r, s, kb)
	}
	q, _ := stepQuestion(e, s.c.Step) // askApply made sure the form has the step
	return b.questionPrompt(r, s, q)
}

// sizeKeyboard offers a team's size, 1…max, as buttons when max is small.
func sizeKeyboard(eventID int64, maxTeam int) keyboard {
	if maxTeam > 12 {
		return nil
	}
	var kb keyboard
	var row []modelsButton
	for n := 1; n <= maxTeam; n++ {
		row = append(row, button(strconv.Itoa(n), cb(cbApplySize, eventID, n)))
		if len(row) == 6 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	return kb
}

// questionPrompt asks one of the coordinator's questions: buttons for a
// choice or yes/no, text for a text; «Пропустить» when not required.
func (b *Bot) questionPrompt(r *Request, s applyState, q storage.Question) (string, keyboard) {
	p := r.P
	n, of := 1, len(s.e.Form.Questions)
	for i, x := range s.e.Form.Questions {
		if x.ID == q.ID {
			n = i + 1
		}
	}
	var kb keyboard
	hint := "apply_question_text"
	switch q.Kind {
	case storage.QuestionChoice:
		hint = "apply_question_choice"
		for i, o := range q.Options {
			kb = append(kb, []modelsButton{button(o, cb(cbApplyOption, s.e.ID, q.ID, i))})
		}
	case storage.QuestionYesNo:
		hint = "apply_question_yesno"
		kb = keyboard{{button(p.T("btn_yes"), cb(cbApplyOption, s.e.ID, q.ID, 0)), button(p.T("btn_no_answer"), cb(cbApplyOption, s.e.ID, q.ID, 1))}}
	}
	text := p.T("apply_ask_question", "N", n, "Of", of, "Text", q.Text) + "\n" + p.T(hint, "Max", storage.MaxAnswerLen)
	if !q.Required {
		text += " " + p.T("apply_may_skip")
		kb = append(kb, skipRow(r, s, "btn_apply_skip"))
	}
	if a, ok := s.d.App.Answer(q.ID); ok {
		text += "\n" + p.T("apply_now", "Value", localesHTML(answerText(p, q, a)))
		kb = append(kb, keepRow(r, s))
	}
	return text, b.applyNav(r, s, kb)
}

// answerText renders an answer as the teacher reads it (HTML): yes/no in
// words, a text escaped.
func answerText(p localesPrinter, q storage.Question, a string) string {
	if q.Kind == storage.QuestionYesNo {
		if a == "yes" {
			return p.T("answer_yes")
		}
		return p.T("answer_no")
	}
	return html.EscapeString(a)
}

// answerLine renders a question and its answer (HTML) with key, or with
// key_asked when the question ends in «?» or «:» («Нужен ли проектор? да»,
// not «…?: да»); the question is cut to n runes.
func answerLine(p localesPrinter, key string, q storage.Question, n int, answer string) string {
	text := truncateRunes(strings.TrimSpace(q.Text), n)
	if strings.HasSuffix(text, "?") || strings.HasSuffix(text, ":") {
		key += "_asked"
	}
	return p.T(key, "Question", text, "Answer", localesHTML(answer))
}

// askApplyPhone asks the phone: the question with its buttons, then the
// reply keyboard's «📱 Отправить номер» (request_contact), which must come
// with a message of its own (a message has one keyboard).
func (b *Bot) askApplyPhone(ctx context.Context, r *Request, s applyState, note string) error {
	var kb keyboard
	if s.e.Form.Phone != storage.NeedRequired {
		kb = append(kb, skipRow(r, s, "btn_apply_skip"))
	}
	if s.d.App.Phone != "" {
		kb = append(kb, keepRow(r, s))
	}
	text := b.phoneQuestion(r, s)
	if note != "" {
		text = note + "\n\n" + text
	}
	if _, err := b.send(ctx, r.ChatID, text, b.applyNav(r, s, kb)); err != nil {
		return err
	}
	_, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Text: r.P.T("apply_phone_button_hint"), Markup: phoneKeyboard(r.P)})
	return err
}

// phoneQuestion is the phone's question, with the phone held, if any.
func (b *Bot) phoneQuestion(r *Request, s applyState) string {
	key := "apply_ask_phone"
	if s.e.Form.Phone != storage.NeedRequired {
		key = "apply_ask_phone_optional"
	}
	text := r.P.T(key)
	if s.d.App.Phone != "" {
		text += "\n" + r.P.T("apply_now", "Value", s.d.App.Phone)
	}
	return text
}

// phoneKeyboard is the reply keyboard whose one button shares the user's
// phone number.
func phoneKeyboard(p localesPrinter) *models.ReplyKeyboardMarkup {
	return &models.ReplyKeyboardMarkup{
		Keyboard:        [][]models.KeyboardButton{{{Text: p.T("btn_apply_share_phone"), RequestContact: true}}},
		ResizeKeyboard:  true,
		OneTimeKeyboard: true,
	}
}

// sendRemovingKeyboard sends text and takes the reply keyboard away.
func (b *Bot) sendRemovingKeyboard(ctx context.Context, chatID int64, text string) error {
	_, err := b.sendMessage(ctx, chatID, telegram.Message{Text: text, Markup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}})
	return err
}
