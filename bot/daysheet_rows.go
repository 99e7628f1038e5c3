package bot

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"vmeste/documents"
	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
)

// The papers for the day of an event, as data: who is on the sign-in
// sheet and the results protocol, in which order, and what each row says.
// Built from one storage.ExportEvent (one read transaction), for someone
// who may see the participants (actParticipants).
//
// Only confirmed sign-ups are on either paper: the waitlist is not
// expected at the door (the caption counts it), cancelled ones are gone.
// A team is one row: the leading teacher signs for it, with the pupils
// listed under the name for the organiser to check at the door, as the
// application lists them.

// daySheetKind is which paper: the sign-in sheet or the protocol.
type daySheetKind string

const (
	daySheetSignIn   daySheetKind = "s" // лист регистрации
	daySheetProtocol daySheetKind = "p" // протокол результатов
)

// resultOrder is the protocol's order of the results: the places, then
// the laureates; the ranks below follow them.
var resultOrder = [...]string{storage.ResultFirst, storage.ResultSecond, storage.ResultThird, storage.ResultLaureate}

// The protocol's ranks of those with no result.
const (
	rankCame     = len(resultOrder) + iota // came («участие»)
	rankUnmarked                           // attendance not marked
	rankAbsent                             // did not come («неявка»)
)

// daySheetRow is one participant of a paper.
type daySheetRow struct {
	name   string   // the teacher, with the team's name or size
	pupils []string // «Петров Пётр (5Б)», as the application lists them
	org    string   // the organisation's full name, "" when unknown
	result string   // the protocol's words: the place, «участие», «не явился», or ""
	// rank orders the protocol: places 1–3, laureates, those who came,
	// those not marked, those who did not come.
	rank     int
	attended *bool
	userID   int64 // the last tie-break, for an order that never varies
}

// daySheet is what a paper prints.
type daySheet struct {
	kind     daySheetKind
	event    storage.Event
	orgs     []string // the organisers by name
	rows     []daySheetRow
	waitlist int // sign-ups in line, not on the paper
}

// daySheetConfirmed counts the confirmed sign-ups of ex, and those with a
// mark (attendance or a result): the protocol needs at least one.
func daySheetConfirmed(ex storage.EventExport) (confirmed, marked int) {
	for _, r := range ex.Rows {
		if r.State != storage.RegConfirmed {
			continue
		}
		confirmed++
		if r.Result != "" || r.Attended != nil {
			marked++
		}
	}
	return confirmed, marked
}

// newDaySheet lays out ex as kind's paper in p's language.
func newDaySheet(p locales.Printer, kind daySheetKind, ex storage.EventExport) daySheet {
	d := daySheet{kind: kind, event: ex.Event}
	for _, id := range ex.Event.Organisers {
		if o, ok := ex.Orgs[id]; ok {
			d.orgs = append(d.orgs, o.Name)
		}
	}
	results := map[string]string{}
	for _, key := range resultOrder {
		results[key] = plainText(p.T("result_" + key))
	}
	tookPart, absent := plainText(p.T("daysheet_result_took_part")), plainText(p.T("daysheet_result_absent"))
	for _, r := range ex.Rows {
		switch r.State {
		case storage.RegWaitlist:
			d.waitlist++
			continue
		case storage.RegConfirmed:
		default:
			continue
		}
		row := daySheetRow{org: ex.Orgs[cmp.Or(r.OrgID, r.User.OrgID)].Name, attended: r.Attended, userID: r.UserID}
		row.name = plainText(personName(p, r.UserID, r.User)) // «участник удалил данные» after /forget
		var pupils []storage.Pupil
		if r.Application != nil {
			pupils = r.Application.Pupils
		}
		switch {
		case r.TeamName != "":
			row.name = plainText(p.T("daysheet_team", "Teacher", row.name, "Team", r.TeamName))
		case r.TeamSize > 0 && len(pupils) == 0:
			row.name = plainText(p.N("daysheet_team_size", r.TeamSize, "Teacher", row.name))
		}
		for _, pp := range pupils {
			s := strings.TrimSpace(pp.Name)
			if pp.Class != "" {
				s += " (" + pp.Class + ")"
			}
			row.pupils = append(row.pupils, s)
		}
		switch {
		case results[r.Result] != "":
			row.rank, row.result = slices.Index(resultOrder[:], r.Result), results[r.Result]
		case r.Attended == nil:
			row.rank = rankUnmarked
		case *r.Attended:
			row.rank, row.result = rankCame, tookPart
		default:
			row.rank, row.result = rankAbsent, absent
		}
		d.rows = append(d.rows, row)
	}
	// The sign-in sheet by organisation, then by name, those of no known
	// organisation last; the protocol by result first.
	slices.SortStableFunc(d.rows, func(a, b daySheetRow) int {
		c := 0
		if kind == daySheetProtocol {
			c = cmp.Compare(a.rank, b.rank)
		}
		if c == 0 && (a.org == "") != (b.org == "") {
			c = -1
			if a.org == "" {
				c = 1
			}
		}
		return cmp.Or(c, strings.Compare(collateKey(a.org), collateKey(b.org)),
			strings.Compare(collateKey(a.name), collateKey(b.name)), cmp.Compare(a.userID, b.userID))
	})
	return d
}

