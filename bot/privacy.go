package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// The person's rights: /mydata sends everything the bot keeps about the
// user as one file; /forget erases it after a confirmation (storage.
// ForgetUser, one transaction), keeping only anonymous counts for reports.
//
// /mydata's file is plain UTF-8 text (with a byte-order mark, so that an
// old Windows Notepad at school reads the Cyrillic right), laid out in
// sections a teacher reads on a phone: Telegram opens a .txt in its own
// viewer on every platform, while JSON or a spreadsheet needs an app and
// means nothing to most of the people who ask. The law gives a person the
// right to know what is processed, not a machine format; the file's words
// are in the user's language.

// cmdMyData sends the user's data as a text file.
func (b *Bot) cmdMyData(ctx context.Context, r *Request, _ string) error {
	d, err := b.store.PersonalData(ctx, r.User.ID)
	if err != nil {
		return err
	}
	now := b.cfg.Now().In(b.cfg.Location)
	text := b.myDataText(ctx, r.P, d, now)
	name := "vmeste-mydata-" + now.Format("2006-01-02") + ".txt"
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{
		Text: r.P.T("mydata_caption"),
		Document: &models.InputFileUpload{Filename: name,
			Data: bytes.NewReader(append([]byte("\ufeff"), text...))},
	})
	return err
}

// plain marks a value for a plain-text line: T escapes strings for HTML,
// which a text file must not show.
func plain(s string) localesHTML { return localesHTML(s) }

// myDataText renders d as the text of /mydata's file, in p's language.
func (b *Bot) myDataText(ctx context.Context, p locales.Printer, d storage.PersonalData, now time.Time) string {
	when := func(t time.Time) localesHTML { return plain(p.DateYear(t.In(b.cfg.Location))) }
	var sb strings.Builder
	line := func(s string) { sb.WriteString(s + "\n") }
	section := func(key string) { line("\n" + strings.ToUpper(p.T(key))) }
	u := d.User

	line(p.T("mydata_title"))
	line(p.T("mydata_made", "When", plain(p.DateYear(now))))
	line(p.T("mydata_operator", "Operator", plain(b.cfg.Operator)))

	section("mydata_profile")
	line(p.T("mydata_telegram_id", "ID", u.ID))
	if u.FullName != "" {
		line(p.T("mydata_name", "Name", plain(u.FullName)))
	}
	if d.Org != nil {
		line(p.T("mydata_org", "Org", plain(d.Org.Name)))
	}
	if u.Position != "" {
		line(p.T("mydata_position", "Position", plain(u.Position)))
	}
	role := "role_teacher"
	if u.Role == storage.RoleCoordinator {
		role = "role_coordinator"
	}
	if b.admins[u.ID] {
		role = "role_admin"
	}
	line(p.T("mydata_role", "Role", plain(p.T(role))))
	if u.Registered {
		line(p.T("mydata_registered", "When", when(u.CreatedAt)))
	} else {
		line(p.T("mydata_not_registered", "When", when(u.CreatedAt)))
	}

	section("mydata_settings")
	line(p.T("mydata_lang", "Lang", plain(b.catalog.For(u.Lang).T("lang_name"))))
	if u.NoAnnouncements {
		line(p.T("settings_announcements_off"))
	} else {
		line(p.T("settings_announcements_on"))
	}
	if u.NoDigest {
		line(p.T("settings_digest_off"))
	} else {
		line(p.T("settings_digest_on"))
	}
	if d.CalendarFeed {
		line(p.T("cal_mydata_feed"))
	}

	section("mydata_consents")
	if len(u.Consents) == 0 {
		line(p.T("mydata_none"))
	}
	for _, c := range u.Consents {
		key := "mydata_consent_refused"
		if c.Given {
			key = "mydata_consent_given"
		}
		line(p.T(key, "When", when(c.At), "Version", plain(c.Version)))
	}

	section("mydata_signups")
	if len(d.Registrations) == 0 {
		line(p.T("mydata_none"))
	}
	for i, m := range d.Registrations {
		b.myDataSignup(p, &sb, i+1, m)
	}

	if len(d.EventsCreated) > 0 || u.Role == storage.RoleCoordinator {
		section("mydata_events_created")
		if len(d.EventsCreated) == 0 {
			line(p.T("mydata_none"))
		}
		for _, e := range d.EventsCreated {
			line(p.T("mydata_event_created", "Title", plain(e.Title), "When", when(e.Start),
				"Status", plain(p.T("mydata_status_"+string(e.Status)))))
		}
	}
	if len(d.Broadcasts) > 0 {
		section("mydata_broadcasts")
		for _, bc := range d.Broadcasts {
			line(p.T("mydata_broadcast", "When", when(bc.CreatedAt), "Preview", plain(truncateRunes(bc.Preview, 80)), "Sent", bc.Sent))
		}
	}
	if len(d.OrgRequests) > 0 {
		section("mydata_org_requests")
		for _, q := range d.OrgRequests {
			line(p.T("mydata_org_request", "When", when(q.CreatedAt), "Name", plain(q.Name), "Contact", plain(q.Contact)))
		}
	}
	if len(d.Certificates) > 0 {
		section("cert_mydata_title")
		for _, c := range d.Certificates {
			key := "cert_mydata_line"
			if c.Revoked() {
				key = "cert_mydata_line_revoked"
			}
			line(p.T(key, "Number", plain(c.Number), "Kind", plain(certKindName(p, c)), "Title", plain(c.Event),
				"Name", plain(c.Recipient), "School", plain(c.School), "When", when(c.IssuedAt)))
			if len(c.Pupils) > 0 {
				line("   " + p.T("cert_mydata_pupils", "Pupils", plain(strings.Join(c.Pupils, ", "))))
			}
		}
	}
	if len(d.Wizards) > 0 {
		section("mydata_wizards")
		for _, w := range d.Wizards {
			what := p.T("wizard_flow_" + w.Flow)
			if w.Flow == flowConsent {
				what = p.T("mydata_flow_consent")
			}
			line(p.T("mydata_wizard", "What", plain(what), "When", when(w.UpdatedAt)))
		}
	}
	sb.WriteString("\n" + p.T("mydata_rights") + "\n")
	return sb.String()
}

