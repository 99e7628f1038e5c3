package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// The rows of the papers from an export as storage reads it: who is on
// them, what each says, and in which order — every kind of mark the
// protocol sorts by, a team with no pupils listed, a teacher who erased
// her data, a sign-up from an organisation since removed.
func TestDaySheetRows(t *testing.T) {
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	p := c.For(locales.Russian)
	yes, no := true, false
	orgs := map[int64]storage.Organisation{1: {Name: "МКОУ «СОШ №2»"}, 2: {Name: "МКОУ «СОШ №1»"}, 9: {Name: "ОГИБДД"}}
	reg := func(id, org int64, name string, edit func(*storage.ExportRow)) storage.ExportRow {
		r := storage.ExportRow{Participant: storage.Participant{
			Registration: storage.Registration{UserID: id, OrgID: org, State: storage.RegConfirmed},
			User:         storage.User{ID: id, FullName: name}}}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	ex := storage.EventExport{
		Event: storage.Event{ID: 5, Title: "Безопасное колесо", Place: "ЦРТДиЮ", Organisers: []int64{9, 77},
			Start: time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)},
		Orgs: orgs,
		Rows: []storage.ExportRow{
			reg(1, 1, "Яковлева Ольга", nil), // not marked
			reg(2, 2, "Ёлкина Вера", func(r *storage.ExportRow) { r.Attended = &yes }),
			reg(3, 1, "Борисова Анна", func(r *storage.ExportRow) { r.Result, r.Attended = storage.ResultLaureate, &yes }),
			reg(4, 2, "Абаева Дана", func(r *storage.ExportRow) { r.Attended = &no }),
			reg(5, 1, "Гаева Зарема", func(r *storage.ExportRow) { r.Result = storage.ResultThird }),
			reg(6, 2, "Евдокимова Ирина", func(r *storage.ExportRow) {
				r.Result, r.TeamSize, r.TeamName = storage.ResultFirst, 3, ""
			}),
			reg(-7, 2, "", func(r *storage.ExportRow) { r.Attended = &yes }), // erased her data
			reg(8, 55, "Дзуева Мадина", func(r *storage.ExportRow) { // her school is gone
				r.Result, r.TeamName = storage.ResultSecond, "5Б"
				r.Application = &storage.Application{Pupils: []storage.Pupil{{Name: " Дзуев Ахмед ", Class: "5Б"}, {Name: "Кази Лия"}}}
			}),
			reg(9, 1, "Кулиев Руслан", func(r *storage.ExportRow) { r.State, r.Place = storage.RegWaitlist, 1 }),
			reg(10, 1, "Сидоров Олег", func(r *storage.ExportRow) { r.State = storage.RegCancelled }),
		},
	}
	type row struct{ name, org, result string }
	rowsOf := func(d daySheet) []row {
		var out []row
		for _, r := range d.rows {
			out = append(out, row{r.name, r.org, r.result})
		}
		return out
	}
	s1, s2 := "МКОУ «СОШ №1»", "МКОУ «СОШ №2»"
	signIn := newDaySheet(p, daySheetSignIn, ex)
	want := []row{
		{"Абаева Дана", s1, "неявка"}, {"Евдокимова Ирина, команда из 3 учащихся", s1, "1 место"}, {"Ёлкина Вера", s1, "участие"},
		{"участник удалил данные", s1, "участие"},
		{"Борисова Анна", s2, "Лауреат"}, {"Гаева Зарема", s2, "3 место"}, {"Яковлева Ольга", s2, ""},
		{"Дзуева Мадина, команда «5Б»", "", "2 место"},
	}
	if got := rowsOf(signIn); !slices.Equal(got, want) {
		t.Errorf("the sign-in sheet:\n got %q\nwant %q", got, want)
	}
	if signIn.waitlist != 1 {
		t.Errorf("waitlist %d", signIn.waitlist)
	}
	protocol := newDaySheet(p, daySheetProtocol, ex)
	want = []row{
		{"Евдокимова Ирина, команда из 3 учащихся", s1, "1 место"}, {"Дзуева Мадина, команда «5Б»", "", "2 место"},
		{"Гаева Зарема", s2, "3 место"}, {"Борисова Анна", s2, "Лауреат"},
		{"Ёлкина Вера", s1, "участие"}, {"участник удалил данные", s1, "участие"},
		{"Яковлева Ольга", s2, ""}, {"Абаева Дана", s1, "неявка"},
	}
	if got := rowsOf(protocol); !slices.Equal(got, want) {
		t.Errorf("the protocol:\n got %q\nwant %q", got, want)
	}

	// What the documents package is handed: the organisers known by name,
	// the start in the district's zone, the pupils as listed.
	sheet := protocol.documentsSheet("Управление образования", moscowZone)
	if !slices.Equal(sheet.Organisers, []string{"ОГИБДД"}) || sheet.Start.Hour() != 10 || sheet.Operator != "Управление образования" ||
		sheet.Place != "ЦРТДиЮ" || len(sheet.Rows) != len(want) {
		t.Errorf("sheet %+v", sheet)
	}
	if got := sheet.Rows[1].Pupils; !slices.Equal(got, []string{"Дзуев Ахмед (5Б)", "Кази Лия"}) {
		t.Errorf("pupils %q", got)
	}
	if r := sheet.Rows[7]; r.Attended == nil || *r.Attended || r.Result != "неявка" {
		t.Errorf("the absent row %+v", r)
	}

	for _, r := range signIn.documentsSheet("", moscowZone).Rows {
		if r.Result != "" || r.Attended != nil {
			t.Errorf("the sign-in sheet's row %+v carries a mark", r)
		}
	}

	// A file name keeps its date however long the title, and no slash.
	long := ex
	long.Event.Title = strings.Repeat("Районный конкурс/фестиваль ", 6)
	name := newDaySheet(p, daySheetProtocol, long).fileName(p, moscowZone, ".pdf")
	if !strings.HasSuffix(name, " — 15.03.2027.pdf") || strings.Contains(name, "/") || len([]rune(name)) > 84 {
		t.Errorf("file name %q", name)
	}
	// English.
	en := newDaySheet(c.For(locales.English), daySheetProtocol, ex)
	if en.rows[0].name != "Евдокимова Ирина, a team of 3 pupils" || en.rows[7].result != "absent" {
		t.Errorf("in English: %+v", en.rows)
	}
}