// documentsSheet is d as the documents package prints it, the start in
// loc; the rows' results and attendance only on the protocol.
func (d daySheet) documentsSheet(operator string, loc *time.Location) documents.Sheet {
	s := documents.Sheet{Operator: operator, Event: d.event.Title, Organisers: d.orgs, Place: d.event.Place,
		Start: d.event.Start.In(loc)}
	for _, r := range d.rows {
		row := documents.Row{Name: r.name, Pupils: r.pupils, School: r.org}
		if d.kind == daySheetProtocol { // the sign-in sheet is signed before anything is marked
			row.Result, row.Attended = r.result, r.attended
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// pdf prints d: the sign-in sheet or the protocol.
func (d daySheet) pdf(p locales.Printer, operator string, loc *time.Location) ([]byte, error) {
	var buf bytes.Buffer
	s := d.documentsSheet(operator, loc)
	write := s.WriteSignIn
	if d.kind == daySheetProtocol {
		write = s.WriteProtocol
	}
	if err := write(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// title is the paper's heading: «Лист регистрации участников»,
// «Протокол подведения итогов».
func (d daySheet) title(p locales.Printer) string {
	return plainText(p.T("daysheet_title_" + string(d.kind)))
}

// shortTitle is the paper's name in its file's and its sheet's names:
// «Лист регистрации», «Протокол».
func (d daySheet) shortTitle(p locales.Printer) string {
	return plainText(p.T("daysheet_file_" + string(d.kind)))
}

// xlsx is d as a workbook to edit and print from Excel (the PDF is the
// paper as printed, with the department's name): the paper's name,
// the event, its date and place, and its organisers above a boxed table
// (№, participant, organisation, and a wide empty column to sign or the
// result) on A4, fit to the width, the header on every page.
func (d daySheet) xlsx(p locales.Printer, loc *time.Location) ([]byte, error) {
	wb, err := sheets.New(loc)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	last := sheets.Column{Title: plainText(p.T("daysheet_col_signature")), Width: 28}
	if d.kind == daySheetProtocol {
		last = sheets.Column{Title: plainText(p.T("daysheet_col_result")), Width: 18, Wrap: true}
	}
	cols := []sheets.Column{{Title: plainText(p.T("daysheet_col_number")), Width: 5},
		{Title: plainText(p.T("daysheet_col_participant")), Width: 42, Wrap: true},
		{Title: plainText(p.T("daysheet_col_org")), Width: 34, Wrap: true}, last}
	title := []string{d.title(p), plainText(p.T("daysheet_event_line", "Title", d.event.Title,
		"Date", locales.HTML(p.DateYear(d.event.Start.In(loc))), "Place", d.event.Place))}
	if len(d.orgs) > 0 {
		title = append(title, plainText(p.T("daysheet_organisers_line", "Organisers", strings.Join(d.orgs, ", "))))
	}
	sh, err := wb.NewSheetLayout(d.shortTitle(p), cols, sheets.Layout{Title: title,
		Print: &sheets.Print{FitToWidth: true, RepeatHeader: true, Grid: true}})
	if err != nil {
		return nil, err
	}
	for i, r := range d.rows {
		who := r.name
		for j, pp := range r.pupils {
			who += "\n" + strconv.Itoa(j+1) + ". " + pp
		}
		var last any
		if d.kind == daySheetProtocol && r.result != "" {
			last = r.result
		}
		if err := sh.Row(i+1, who, r.org, last); err != nil {
			return nil, err
		}
	}
	return wb.Bytes()
}

// fileName is the paper's file name, readable in Russian and safe on any
// disk: «Лист регистрации — Безопасное колесо — 15.03.2027.pdf»; a long
// title is cut so that the date stays (zipName keeps 80 characters).
func (d daySheet) fileName(p locales.Printer, loc *time.Location, ext string) string {
	return zipName(d.shortTitle(p)+" — "+truncateRunes(d.event.Title, 44)+" — "+d.event.Start.In(loc).Format("02.01.2006")) + ext
}
