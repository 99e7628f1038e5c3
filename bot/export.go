package bot

import (
	"bytes"
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
	"vmeste/telegram"
)

// «📥 Выгрузить» on an event's card: its participants and applications as
// a spreadsheet, for those who may see its personal data (actParticipants:
// its coordinators and admins). The press sends an XLSX at once (what a
// coordinator opens in Excel and forwards to the jury); a button under it
// sends the same table as CSV (UTF-8 with a byte order mark, semicolons).
//
// One row per sign-up, every sign-up the event has had: confirmed, the
// waitlist, cancelled. The pupils of a team are joined in one cell
// («Петров Пётр (5Б); Сидорова Ева (5Б)») so that the CSV, which is one
// table, carries them too; the XLSX adds a sheet «Учащиеся» with one row
// per pupil, which a jury sorts by class and counts. The data is read in
// one transaction (storage.ExportEvent). Under the XLSX are also the
// buttons of the papers for the day (daysheet.go).

// exportFormatCSV is the second arg of a press that asks for CSV.
const exportFormatCSV = "c"

// tableWriter is what the participants' table is written to: a sheet of
// a workbook, or a CSV.
type tableWriter interface {
	Row(values ...any) error
}

// participantsTable lays an event's export out as columns and rows, in
// p's language. Values are plain text: a file is not HTML.
type participantsTable struct {
	p  locales.Printer
	ex storage.EventExport
	// Which optional columns the event's form and kind call for.
	phone, team, pupils, works, birth bool
	row                               []any // reused by write
	// labels are the words the rows repeat, rendered once: a catalog
	// lookup is a template run, which for 10,000 rows would cost more
	// than writing them.
	labels map[string]string
}

// label is the message key's text, rendered once per table.
func (t *participantsTable) label(key string) string {
	if s, ok := t.labels[key]; ok {
		return s
	}
	s := t.p.T(key)
	t.labels[key] = s
	return s
}

func newParticipantsTable(p locales.Printer, ex storage.EventExport) *participantsTable {
	f := ex.Event.Form
	return &participantsTable{p: p, ex: ex, labels: map[string]string{},
		phone: f.Phone != storage.NeedNone, team: ex.Event.Unit == storage.UnitTeam,
		pupils: f.Pupils && ex.Event.Unit == storage.UnitTeam, works: f.Works != nil, birth: f.PupilBirth}
}

// columns are the main table's columns.
func (t *participantsTable) columns() []sheets.Column {
	p := t.p
	cols := []sheets.Column{{Title: p.T("export_col_org"), Width: 30}, {Title: p.T("export_col_teacher"), Width: 30},
		{Title: p.T("export_col_position"), Width: 20}}
	if t.phone {
		cols = append(cols, sheets.Column{Title: p.T("export_col_phone"), Width: 16})
	}
	if t.team {
		cols = append(cols, sheets.Column{Title: p.T("export_col_team"), Width: 14},
			sheets.Column{Title: p.T("export_col_team_size"), Width: 10})
	}
	if t.pupils {
		cols = append(cols, sheets.Column{Title: p.T("export_col_pupils"), Width: 45})
	}
	for _, q := range t.ex.Event.Form.Questions {
		cols = append(cols, sheets.Column{Title: strings.TrimSpace(q.Text), Width: 25})
	}
	if t.works {
		cols = append(cols, sheets.Column{Title: p.T("export_col_works"), Width: 10})
	}
	return append(cols, sheets.Column{Title: p.T("export_col_state"), Width: 16},
		sheets.Column{Title: p.T("export_col_signed_up"), Width: 17},
		sheets.Column{Title: p.T("export_col_wait_place"), Width: 12},
		sheets.Column{Title: p.T("export_col_attended"), Width: 12},
		sheets.Column{Title: p.T("export_col_result"), Width: 12})
}

// orgOf is the name of the organisation a row signed up from, "" when
// it is unknown.
func (t *participantsTable) orgOf(r storage.ExportRow) string {
	return t.ex.Orgs[cmp.Or(r.OrgID, r.User.OrgID)].Name
}

