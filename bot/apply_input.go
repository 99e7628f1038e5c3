package bot

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// What the teacher sends while filling in an application: the text typed
// at each step, a file (a work), a shared contact (the phone).

// applyMessage takes any message at the wizard's step.
func (b *Bot) applyMessage(ctx context.Context, r *Request, c storage.Conversation) error {
	s, ok, err := b.loadApply(ctx, r, c)
	if !ok {
		return err
	}
	m := r.Update.Message
	switch {
	case m.Contact != nil && c.Step == stepApplyPhone:
		return b.applyPhone(ctx, r, s, m.Contact.PhoneNumber, true)
	case m.Contact != nil:
		if err := b.sendRemovingKeyboard(ctx, r.ChatID, r.P.T("apply_contact_not_now")); err != nil {
			return err
		}
		return b.askApply(ctx, r, s, "", false)
	case isWorkMessage(m) && c.Step == stepApplyWorks && worksOpen(s.e, b.cfg.Now()):
		return b.applyWork(ctx, r, s)
	case isWorkMessage(m):
		key := "apply_file_not_now"
		if worksOpen(s.e, b.cfg.Now()) && s.d.Section == "" {
			key = "apply_file_later"
		}
		return b.askApply(ctx, r, s, r.P.T(key), false)
	case strings.TrimSpace(m.Text) != "":
		return b.applyText(ctx, r, s, strings.TrimSpace(m.Text))
	}
	return b.askApply(ctx, r, s, r.P.T("apply_expects_answer"), false)
}

// applyText takes what is typed at the step.
func (b *Bot) applyText(ctx context.Context, r *Request, s applyState, text string) error {
	p := r.P
	switch s.c.Step {
	case stepApplyConsent:
		if w := foldWords(text); w == "подтверждаю" || w == "да" || w == "yes" || w == "i confirm" || w == "confirm" {
			return b.applyConsent(ctx, r, s)
		}
		return b.askApply(ctx, r, s, p.T("apply_consent_use_button"), false)
	case stepApplyPupils:
		return b.applyPupils(ctx, r, s, text)
	case stepApplySize:
		n, ok := parseTeamSize(text)
		if !ok || n < 1 || n > s.e.MaxTeam {
			return b.askApply(ctx, r, s, p.T("signup_bad_team_size", "Max", s.e.MaxTeam), false)
		}
		s.d.TeamSize = n
		return b.advanceApply(ctx, r, s, p.T("signup_team_size_chosen", "N", n))
	case stepApplyName:
		if all, problems, ok := b.morePupils(s, text); ok {
			return b.offerMorePupils(ctx, r, s, all, problems, text)
		}
		if n := utf8.RuneCountInString(text); n > maxTeamNameLen {
			return b.askApply(ctx, r, s, p.N("apply_too_long", n, "Max", maxTeamNameLen), false)
		}
		if !looksLikeTeamName(text) {
			return b.askApply(ctx, r, s, p.T("signup_not_team_name", "Text", truncateRunes(text, 60)), false)
		}
		s.d.TeamName = text
		return b.advanceApply(ctx, r, s, p.T("apply_name_taken", "Name", text))
	case stepApplyPhone:
		return b.applyPhone(ctx, r, s, text, false)
	case stepApplyWorks:
		return b.askApply(ctx, r, s, p.T("apply_works_send_files"), false)
	case stepApplyConfirm:
		return b.askApply(ctx, r, s, p.T("apply_confirm_use_buttons"), false)
	}
	q, ok := stepQuestion(s.e, s.c.Step)
	if !ok {
		return b.resumeApply(ctx, r, s.c)
	}
	switch q.Kind {
	case storage.QuestionChoice:
		for i, o := range q.Options {
			if foldWords(o) == foldWords(text) {
				return b.applyAnswer(ctx, r, s, q, strconv.Itoa(i))
			}
		}
		return b.askApply(ctx, r, s, p.T("apply_choose_option"), false)
	case storage.QuestionYesNo:
		switch foldWords(text) {
		case "да", "yes":
			return b.applyAnswer(ctx, r, s, q, "0")
		case "нет", "no":
			return b.applyAnswer(ctx, r, s, q, "1")
		}
		return b.askApply(ctx, r, s, p.T("apply_choose_option"), false)
	}
	if n := utf8.RuneCountInString(text); n > storage.MaxAnswerLen {
		return b.askApply(ctx, r, s, p.N("apply_too_long", n, "Max", storage.MaxAnswerLen), false)
	}
	s.d.App.Answers = setAnswer(s.d.App.Answers, q.ID, text)
	return b.advanceApply(ctx, r, s, answerLine(p, "apply_answered", q, 60, answerText(p, q, truncateRunes(text, 200))))
}

