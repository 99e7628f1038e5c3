package documents_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"vmeste/documents"
	"vmeste/documents/pdftest"
	"vmeste/locales"
)

func printer(t testing.TB, lang string) locales.Printer {
	t.Helper()
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return c.For(lang)
}

var moscow = time.FixedZone("MSK", 3*3600)

// wheel is a diploma as the district issues it after «Безопасное колесо».
func wheel() documents.Certificate {
	return documents.Certificate{
		Kind:       documents.KindDiploma,
		Number:     "2027-0042",
		Place:      1,
		Operator:   "МКУ «Управление образования» местной администрации Эльбрусского муниципального района",
		Event:      "Безопасное колесо",
		EventKind:  "конкурс",
		Organisers: []string{"Отдел ГИБДД ОМВД России по Эльбрусскому району", "МБУ «ЦРТДиЮ» им. Моккаева"},
		Recipient:  "Команда ЮИД «Зелёный свет»",
		Pupils:     []string{"Хаджиев Алим", "Тебердиева Залина", "Гуртуев Ислам", "Османова Мадина"},
		School:     "МОУ «СОШ № 3» г.п. Тырныауз",
		Date:       time.Date(2027, 4, 15, 10, 0, 0, 0, moscow),
		Issued:     time.Date(2027, 4, 20, 12, 0, 0, 0, moscow),
		VerifyURL:  "https://t.me/vmeste_bot?start=c2027-0042-K7QX",
	}
}

func write(t testing.TB, c documents.Certificate, p locales.Printer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Write(&buf, p); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if dir := os.Getenv("DOCS_DUMP"); dir != "" {
		_ = os.WriteFile(fmt.Sprintf("%s/%s-%d-%s.pdf", dir, c.Kind, c.Place, p.Lang()), buf.Bytes(), 0o644)
	}
	return buf.Bytes()
}

var spaces = regexp.MustCompile(`\s+`)

// flat is the text of a PDF with every run of spaces and line breaks made
// one space, so that a wrapped title reads as one phrase.
func flat(t *testing.T, data []byte) string {
	t.Helper()
	return spaces.ReplaceAllString(pdftest.Text(t, data), " ")
}

func TestCertificateSaysWhoWhatWhere(t *testing.T) {
	ru := printer(t, locales.Russian)
	for _, tc := range []struct {
		name    string
		kind    documents.Kind
		place   int
		want    []string
		landscp bool
	}{
		{"diploma 1", documents.KindDiploma, 1, []string{"ДИПЛОМ", "I степени", "награждается", "за I место"}, true},
		{"diploma 2", documents.KindDiploma, 2, []string{"ДИПЛОМ", "II степени", "за II место"}, true},
		{"diploma 3", documents.KindDiploma, 3, []string{"ДИПЛОМ", "III степени", "за III место"}, true},
		{"laureate", documents.KindLaureate, 0, []string{"ДИПЛОМ", "лауреата", "за успешное выступление"}, true},
		{"participation", documents.KindParticipation, 0, []string{"СЕРТИФИКАТ", "участника", "за участие"}, true},
		{"thanks", documents.KindThanks, 0, []string{"БЛАГОДАРСТВЕННОЕ ПИСЬМО", "за подготовку участников"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := wheel()
			c.Kind, c.Place = tc.kind, tc.place
			if tc.kind == documents.KindThanks {
				c.Recipient, c.Pupils = "Кузьмина Светлана Петровна", nil
			}
			data := write(t, c, ru)
			text := flat(t, data)
			want := append(tc.want,
				c.Recipient, "МОУ «СОШ № 3» г.п. Тырныауз",
				"Конкурс «Безопасное колесо»", "Дата проведения: 15 апреля 2027",
				"Организаторы: Отдел ГИБДД ОМВД России по Эльбрусскому району, МБУ «ЦРТДиЮ» им. Моккаева",
				"МКУ «Управление образования»", "№ 2027-0042", "Дата выдачи: 20 апреля 2027",
				"Руководитель", "подпись", "М. П.", "Проверить подлинность")
			if tc.kind != documents.KindThanks {
				want = append(want, "Обучающиеся: Хаджиев Алим, Тебердиева Залина, Гуртуев Ислам, Османова Мадина")
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in the text:\n%s", w, text)
				}
			}
			if award := strings.Contains(text, "награждается"); award != (tc.kind == documents.KindDiploma || tc.kind == documents.KindLaureate) {
				t.Errorf("«награждается» on a %s: %v (only diplomas are awards)", tc.kind, award)
			}
			if strings.Contains(text, "[doc_") {
				t.Errorf("a missing locale key: %s", text)
			}
			if n := pdftest.Pages(t, data); n != 1 {
				t.Errorf("pages = %d, want 1", n)
			}
			_, pages := pdftest.Words(t, data)
			if landscape := pages[0].Width > pages[0].Height; landscape != tc.landscp {
				t.Errorf("page %v×%v: landscape = %v, want %v", pages[0].Width, pages[0].Height, landscape, tc.landscp)
			}
			if got := pdftest.QR(t, data); got != c.VerifyURL {
				t.Errorf("QR code = %q, want %q", got, c.VerifyURL)
			}
		})
	}
}

// Write is safe for concurrent use, and the same data prints the same
// bytes (the dates in the file are the day of issue, not the clock's), so
// a document rendered again at send time is the one that was issued.
func TestCertificateConcurrentAndReproducible(t *testing.T) {
	p := printer(t, locales.Russian)
	want := write(t, wheel(), p)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var buf bytes.Buffer
			err := wheel().Write(&buf, p)
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = fmt.Errorf("a concurrent Write printed %d bytes unlike the first's %d", buf.Len(), len(want))
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
