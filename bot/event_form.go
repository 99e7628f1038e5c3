package bot

import (
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// How an event's application form (storage.Form) reads: one public line
// for the card, which everyone sees, and the coordinator's fuller lines in
// the wizard's «Заявка» step. Both say what is asked, never what anyone
// answered.

// formSummary is the card's public line of what e's application asks for
// ("Заявка: список учеников (ФИО, класс), телефон, 2 вопроса, работы до
// 10 марта (не более 3 файлов); не более 1 заявки от организации"), HTML
// ready; "" for a form that asks for nothing. The pupils' list counts only
// for a team event.
func (b *Bot) formSummary(p locales.Printer, e storage.Event) string {
	what := b.formWhat(p, e)
	if what == "" {
		return ""
	}
	return p.T("evform_pub", "What", localesHTML(what))
}

// formWhat is formSummary without its «Заявка:» ("" for nothing asked).
func (b *Bot) formWhat(p locales.Printer, e storage.Event) string {
	f := e.Form
	var parts []string
	if f.Pupils && e.Unit == storage.UnitTeam {
		key := "evform_pub_pupils"
		if f.PupilBirth {
			key = "evform_pub_pupils_birth"
		}
		parts = append(parts, p.T(key))
	}
	switch f.Phone {
	case storage.NeedRequired:
		parts = append(parts, p.T("evform_pub_phone"))
	case storage.NeedOptional:
		parts = append(parts, p.T("evform_pub_phone_optional"))
	}
	if n := len(f.Questions); n > 0 {
		parts = append(parts, p.N("evform_pub_questions", n))
	}
	if w := f.Works; w != nil {
		until := ""
		if !w.Until.IsZero() {
			until = p.T("evform_pub_until", "When", localesHTML(b.untilText(p, w.Until)))
		}
		kinds := ""
		if len(w.Kinds) > 0 && len(w.Kinds) < len(workKinds) {
			kinds = workKindsText(p, w.Kinds) + ", "
		}
		parts = append(parts, p.N("evform_pub_works", w.MaxFiles, "Until", localesHTML(until), "Kinds", localesHTML(kinds)))
	}
	what := strings.Join(parts, ", ")
	if f.OrgQuota > 0 {
		quota := p.N("evform_pub_quota", f.OrgQuota)
		if what == "" {
			return quota
		}
		what += "; " + quota
	}
	return what
}

// workKindButton is a kind of works with the letter its button carries.
type workKindButton struct {
	kind   storage.WorkKind
	letter string
}

// workKinds are the kinds of works a form may take, in the order offered.
var workKinds = []workKindButton{{storage.WorkPhoto, "p"}, {storage.WorkDocument, "d"}, {storage.WorkVideo, "v"}}

// workKindsText names kinds ("фото, видео"); none: all three.
func workKindsText(p locales.Printer, kinds []storage.WorkKind) string {
	if len(kinds) == 0 {
		for _, k := range workKinds {
			kinds = append(kinds, k.kind)
		}
	}
	var names []string
	for _, k := range workKinds { // in the order offered, whatever the stored order
		for _, got := range kinds {
			if got == k.kind {
				names = append(names, p.T("evform_work_"+string(k.kind)))
			}
		}
	}
	return strings.Join(names, ", ")
}

// untilText renders when works stop being taken: a day alone when it is
// the day's end (a date typed without a time), else the day and time.
func (b *Bot) untilText(p locales.Printer, t time.Time) string {
	t = t.In(b.cfg.Location)
	if t.Hour() == 23 && t.Minute() == 59 {
		return p.DayMonth(t)
	}
	return p.Date(t)
}

// formLines are the coordinator's view of the form in the wizard: a line
// per part, each question with its kind, whether it must be answered and
// its options (HTML ready; typed values escaped).
func (b *Bot) formLines(p locales.Printer, e storage.Event) []string {
	f := e.Form
	var lines []string
	if e.Unit == storage.UnitTeam {
		switch {
		case f.Pupils && f.PupilBirth:
			lines = append(lines, p.T("evform_line_pupils_birth"))
		case f.Pupils:
			lines = append(lines, p.T("evform_line_pupils"))
		default:
			lines = append(lines, p.T("evform_line_pupils_off"))
		}
	}
	lines = append(lines, p.T("evform_line_phone", "Need", localesHTML(needText(p, f.Phone))))
	if len(f.Questions) == 0 {
		lines = append(lines, p.T("evform_line_questions_none"))
	} else {
		lines = append(lines, p.T("evform_line_questions"))
		lines = append(lines, questionLines(p, f.Questions)...)
	}
	if w := f.Works; w == nil {
		lines = append(lines, p.T("evform_line_works_off"))
	} else {
		lines = append(lines, p.N("evform_line_works", w.MaxFiles,
			"Kinds", workKindsText(p, w.Kinds), "Until", localesHTML(b.worksUntilText(p, *w))))
	}
	if f.OrgQuota == 0 {
		lines = append(lines, p.T("evform_line_quota_none"))
	} else {
		lines = append(lines, p.N("evform_line_quota", f.OrgQuota))
	}
	return lines
}

// worksUntilText is "до 10 марта" or "пока идёт запись".
func (b *Bot) worksUntilText(p locales.Printer, w storage.WorksSpec) string {
	if w.Until.IsZero() {
		return p.T("evform_until_closes")
	}
	return p.T("evform_until", "When", localesHTML(b.untilText(p, w.Until)))
}

// questionLines are the form's questions, numbered as shown: text, kind
// (a choice with its options) and whether an answer is required.
func questionLines(p locales.Printer, qs []storage.Question) []string {
	var lines []string
	for i, q := range qs {
		kind := p.T("evform_qkind_" + string(q.Kind))
		if q.Kind == storage.QuestionChoice {
			kind = p.T("evform_qkind_choice_of", "Options", strings.Join(q.Options, "; "))
		}
		key := "evform_question_optional"
		if q.Required {
			key = "evform_question_required"
		}
		lines = append(lines, p.T(key, "N", i+1, "Text", q.Text, "Kind", localesHTML(kind)))
	}
	return lines
}

// needText names a field's need: не спрашивать, необязательно, обязательно.
func needText(p locales.Printer, n storage.Need) string {
	switch n {
	case storage.NeedRequired:
		return p.T("evform_need_required")
	case storage.NeedOptional:
		return p.T("evform_need_optional")
	}
	return p.T("evform_need_none")
}