// applyAnswer takes a choice (the option's index) or yes/no ("0" yes,
// "1" no), pressed or typed.
func (b *Bot) applyAnswer(ctx context.Context, r *Request, s applyState, q storage.Question, choice string) error {
	var a string
	switch q.Kind {
	case storage.QuestionChoice:
		i, ok := argIndex([]string{choice}, 0, len(q.Options))
		if !ok {
			return b.stale(ctx, r)
		}
		a = q.Options[i]
	case storage.QuestionYesNo:
		switch choice {
		case "0":
			a = "yes"
		case "1":
			a = "no"
		default:
			return b.stale(ctx, r)
		}
	default:
		return b.stale(ctx, r)
	}
	s.d.App.Answers = setAnswer(s.d.App.Answers, q.ID, a)
	return b.advanceApply(ctx, r, s, answerLine(r.P, "apply_answered", q, 60, answerText(r.P, q, a)))
}

// setAnswer is answers with question id's answer set to text ("" removes
// it), in the order given.
func setAnswer(answers []storage.Answer, id int, text string) []storage.Answer {
	out := make([]storage.Answer, 0, len(answers)+1)
	for _, a := range answers {
		if a.QuestionID != id {
			out = append(out, a)
		}
	}
	if text != "" {
		out = append(out, storage.Answer{QuestionID: id, Text: text})
	}
	return out
}

// applyConsent takes the teacher's confirmation that the school holds
// the parents' consent.
func (b *Bot) applyConsent(ctx context.Context, r *Request, s applyState) error {
	s.d.App.ParentsConsentAt = b.cfg.Now()
	return b.advanceApply(ctx, r, s, r.P.T("apply_consent_taken"))
}

// applyPupils reads the pupils typed. A list read whole goes on to the
// next step, read back; a list with lines not read is read back with
// each such line and why, and waits for the list again (or for
// «Продолжить» with the pupils read).
func (b *Bot) applyPupils(ctx context.Context, r *Request, s applyState, text string) error {
	p := r.P
	pupils, problems := parsePupils(text, s.e.Form.PupilBirth, s.e.TeamLimit(), b.cfg.Now().In(b.cfg.Location))
	if len(problems) == 0 && len(pupils) > 0 {
		s.d.App.Pupils = pupils
		return b.advanceApply(ctx, r, s, pupilsReadback(p, pupils))
	}
	s.d.Pending = pupils
	if err := b.saveApply(ctx, r, &s, stepApplyPupils); err != nil {
		return err
	}
	var lines []string
	if len(pupils) > 0 {
		lines = append(lines, pupilsReadback(p, pupils), "")
	}
	lines = append(lines, p.N("apply_pupils_unread", len(problems)))
	for _, pr := range problems {
		why := p.T("apply_pupil_problem_"+pr.Reason, "Max", problemLimit(pr.Reason, s.e))
		lines = append(lines, p.T("apply_pupil_problem", "Line", pr.Line, "Text", truncateRunes(pr.Text, 60), "Why", localesHTML(why)))
	}
	footer := "apply_pupils_fix"
	var kb keyboard
	if len(pupils) > 0 {
		footer = "apply_pupils_fix_or_continue"
		kb = keyboard{{button(p.N("btn_apply_pupils_continue", len(pupils)), cb(cbApplyPending, s.e.ID))}}
	}
	lines = append(lines, "", p.T(footer))
	_, err := b.send(ctx, r.ChatID, p.FitLines(lines, 2), b.applyNav(r, s, kb))
	return err
}

// problemLimit is the limit a line's problem speaks of.
func problemLimit(reason string, e storage.Event) int {
	switch reason {
	case pupilNameTooLong:
		return storage.MaxPupilNameLen
	case pupilClassTooLong:
		return storage.MaxPupilClassLen
	}
	return e.TeamLimit()
}

// pupilsReadback is the pupils as a numbered list under how many there
// are (HTML).
func pupilsReadback(p localesPrinter, pupils []storage.Pupil) string {
	lines := []string{p.N("apply_pupils_list", len(pupils))}
	for i, x := range pupils {
		lines = append(lines, p.T("apply_pupil_line", "N", i+1, "Pupil", pupilLine(x)))
	}
	return strings.Join(lines, "\n")
}