// name is the row's teacher as personName says, the forgotten one's
// words rendered once.
func (t *participantsTable) name(r storage.ExportRow) string {
	if r.UserID < 0 {
		return t.label("participant_erased")
	}
	return personName(t.p, r.UserID, r.User)
}

// write writes the main table's rows to w.
func (t *participantsTable) write(w tableWriter) error {
	for _, r := range t.ex.Rows {
		app := r.Application
		if app == nil {
			app = &storage.Application{}
		}
		v := append(t.row[:0], t.orgOf(r), t.name(r), r.User.Position)
		if t.phone {
			v = append(v, app.Phone)
		}
		if t.team {
			v = append(v, r.TeamName, r.TeamSize)
		}
		if t.pupils {
			v = append(v, joinPupils(app.Pupils))
		}
		for _, q := range t.ex.Event.Form.Questions {
			v = append(v, t.answer(q, app))
		}
		if t.works {
			v = append(v, len(app.Works))
		}
		var place, attended, result any
		if r.Place > 0 {
			place = r.Place
		}
		if r.Attended != nil {
			attended = t.label("export_attended_no")
			if *r.Attended {
				attended = t.label("export_attended_yes")
			}
		}
		if r.Result != "" {
			result = t.label("result_" + r.Result)
		}
		v = append(v, t.label("export_state_"+string(r.State)), r.CreatedAt, place, attended, result)
		t.row = v
		if err := w.Row(v...); err != nil {
			return err
		}
	}
	return nil
}

// answer is the answer to q as the table shows it: yes and no in words.
func (t *participantsTable) answer(q storage.Question, app *storage.Application) string {
	a, ok := app.Answer(q.ID)
	if !ok {
		return ""
	}
	switch {
	case q.Kind == storage.QuestionYesNo && a == "yes":
		return t.label("apps_answer_yes")
	case q.Kind == storage.QuestionYesNo && a == "no":
		return t.label("apps_answer_no")
	}
	return strings.TrimSpace(a)
}

// joinPupils is a team's pupils in one cell: «Петров Пётр (5Б); Сидорова
// Ева (5Б)».
func joinPupils(pupils []storage.Pupil) string {
	var sb strings.Builder
	for i, pp := range pupils {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(pp.Name)
		if pp.Class != "" {
			sb.WriteString(" (" + pp.Class + ")")
		}
	}
	return sb.String()
}

// pupilColumns are the columns of the sheet «Учащиеся».
func (t *participantsTable) pupilColumns() []sheets.Column {
	p := t.p
	cols := []sheets.Column{{Title: p.T("export_col_pupil"), Width: 30}, {Title: p.T("export_col_class"), Width: 10}}
	if t.birth {
		cols = append(cols, sheets.Column{Title: p.T("export_col_birth"), Width: 14})
	}
	return append(cols, sheets.Column{Title: p.T("export_col_org"), Width: 30}, sheets.Column{Title: p.T("export_col_teacher"), Width: 30},
		sheets.Column{Title: p.T("export_col_team"), Width: 14}, sheets.Column{Title: p.T("export_col_state"), Width: 16})
}

// writePupils writes one row per pupil of every application to w.
func (t *participantsTable) writePupils(w tableWriter) error {
	for _, r := range t.ex.Rows {
		if r.Application == nil {
			continue
		}
		for _, pp := range r.Application.Pupils {
			v := append(t.row[:0], pp.Name, pp.Class)
			if t.birth {
				var born any
				if d, err := time.Parse(time.DateOnly, pp.Birth); err == nil {
					born = sheets.Day(d)
				}
				v = append(v, born)
			}
			v = append(v, t.orgOf(r), t.name(r), r.TeamName, t.label("export_state_"+string(r.State)))
			t.row = v
			if err := w.Row(v...); err != nil {
				return err
			}
		}
	}
	return nil
}