// myDataSignup writes one sign-up with its application.
func (b *Bot) myDataSignup(p locales.Printer, sb *strings.Builder, n int, m storage.MyRegistration) {
	when := func(t time.Time) localesHTML { return plain(p.DateYear(t.In(b.cfg.Location))) }
	line := func(indent, s string) { sb.WriteString(indent + s + "\n") }
	const in1, in2 = "   ", "      "
	line("", fmt.Sprintf("%d. ", n)+p.T("mydata_signup", "Title", plain(m.Event.Title), "When", when(m.Event.Start)))
	line(in1, p.T("mydata_signup_state", "State", plain(p.T("mydata_state_"+string(m.State))), "When", when(m.CreatedAt)))
	if m.TeamSize > 0 {
		line(in1, p.N("mydata_team", m.TeamSize))
	}
	if m.TeamName != "" {
		line(in1, p.T("mydata_team_name", "Name", plain(m.TeamName)))
	}
	if m.Attended != nil && *m.Attended {
		line(in1, p.T("mydata_attended"))
	}
	if m.Result != "" {
		line(in1, p.T("mydata_result", "Result", plain(p.T("result_"+m.Result))))
	}
	a := m.Application
	if a == nil {
		return
	}
	if a.Phone != "" {
		line(in1, p.T("mydata_phone", "Phone", plain(a.Phone)))
	}
	if len(a.Pupils) > 0 {
		line(in1, p.T("mydata_pupils"))
		for i, pu := range a.Pupils {
			s := fmt.Sprintf("%d. %s, %s", i+1, pu.Name, pu.Class)
			if pu.Birth != "" {
				s += ", " + pu.Birth
			}
			line(in2, s)
		}
	}
	if !a.ParentsConsentAt.IsZero() {
		line(in1, p.T("mydata_parents_consent", "When", when(a.ParentsConsentAt)))
	}
	if len(a.Answers) > 0 {
		line(in1, p.T("mydata_answers"))
		for _, ans := range a.Answers {
			q, ok := m.Event.Form.Question(ans.QuestionID)
			question := q.Text
			if !ok {
				question = p.T("mydata_question_gone")
			}
			text := ans.Text
			if q.Kind == storage.QuestionYesNo && (text == "yes" || text == "no") {
				text = p.T("mydata_" + text)
			}
			line(in2, question+": "+text)
		}
	}
	if len(a.Works) > 0 {
		line(in1, p.T("mydata_works"))
		for _, w := range a.Works {
			name := w.FileName
			if name == "" {
				name = p.T("mydata_work_" + string(w.Kind))
			}
			line(in2, p.T("mydata_work", "Name", plain(name), "When", when(w.AddedAt)))
		}
	}
	if !a.ChangedAt.IsZero() {
		line(in1, p.T("mydata_changed", "When", when(a.ChangedAt)))
	}
}