// applyPhone takes the phone typed, or shared (contact): a number it can
// read goes on, said back, with the reply keyboard taken away.
func (b *Bot) applyPhone(ctx context.Context, r *Request, s applyState, raw string, contact bool) error {
	phone, ok := normalisePhone(raw)
	if contact {
		phone, ok = contactPhone(raw)
	}
	if !ok {
		if n := utf8.RuneCountInString(raw); n > storage.MaxPhoneLen {
			return b.askApplyPhone(ctx, r, s, r.P.N("apply_too_long", n, "Max", storage.MaxPhoneLen))
		}
		return b.askApplyPhone(ctx, r, s, r.P.T("apply_bad_phone"))
	}
	s.d.App.Phone = phone
	if err := b.sendRemovingKeyboard(ctx, r.ChatID, r.P.T("apply_phone_taken", "Phone", phone)); err != nil {
		return err
	}
	return b.advanceApply(ctx, r, s, "")
}

// isWorkMessage reports whether m carries a file (a work, or one the
// form does not take).
func isWorkMessage(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Document != nil || m.Video != nil || m.Audio != nil || m.Voice != nil ||
		m.VideoNote != nil || m.Animation != nil
}

// morePupils reads a text typed at the name step as more pupils (a
// teacher who sends one pupil a message): ok when every line of it reads
// as a pupil. all is the list with them added, problems the lines that
// cannot join it (a pupil there already, no room), numbered in text.
func (b *Bot) morePupils(s applyState, text string) (all []storage.Pupil, problems []pupilProblem, ok bool) {
	if !s.e.Form.Pupils || len(s.d.App.Pupils) == 0 {
		return nil, nil, false
	}
	now := b.cfg.Now().In(b.cfg.Location)
	if alone, bad := parsePupils(text, s.e.Form.PupilBirth, storage.MaxWorksLimit*100, now); len(bad) > 0 || len(alone) == 0 {
		return nil, nil, false
	}
	// Pupils offered already and not yet added (a pupil a message, the
	// button not pressed between them) stay in the list offered.
	base := s.d.App.Pupils
	if len(s.d.Pending) > len(base) {
		base = s.d.Pending
	}
	held := len(base)
	all, problems = parsePupils(pupilsText(base)+"\n"+text, s.e.Form.PupilBirth, s.e.TeamLimit(), now)
	for i := range problems {
		problems[i].Line -= held
	}
	return all, problems, true
}

// offerMorePupils asks whether the text typed at the name step is more
// pupils (added to the list) or the team's name; pupils that cannot join
// the list are named with the reason.
func (b *Bot) offerMorePupils(ctx context.Context, r *Request, s applyState, all []storage.Pupil, problems []pupilProblem, text string) error {
	p := r.P
	offered := s.d.Pending // pupils offered before this text, if any
	s.d.Pending, s.d.MaybeName = nil, ""
	var kb keyboard
	held := len(s.d.App.Pupils)
	var lines []string
	if len(problems) > 0 && len(offered) > held {
		// Those offered before are still offered, the text's are not.
		s.d.Pending = offered
		kb = keyboard{{button(p.T("btn_apply_add_pupils"), cb(cbApplyAddPupils, s.e.ID))}}
		lines = append(lines, p.N("apply_more_pupils", len(offered)-held))
		for i, x := range offered[held:] {
			lines = append(lines, p.T("apply_pupil_line", "N", held+i+1, "Pupil", pupilLine(x)))
		}
		lines = append(lines, "")
	}
	if len(problems) == 0 {
		s.d.Pending = all
		kb = keyboard{{button(p.T("btn_apply_add_pupils"), cb(cbApplyAddPupils, s.e.ID))}}
		lines = append(lines, p.N("apply_more_pupils", len(all)-held))
		for i, x := range all[held:] {
			lines = append(lines, p.T("apply_pupil_line", "N", held+i+1, "Pupil", pupilLine(x)))
		}
	} else {
		lines = append(lines, p.T("apply_more_pupils_not_added"))
		for _, pr := range problems {
			why := p.T("apply_pupil_problem_"+pr.Reason, "Max", problemLimit(pr.Reason, s.e))
			lines = append(lines, p.T("apply_pupil_problem", "Line", pr.Line, "Text", truncateRunes(pr.Text, 60), "Why", localesHTML(why)))
		}
		lines = append(lines, "", p.T("signup_ask_team_name"))
		kb = append(kb, []modelsButton{button(p.T("btn_team_no_name"), cb(cbApplySkip, s.e.ID, stepApplyName))})
	}
	if utf8.RuneCountInString(text) <= maxTeamNameLen && looksLikeTeamName(text) && !strings.Contains(text, "\n") {
		s.d.MaybeName = text
		kb = append(kb, []modelsButton{button(p.T("btn_apply_is_name"), cb(cbApplyIsName, s.e.ID))})
	}
	if err := b.saveApply(ctx, r, &s, stepApplyName); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, p.FitLines(lines, 0), b.applyNav(r, s, kb))
	return err
}