// participantsXLSX is the export as a workbook, dates in loc: the sheet
// «Участники», and «Учащиеся» when the form lists pupils.
func participantsXLSX(p locales.Printer, loc *time.Location, ex storage.EventExport) ([]byte, error) {
	wb, err := sheets.New(loc)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	t := newParticipantsTable(p, ex)
	main, err := wb.NewSheet(p.T("export_sheet_participants"), t.columns())
	if err != nil {
		return nil, err
	}
	if err := t.write(main); err != nil {
		return nil, err
	}
	if t.pupils {
		pupils, err := wb.NewSheet(p.T("export_sheet_pupils"), t.pupilColumns())
		if err != nil {
			return nil, err
		}
		if err := t.writePupils(pupils); err != nil {
			return nil, err
		}
	}
	return wb.Bytes()
}

// participantsCSV is the main table as CSV, dates in loc.
func participantsCSV(p locales.Printer, loc *time.Location, ex storage.EventExport) ([]byte, error) {
	t := newParticipantsTable(p, ex)
	c, err := sheets.NewCSV(loc, t.columns())
	if err != nil {
		return nil, err
	}
	if err := t.write(c); err != nil {
		return nil, err
	}
	return c.Bytes()
}

// participantsExport reads the participants of a button's event (args[0])
// for one who may see them: the access is decided again on the event as
// read with its sign-ups, so that an organiser taken off the list in
// between sees nothing. ok false: the user has been answered (or err).
func (b *Bot) participantsExport(ctx context.Context, r *Request, args []string) (storage.EventExport, bool, error) {
	e, ok, err := b.buttonEventFor(ctx, r, args, actParticipants)
	if !ok {
		return storage.EventExport{}, false, err
	}
	ex, err := b.store.ExportEvent(ctx, e.ID)
	switch {
	case storage.IsNotFound(err):
		return ex, false, b.answer(ctx, r, r.P.T("event_gone"), true)
	case err != nil:
		return ex, false, err
	case !b.may(r, actParticipants, ex.Event):
		return ex, false, b.answer(ctx, r, r.P.T("refused_event_organisers"), true)
	}
	return ex, true, nil
}

// cbEventExport: xe:<event id>[:c]: the participants as XLSX, or as CSV.
func (b *Bot) cbEventExport(ctx context.Context, r *Request, args []string) error {
	asCSV := len(args) == 2 && args[1] == exportFormatCSV
	if len(args) > 2 || len(args) == 2 && !asCSV {
		return b.stale(ctx, r)
	}
	ex, ok, err := b.participantsExport(ctx, r, args)
	if !ok {
		return err
	}
	p, e := r.P, ex.Event
	if len(ex.Rows) == 0 {
		return b.answer(ctx, r, p.T("export_empty"), true)
	}
	if err := b.answer(ctx, r, p.T("export_preparing"), false); err != nil {
		return err
	}
	var (
		data []byte
		ext  = ".xlsx"
		kb   = keyboard{{button(p.T("btn_export_csv"), cb(cbEventExport, e.ID, exportFormatCSV))}}
	)
	// The papers for the day (daysheet.go) from the same menu.
	if row := daySheetButtons(r, ex, b.cfg.Now()); row != nil {
		kb = append(kb, row)
	}
	if asCSV {
		data, err = participantsCSV(p, b.cfg.Location, ex)
		ext, kb = ".csv", nil
	} else {
		data, err = participantsXLSX(p, b.cfg.Location, ex)
	}
	if err != nil {
		return err
	}
	counts := map[storage.RegistrationState]int{}
	for _, row := range ex.Rows {
		counts[row.State]++
	}
	caption := p.N("export_caption", len(ex.Rows), "Title", ex.Event.Title,
		"Confirmed", counts[storage.RegConfirmed], "Waiting", counts[storage.RegWaitlist], "Cancelled", counts[storage.RegCancelled])
	// The name is plain text, not HTML: the title goes in as typed.
	name := zipName(p.T("export_file_participants")+" — "+truncateRunes(ex.Event.Title, 60)) + ext
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{Text: caption, Markup: kb.markup(),
		Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)}})
	if err == nil {
		b.log.Info("export: participants sent", "event", e.ID, "user_id", r.User.ID, "rows", len(ex.Rows), "bytes", len(data), "csv", asCSV)
	}
	return err
}