// cmdForget asks whether to erase the user's data, saying what happens;
// an author of events still ahead is told first how to hand them over.
func (b *Bot) cmdForget(ctx context.Context, r *Request, _ string) error {
	d, err := b.store.PersonalData(ctx, r.User.ID)
	if err != nil {
		return err
	}
	var ahead []storage.Event
	for _, e := range d.EventsCreated {
		if e.Status == storage.EventDraft || e.Status == storage.EventPublished {
			ahead = append(ahead, e)
		}
	}
	if len(ahead) > 0 {
		slices.SortStableFunc(ahead, func(a, b storage.Event) int { return a.Start.Compare(b.Start) }) // soonest first
		return b.refuseForget(ctx, r, ahead)
	}
	for _, bc := range d.Broadcasts {
		if bc.State == storage.BroadcastRunning {
			_, err := b.send(ctx, r.ChatID, r.P.T("forget_broadcast_running"), nil)
			return err
		}
	}
	_, err = b.send(ctx, r.ChatID, r.P.T("forget_ask"), keyboard{
		{button(r.P.T("btn_forget_yes"), cbForgetYes)},
		{button(r.P.T("btn_forget_no"), cbDismiss)},
	})
	return err
}

// refuseForget tells an author which events to hand over (or cancel)
// first, each with a button to its card.
func (b *Bot) refuseForget(ctx context.Context, r *Request, events []storage.Event) error {
	lines := []string{r.P.T("forget_author")}
	var kb keyboard
	for i, e := range events {
		status := r.P.T("mydata_status_" + string(e.Status))
		lines = append(lines, r.P.T("forget_author_event", "Title", e.Title, "When", localesHTML(r.P.DateYear(e.Start.In(b.cfg.Location))), "Status", status))
		if i < 10 {
			kb = append(kb, []modelsButton{button(truncateRunes(e.Title, 40), cb(cbEventOpen, e.ID))})
		}
	}
	lines = append(lines, "", r.P.T("forget_author_how"))
	if r.Update.CallbackQuery != nil {
		if err := b.answer(ctx, r, r.P.T("forget_author_short"), true); err != nil {
			return err
		}
		return b.reply(ctx, r, r.P.FitLines(lines, 1), kb)
	}
	_, err := b.send(ctx, r.ChatID, r.P.FitLines(lines, 1), kb)
	return err
}

// cbForgetYes erases the user's data: fy. The confirmation becomes what
// happened; the user is told only after the commit.
func (b *Bot) cbForgetYes(ctx context.Context, r *Request, _ []string) error {
	erased := b.catalog.For(locales.Russian).T("participant_erased")
	// The works' captions name a teacher short: «Иванова М. П.».
	short := []string{shortPersonName(r.User.FullName, false), shortPersonName(r.User.FullName, true)}
	_, err := b.store.ForgetUser(ctx, r.User.ID, storage.Forget{Erased: erased, Names: short, Promoted: b.notifyPromoted})
	var ae *storage.AuthorError
	switch {
	case errors.As(err, &ae):
		return b.refuseForget(ctx, r, ae.Events)
	case errors.Is(err, storage.ErrBroadcastRunning):
		return b.answer(ctx, r, r.P.T("forget_broadcast_running"), true)
	case err != nil:
		return err
	}
	b.log.Info("personal data erased", "user_id", r.User.ID)
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	rl := roleTeacher // the menu of every private chat
	if r.Admin {
		rl = roleAdmin
	}
	if r.User.Role == storage.RoleCoordinator || r.Admin {
		b.syncUserCommands(ctx, r.User.ID, rl, r.User.Lang)
	}
	return b.reply(ctx, r, r.P.T("forget_done"), keyboard{})
}
