package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"vmeste/documents/pdftest"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// A district-wide event of 150 teachers from five schools: the sign-in
// sheet runs over several pages with every name on them, and its XLSX
// has the same 150 rows in the same order.
func TestDaySheetOf150Participants(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	var schools []int64
	for i := 1; i <= 5; i++ {
		schools = append(schools, h.seedOrgs(storage.Organisation{Name: fmt.Sprintf("МКОУ «СОШ №%d» Эльбрусского района", i),
			ShortName: fmt.Sprintf("СОШ №%d", i), Kind: storage.KindSchool})[0])
	}
	e := h.event(ids[0], func(e *storage.Event) { e.Title, e.Kind = "Безопасное колесо", storage.EventSeminar })
	surnames := []string{"Абаев", "Байрамуков", "Гергоков", "Джаппуев", "Этезов", "Кудаев", "Мусукаев", "Отаров", "Тилов", "Хаджиев"}
	names := []string{"Ислам", "Алим", "Мурат", "Руслан", "Азамат", "Тимур", "Ахмат", "Расул", "Заур", "Аслан", "Хасан", "Борис", "Олег", "Артур", "Эльдар"}
	now := h.clock.Now()
	want := map[int64][]string{} // by school, sorted by name
	for i := range 150 {
		u := telegramtest.User{ID: 7000 + int64(i), FirstName: "Педагог", LanguageCode: "ru"}
		name := fmt.Sprintf("%s %s %sович", surnames[i%len(surnames)], names[i/len(surnames)], names[(i+3)%len(names)])
		org := schools[i%len(schools)]
		h.applicant(u, org, name, "Учитель")
		if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: e.ID, UserID: u.ID}, now); err != nil {
			t.Fatal(err)
		}
		want[org] = append(want[org], name)
	}
	var order []string
	for _, org := range schools {
		list := want[org]
		slices.SortFunc(list, func(a, b string) int { return strings.Compare(collateKey(a), collateKey(b)) })
		order = append(order, list...)
	}

	pdf, xlsx := h.daySheetFiles(coordinator, e.ID, "🖨 Лист регистрации", "Готовлю лист регистрации…")
	if n := pdftest.Pages(t, pdf.Document.Content); n < 2 {
		t.Errorf("150 rows on %d page", n)
	}
	text := pdftest.Text(t, pdf.Document.Content)
	for _, name := range order {
		if !strings.Contains(text, name) {
			t.Errorf("the PDF has no %q", name)
		}
	}
	if !inOrder(text, order...) {
		t.Error("the PDF's rows are not by school, then by name")
	}
	_, _, rows := xlsxRows(t, xlsx.Document.Content, "Лист регистрации", 4)
	if got := firstLines(rows); !slices.Equal(got, order) {
		t.Errorf("the XLSX's %d rows are not the %d names in order:\n%q", len(got), len(order), got)
	}
	for i, r := range rows {
		if r[0] != fmt.Sprint(i+1) {
			t.Errorf("row %d is numbered %q", i+1, r[0])
			break
		}
	}
}
