package bot

import (
	"context"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// «📋 Заявки»: an event's applications in full, for those who may see its
// personal data (actParticipants: its coordinators and admins) — grouped
// by organisation, each with the teacher, her position and phone, the
// team, the pupils, the answers to the form's questions as they read now,
// the number of works and the state. Pages are cut by length, never over
// Telegram's 4096 characters; an organisation that runs over a page is
// named again at the top of the next.

// applicationsPageBudget is what one page's applications may take, in
// UTF-16 units, leaving room for the title and the summary.
const applicationsPageBudget = locales.MaxMessage - 600

// maxShownAnswer bounds an answer on the list, so that one application
// stays well within a page.
const maxShownAnswer = 300

// applicationBlock is one application's lines, with its organisation.
type applicationBlock struct {
	group int
	lines []string
}

// cbEventApplications: ap:<event id>:<page>.
func (b *Bot) cbEventApplications(ctx context.Context, r *Request, args []string) error {
	id, page, ok := eventPage(args)
	if !ok {
		return b.stale(ctx, r)
	}
	e, ok, err := b.eventFor(ctx, r, id, actParticipants)
	if !ok {
		return err
	}
	groups, err := b.applicationsByOrg(ctx, id)
	if err != nil {
		return err
	}
	p := r.P
	var (
		blocks                     []applicationBlock
		confirmed, waiting, pupils int
		works                      int
	)
	for gi, g := range groups {
		for _, pt := range g.List {
			if pt.State == storage.RegConfirmed {
				confirmed++
				pupils += pt.TeamSize
			} else {
				waiting++
			}
			works += len(applicationWorks(pt))
			blocks = append(blocks, applicationBlock{group: gi, lines: b.applicationLines(p, e, len(blocks)+1, pt)})
		}
	}
	pages := packApplications(p, groups, blocks)
	page = min(page, len(pages)-1)
	lines := []string{
		p.T("apps_title", "Title", e.Title, "Page", page+1, "Pages", len(pages)),
		p.T("apps_summary", "Confirmed", confirmed, "Waiting", waiting, "Pupils", pupils, "Works", works),
	}
	if len(blocks) == 0 {
		lines = append(lines, "", p.T("apps_empty"))
	}
	lines = append(lines, pages[page]...)
	kb := pagerFor(r, cbEventApplications, id, page, len(pages))
	kb = append(kb, worksButtons(p, e, works)...)
	kb = append(kb, []modelsButton{button(p.T("btn_back_to_event"), cb(cbEventCard, id))})
	return b.reply(ctx, r, p.FitLines(lines, 0), kb)
}

// packApplications cuts the blocks into pages of at most
// applicationsPageBudget, each block whole and under its organisation's
// header (again, «продолжение», at the top of a page it runs onto). There
// is always at least one page.
func packApplications(p locales.Printer, groups []orgApplications, blocks []applicationBlock) [][]string {
	pages := [][]string{nil}
	used, last := 0, -1
	for _, bl := range blocks {
		size := 0
		for _, l := range bl.lines {
			size += utf16Len(l) + 1
		}
		header := func(more bool) []string {
			g := groups[bl.group]
			label := g.Label
			if label == "" {
				label = p.T("apps_no_org")
			}
			if more {
				return []string{"", p.T("apps_org_more", "Org", label)}
			}
			return []string{"", p.N("apps_org", len(g.List), "Org", label)}
		}
		var head []string
		if bl.group != last {
			head = header(false)
		}
		headSize := 0
		for _, l := range head {
			headSize += utf16Len(l) + 1
		}
		if used > 0 && used+headSize+size+1 > applicationsPageBudget {
			pages = append(pages, nil)
			used = 0
			if bl.group == last {
				head = header(true)
			}
		}
		cur := &pages[len(pages)-1]
		*cur = append(*cur, head...)
		*cur = append(*cur, "")
		*cur = append(*cur, bl.lines...)
		for _, l := range head {
			used += utf16Len(l) + 1
		}
		used += size + 1
		last = bl.group
	}
	return pages
}

// applicationLines render one application, numbered n:
//
//  3. Иванова Мария Петровна, учитель начальных классов
//     ✅ подтверждена
//     📞 +79281234567
//     👥 Команда «5Б», 2 учащихся:
//  1. Петров Пётр, 5Б, 12.03.2014
//     ❓ Номинация: Рисунок
//     📎 Работ: 2
func (b *Bot) applicationLines(p locales.Printer, e storage.Event, n int, pt storage.Participant) []string {
	name := personName(p, pt.UserID, pt.User)
	head := p.T("apps_head", "N", n, "Name", truncateRunes(name, 80))
	if pt.User.Position != "" {
		head += p.T("apps_position", "Position", truncateRunes(pt.User.Position, 60))
	}
	lines := []string{head}
	if pt.State == storage.RegWaitlist {
		lines = append(lines, p.T("apps_waitlist"))
	} else {
		lines = append(lines, p.T("apps_confirmed"))
	}
	app := pt.Application
	if app == nil {
		app = &storage.Application{}
	}
	if app.Phone != "" {
		lines = append(lines, p.T("apps_phone", "Phone", app.Phone))
	}
	switch {
	case pt.TeamSize > 0 && pt.TeamName != "":
		lines = append(lines, p.N("apps_team_named", pt.TeamSize, "Name", truncateRunes(pt.TeamName, 40)))
	case pt.TeamSize > 0:
		lines = append(lines, p.N("apps_team", pt.TeamSize))
	}
	for i, pupil := range app.Pupils {
		line := p.T("apps_pupil", "N", i+1, "Name", truncateRunes(pupil.Name, 80), "Class", pupil.Class)
		if born, err := time.Parse(time.DateOnly, pupil.Birth); err == nil {
			line += p.T("apps_pupil_birth", "Date", born.Format("02.01.2006"))
		}
		lines = append(lines, line)
	}
	// The questions as the form asks them now: an answer to a question
	// taken out of the form is not shown.
	for _, q := range e.Form.Questions {
		a, ok := app.Answer(q.ID)
		if !ok {
			continue
		}
		switch {
		case q.Kind == storage.QuestionYesNo && a == "yes":
			a = p.T("apps_answer_yes")
		case q.Kind == storage.QuestionYesNo && a == "no":
			a = p.T("apps_answer_no")
		}
		key, text := "apps_answer", truncateRunes(strings.TrimSpace(q.Text), 100)
		if strings.HasSuffix(text, "?") || strings.HasSuffix(text, ":") {
			key = "apps_answer_asked" // «В какой номинации? Рисунок», not «…?: Рисунок»
		}
		lines = append(lines, p.T(key, "Question", text, "Answer", truncateRunes(strings.TrimSpace(a), maxShownAnswer)))
	}
	if e.Form.Works != nil || len(app.Works) > 0 {
		lines = append(lines, p.T("apps_works", "N", len(app.Works)))
	}
	return lines
}

// worksButtons is the row of an event's works for those who may see
// them: «📎 Работы (N)» and «🗜 Архивом»; none when there are no works.
func worksButtons(p locales.Printer, e storage.Event, works int) keyboard {
	if works == 0 {
		return nil
	}
	return keyboard{{
		button(p.T("btn_event_works", "N", works), cb(cbEventWorks, e.ID)),
		button(p.T("btn_event_works_zip"), cb(cbEventWorksZip, e.ID)),
	}}
}

// eventWorksCount counts the files of the event's active applications.
func (b *Bot) eventWorksCount(ctx context.Context, e storage.Event) (int, error) {
	if e.Form.Works == nil {
		return 0, nil
	}
	list, err := b.store.Participants(ctx, e.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, pt := range list {
		n += len(applicationWorks(pt))
	}
	return n, nil
}
